package tui

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// recorder records the calls the UI makes through Config.Actions, and the
// refreshes it asks for. It tests the UI's wiring (which call, which id,
// when), not AWS: the Docker test below drives a real engine. ECSWriter
// methods the UI never calls panic through the nil embedded interface.
type recorder struct {
	cloud.ECSWriter
	mu        sync.Mutex
	calls     []string
	refreshed []string
	err       error // returned by every call
}

func (r *recorder) record(s string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
	return r.err
}

func (r *recorder) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

func (r *recorder) StartInstances(_ context.Context, ids ...string) error {
	return r.record("StartInstances " + strings.Join(ids, " "))
}
func (r *recorder) StopInstances(_ context.Context, ids ...string) error {
	return r.record("StopInstances " + strings.Join(ids, " "))
}
func (r *recorder) TerminateInstances(_ context.Context, ids ...string) error {
	return r.record("TerminateInstances " + strings.Join(ids, " "))
}
func (r *recorder) StopTask(_ context.Context, cluster, task, _ string) error {
	return r.record("StopTask " + cluster + " " + task)
}
func (r *recorder) UpdateService(_ context.Context, cluster, service string, desired int32, _ string) (resource.Service, error) {
	return resource.Service{}, r.record("UpdateService " + cluster + " " + service + " " + itoa(desired))
}
func (r *recorder) Start(_ context.Context, id string) error { return r.record("Start " + id) }
func (r *recorder) Stop(_ context.Context, id string, grace time.Duration) error {
	return r.record("Stop " + id + " " + grace.String())
}
func (r *recorder) Remove(_ context.Context, id string, force bool) error {
	if force {
		return r.record("Remove " + id + " force")
	}
	return r.record("Remove " + id)
}

func (r *recorder) actions() Actions { return Actions{Instances: r, ECS: r, Docker: r} }

// newActing is newLoaded with every action backed by a recorder.
func newActing(t testing.TB, readonly bool) (*Model, *recorder) {
	t.Helper()
	rec := &recorder{}
	cfg := testConfig()
	cfg.Readonly = readonly
	cfg.Actions = rec.actions()
	cfg.Refresh = func(src string) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.refreshed = append(rec.refreshed, src)
	}
	return loadedWith(t, cfg, 120, 30), rec
}

// runCmd runs a Cmd as the program would and delivers its message.
func runCmd(t testing.TB, m *Model, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		t.Fatal("no Cmd: the action did not start")
	}
	send(m, cmd())
}

func status(m *Model) string {
	return ansi.Strip(strings.Join(m.statusLines(m.width, maxStatus), "\n"))
}

func wantCalls(t testing.TB, rec *recorder, want ...string) {
	t.Helper()
	if got := rec.Calls(); !slices.Equal(got, want) {
		t.Fatalf("calls = %q, want %q", got, want)
	}
}

func TestStopInstanceConfirmDefaultsToNo(t *testing.T) {
	m, rec := newActing(t, false)
	press(m, "G") // web-1, running
	if cmd := press(m, "s"); cmd != nil {
		t.Fatal("s ran something before the confirmation")
	}
	if m.mode() != modeDialog {
		t.Fatalf("mode %v, want the dialog", m.mode())
	}
	s := screen(m)
	mustContain(t, s, "Stop instance?", "web-1 (i-0aaa1111bbbb2222c)", "[ No ]", "Stop", "y yes", "esc cancel")
	checkFits(t, m, 120, 30)

	if cmd := press(m, "enter"); cmd != nil {
		t.Fatal("enter on the default No started the action")
	}
	wantCalls(t, rec)
	if m.dlg != nil {
		t.Fatal("the dialog stayed open after No")
	}
	mustContain(t, status(m), "stop cancelled: nothing was changed")

	// Esc and n cancel too; moving to Yes and pressing enter confirms.
	press(m, "s", "esc")
	press(m, "s", "n")
	wantCalls(t, rec)
	press(m, "s", "right")
	mustContain(t, screen(m), "[ Stop ]")
	runCmd(t, m, press(m, "enter"))
	wantCalls(t, rec, "StopInstances i-0aaa1111bbbb2222c")

	// y confirms at once.
	cmd := press(m, "s", "y")
	mustContain(t, status(m), "stopping web-1 (i-0aaa1111bbbb2222c)…")
	runCmd(t, m, cmd)
	wantCalls(t, rec, "StopInstances i-0aaa1111bbbb2222c", "StopInstances i-0aaa1111bbbb2222c")
	mustContain(t, status(m), "stop requested for web-1 (i-0aaa1111bbbb2222c)")
	if !slices.Equal(rec.refreshed, []string{"ec2", "ec2"}) {
		t.Errorf("refreshed %q, want ec2 after each stop", rec.refreshed)
	}
}

func TestActionFromDetailView(t *testing.T) {
	m, rec := newActing(t, false)
	press(m, "5", "d") // redis, running
	mustContain(t, screen(m), "docker › redis", "s stop", "ctrl+k remove")
	runCmd(t, m, press(m, "s", "y"))
	wantCalls(t, rec, "Stop a1b2c3d4e5f6a7b8c9d0 10s")
	mustContain(t, status(m), "stopped redis (a1b2c3d4e5f6)")
}

func TestReadonlyBlocksActions(t *testing.T) {
	m, rec := newActing(t, true)
	press(m, "G")
	for _, c := range []struct{ key, verb string }{{"s", "stop"}, {"S", "start"}, {"ctrl+k", "terminate"}} {
		if cmd := press(m, c.key); cmd != nil || m.dlg != nil {
			t.Fatalf("%s opened a dialog or ran in read-only mode", c.key)
		}
		mustContain(t, status(m), "read-only mode (--readonly): "+c.verb+" is disabled")
	}
	press(m, "3")
	press(m, "s")
	mustContain(t, status(m), "read-only mode (--readonly): scale is disabled")
	wantCalls(t, rec)
	hint := screen(m)[strings.LastIndex(screen(m), "\n")+1:]
	mustNotContain(t, hint, "scale")
	mustContain(t, strings.Join(m.helpLines(200), "\n"), "set the desired count of the selected service (disabled: read-only)")
}

func TestActionErrorShownInStatus(t *testing.T) {
	m, rec := newActing(t, false)
	rec.err = &cloud.Error{Service: "ec2", Operation: "StopInstances", Code: "UnauthorizedOperation",
		Message: "You are not authorized to perform this operation."}
	press(m, "G")
	runCmd(t, m, press(m, "s", "y"))
	mustContain(t, status(m), "stop web-1 (i-0aaa1111bbbb2222c) failed: ec2:StopInstances: UnauthorizedOperation:",
		"(needs IAM permission ec2:StopInstances)")
	if m.flash.tone != toneErr {
		t.Errorf("tone %v, want an error", m.flash.tone)
	}
	if len(rec.refreshed) != 0 {
		t.Errorf("refreshed %q after a failure", rec.refreshed)
	}
	rec.err = context.DeadlineExceeded
	runCmd(t, m, press(m, "s", "y"))
	mustContain(t, status(m), "context deadline exceeded (no answer within 30s)")
}

func TestActionStateExplains(t *testing.T) {
	m, rec := newActing(t, false)
	for _, c := range []struct {
		keys []string
		want string
	}{
		{[]string{"1", "j", "s"}, "cannot stop db-1 (i-0ddd3333eeee4444f): it is stopped already"},
		{[]string{"1", "G", "S"}, "cannot start web-1 (i-0aaa1111bbbb2222c): it is running already"},
		{[]string{"1", "g", "s"}, "cannot stop i-0fff5555aaaa6666b: it is pending; stop it once it is running"},
		{[]string{"5", "G", "s"}, "cannot stop worker (ffee00112233): it is not running (exited)"},
		{[]string{"5", "g", "S"}, "cannot start redis (a1b2c3d4e5f6): it is running already"},
	} {
		press(m, c.keys...)
		if m.dlg != nil {
			t.Fatalf("%v opened a dialog", c.keys)
		}
		mustContain(t, status(m), c.want)
	}
	wantCalls(t, rec)
	// A stopped task and a service that is not ACTIVE say so as well.
	set := ecsSet(2, "STOPPED")
	set.Services[0].Status = "DRAINING" // web
	send(m, (&feed{source: "ecs", gen: 9}).update(set, t0))
	press(m, "4", "j", "s")
	mustContain(t, status(m), "cannot stop task 3f2a9c1e0b7d4e5f8a6b2c3d4e5f6a7b: it has stopped already")
	press(m, "3", "j", "s")
	mustContain(t, status(m), "cannot scale service web: it is DRAINING; only an ACTIVE service can be scaled")
	wantCalls(t, rec)
}

func TestNotAvailableWithoutBackend(t *testing.T) {
	cfg := testConfig()
	cfg.Actions = Actions{}
	m := loadedWith(t, cfg, 120, 30)
	press(m, "G")
	hint := screen(m)[strings.LastIndex(screen(m), "\n")+1:]
	mustNotContain(t, hint, "stop", "terminate")
	press(m, "s")
	mustContain(t, status(m), "stop is not available here: the EC2 backend offers no actions")
	press(m, "5", "ctrl+k")
	mustContain(t, status(m), "remove is not available here: the Docker backend offers no actions")
	if m.dlg != nil {
		t.Fatal("a dialog opened without a backend")
	}
	// (A typed nil pointer is no longer guarded against by reflection:
	// cmd/deckhand sets a backend only once it was made.)
}

func TestHintLineShowsPaneActions(t *testing.T) {
	m, _ := newActing(t, false)
	hint := func() string { s := screen(m); return s[strings.LastIndex(s, "\n")+1:] }
	mustContain(t, hint(), "s stop", "S start", "ctrl+k terminate")
	press(m, "3")
	mustContain(t, hint(), "s scale")
	mustNotContain(t, hint(), "s stop", "terminate")
	press(m, "2")
	mustNotContain(t, hint(), "stop", "scale", "start")
	press(m, "5")
	mustContain(t, hint(), "s stop", "S start", "ctrl+k remove")
}

func TestScalePromptValidates(t *testing.T) {
	m, rec := newActing(t, false)
	press(m, "3", "j") // web: desired 2
	press(m, "s")
	if m.mode() != modePrompt {
		t.Fatalf("mode %v, want the prompt", m.mode())
	}
	mustContain(t, screen(m), "Scale service?", "service web in cluster prod", "desired 2, running 2",
		"Desired count (0–1000):", "> 2", "enter select")
	for _, c := range []struct{ typed, want string }{
		{"abc", `desired count: "abc" is not a whole number (0–1000)`},
		{"1001", "desired count: 1001 is out of range (0–1000)"},
		{"-1", "desired count: -1 is out of range (0–1000)"},
		{"", "desired count: enter a whole number from 0 to 1000"},
		{"2", "desired count is 2 already"},
	} {
		press(m, "ctrl+u")
		typeText(m, c.typed)
		if cmd := press(m, "enter"); cmd != nil {
			t.Fatalf("%q was accepted", c.typed)
		}
		mustContain(t, screen(m), c.want)
	}
	wantCalls(t, rec)
	press(m, "ctrl+u")
	typeText(m, "5")
	runCmd(t, m, press(m, "enter"))
	wantCalls(t, rec, "UpdateService "+prodARN+" web 5")
	mustContain(t, status(m), "scale requested for service web: desired 2 → 5")

	// The offered count is replaced by the first key typed.
	press(m, "s")
	typeText(m, "7")
	runCmd(t, m, press(m, "enter"))
	wantCalls(t, rec, "UpdateService "+prodARN+" web 5", "UpdateService "+prodARN+" web 7")
}

func TestTerminateNeedsTypedName(t *testing.T) {
	m, rec := newActing(t, false)
	press(m, "G", "ctrl+k")
	mustContain(t, screen(m), "Terminate instance?", "web-1 (i-0aaa1111bbbb2222c)", "cannot be undone",
		"Type web-1 to confirm:")
	press(m, "y") // typed into the field, not a yes
	if cmd := press(m, "enter"); cmd != nil {
		t.Fatal("terminate ran without the name typed")
	}
	mustContain(t, screen(m), "type web-1 exactly to terminate it, or esc to cancel")
	press(m, "ctrl+u")
	typeText(m, "web-1")
	runCmd(t, m, press(m, "enter"))
	wantCalls(t, rec, "TerminateInstances i-0aaa1111bbbb2222c")
	mustContain(t, status(m), "terminate requested for web-1 (i-0aaa1111bbbb2222c)")
	// The id is accepted too.
	press(m, "ctrl+k")
	typeText(m, "i-0aaa1111bbbb2222c")
	runCmd(t, m, press(m, "enter"))
	if n := len(rec.Calls()); n != 2 {
		t.Fatalf("%d calls, want 2", n)
	}
}

func TestStopTaskAndDockerActions(t *testing.T) {
	m, rec := newActing(t, false)
	press(m, "4", "j") // tasks by ARN: 1111…, 3f2a…, 9b8c…
	press(m, "s")
	mustContain(t, screen(m), "Stop task?", "task 3f2a9c1e0b7d4e5f8a6b2c3d4e5f6a7b", "of service web in cluster prod",
		"The service starts a replacement")
	runCmd(t, m, press(m, "y"))
	mustContain(t, status(m), "stop requested for task 3f2a9c1e0b7d4e5f8a6b2c3d4e5f6a7b")
	cmd := press(m, "5", "G", "S") // worker, exited: starts without a dialog
	if m.dlg != nil {
		t.Fatal("start asked for confirmation")
	}
	runCmd(t, m, cmd)
	mustContain(t, status(m), "started worker (ffee00112233)")
	press(m, "g", "ctrl+k") // redis, running: removal is forced
	mustContain(t, screen(m), "Remove container?", "It is running: it will be killed first", "cannot be undone")
	runCmd(t, m, press(m, "y"))
	wantCalls(t, rec, "StopTask "+prodARN+" "+task1ARN, "Start ffee00112233445566", "Remove a1b2c3d4e5f6a7b8c9d0 force")
	if !slices.Equal(rec.refreshed, []string{"ecs", "docker", "docker"}) {
		t.Errorf("refreshed %q", rec.refreshed)
	}
}

// loadedWith is newLoaded with a given config.
func loadedWith(t testing.TB, cfg Config, w, h int) *Model {
	t.Helper()
	m := New(cfg)
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	feeds := map[string]*feed{"ec2": {source: "ec2"}, "ecs": {source: "ecs"}, "docker": {source: "docker"}}
	send(m, feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "running"),
		instance("i-0ddd3333eeee4444f", "db-1", "stopped"), instance("i-0fff5555aaaa6666b", "", "pending")), t0))
	send(m, feeds["ecs"].update(ecsSet(2, "RUNNING"), t0))
	send(m, feeds["docker"].update(dockerSet("running"), t0))
	return m
}
