package tui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"deckhand/aws/sandbox"
	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// firstCells is column 0 of the current table's rows, in display order.
func firstCells(m *Model) []string {
	t := m.current().table()
	out := make([]string, t.n())
	for i := range out {
		out[i] = t.at(i).cells[0]
	}
	return out
}

func TestCompareCells(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		col  column
		a, b row
		want int
	}{
		{"text ignores case", column{}, row{cells: []string{"b"}}, row{cells: []string{"A"}}, 1},
		{"numbers as numbers", column{}, row{cells: []string{"10"}}, row{cells: []string{"9"}}, 1},
		{"empty last", column{}, row{cells: []string{""}}, row{cells: []string{"a"}}, 1},
		{"age: younger first", column{at: 1}, row{at: []time.Time{now}}, row{at: []time.Time{now.Add(-time.Hour)}}, -1},
		{"date: earlier first", column{at: 1, date: true}, row{at: []time.Time{now}}, row{at: []time.Time{now.Add(-time.Hour)}}, 1},
		{"no time last", column{at: 1}, row{}, row{at: []time.Time{now}}, 1},
	}
	for _, tc := range tests {
		if got := compareCells(tc.col, &tc.a, &tc.b, 0); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestSortByColumn: o walks the columns, O flips, the header shows the
// arrow, the order survives a refresh and is kept for the page's kind.
func TestSortByColumn(t *testing.T) {
	m, feeds := newLoaded(t, 120, 30)
	send(m, feeds["ec2"].update(ec2Set(instance("i-0b", "beta", "running"), instance("i-0a", "gamma", "stopped"),
		instance("i-0c", "alpha", "pending")), t0))
	if got := firstCells(m); !slices.Equal(got, []string{"alpha", "beta", "gamma"}) {
		t.Fatalf("page order %v", got)
	}
	press(m, "o") // NAME
	mustContain(t, screen(m), "NAME ↑")
	press(m, "O")
	if got := firstCells(m); !slices.Equal(got, []string{"gamma", "beta", "alpha"}) {
		t.Fatalf("name descending: %v", got)
	}
	press(m, "o") // ID, ascending
	mustContain(t, screen(m), "ID ↑")
	if got := firstCells(m); !slices.Equal(got, []string{"gamma", "beta", "alpha"}) {
		t.Fatalf("by id: %v", got) // i-0a gamma, i-0b beta, i-0c alpha
	}
	// A refresh keeps the order; so does leaving the pane and coming back.
	send(m, feeds["ec2"].update(ec2Set(instance("i-0b", "beta", "running"), instance("i-0a", "gamma", "running"),
		instance("i-0c", "alpha", "running"), instance("i-00", "delta", "running")), t0.Add(time.Second)))
	press(m, "5", "1")
	if got := firstCells(m); !slices.Equal(got, []string{"delta", "gamma", "beta", "alpha"}) {
		t.Fatalf("after a refresh: %v", got)
	}
	for range instanceCols[2:] { // past the last column: the page's own order
		press(m, "o")
	}
	press(m, "o")
	if got := firstCells(m); !slices.Equal(got, []string{"alpha", "beta", "delta", "gamma"}) {
		t.Fatalf("back to the page's order: %v (%s)", got, status(m))
	}
	checkFits(t, m, 120, 30)
}

// TestCopyOffersTheRowsValues: y lists what the row has and a digit puts
// it on the clipboard (OSC 52 through Bubble Tea), saying what was copied.
func TestCopyOffersTheRowsValues(t *testing.T) {
	m, feeds := newLoaded(t, 120, 30)
	x := instance("i-0aaa1111bbbb2222c", "web-1", "running")
	x.PublicIP = "203.0.113.7"
	send(m, feeds["ec2"].update(ec2Set(x), t0))
	press(m, "y")
	s := screen(m)
	mustContain(t, s, "Copy to the clipboard", "1  instance id: i-0aaa1111bbbb2222c", "2  name: web-1", "3  public IP: 203.0.113.7")
	cmd := press(m, "3")
	if cmd == nil || m.dlg != nil {
		t.Fatalf("3 copied nothing or left the chooser open")
	}
	if got := ansi.Strip(screen(m)); !strings.Contains(got, "copied public IP: 203.0.113.7") {
		t.Fatalf("no flash:\n%s", got)
	}
	if msg := cmd(); msg == nil {
		t.Fatal("the clipboard Cmd returned no message")
	}
}

// TestMarkedRowsStopTogether: on a real sandbox account, two of three
// running instances are marked; s asks once, listing both with their
// commands, and stops both; the third keeps running.
func TestMarkedRowsStopTogether(t *testing.T) {
	ctx := context.Background()
	acct, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Speed: 100})
	if err != nil {
		t.Fatal(err)
	}
	ami, err := acct.LatestAMI(ctx, "al2023")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, name := range []string{"a-web", "b-web", "c-web"} {
		x, err := acct.RunInstance(ctx, cloud.InstanceSpec{Name: name, ImageID: ami.ID, InstanceType: "t3.micro"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, x.ID)
	}
	mine := func(x resource.Instance) bool { return slices.Contains(ids, x.ID) }
	xs := waitInstances(t, acct, func(x resource.Instance) bool { return !mine(x) || x.State == "running" })
	cfg := testConfig()
	cfg.Actions = Actions{Instances: acct}
	m := loadedWith(t, cfg, 120, 30)
	f := &feed{source: "ec2"}
	send(m, f.update(ec2Set(xs...), t0))

	press(m, "g", "space", "space") // a-web and b-web (the rows are by name)
	mustContain(t, screen(m), "2 marked")
	if cmd := press(m, "s"); cmd != nil {
		t.Fatal("s ran before the confirmation")
	}
	s := screen(m)
	mustContain(t, s, "Stop 2 instances?", "a-web", "b-web", "$ aws ec2 stop-instances --instance-ids "+ids[0])
	if strings.Contains(strings.Join(m.dlg.lines, "\n"), "c-web") {
		t.Fatalf("the unmarked instance is in the dialog:\n%s", s)
	}
	runCmd(t, m, press(m, "y"))
	mustContain(t, status(m), "stop: 2 of 2 requested")
	got := map[string]string{}
	for _, x := range waitInstances(t, acct, func(x resource.Instance) bool { return !mine(x) || x.State != "pending" }) {
		got[x.ID] = x.State
	}
	for i, want := range []string{"stopping", "stopping", "running"} {
		if st := got[ids[i]]; st != want && !(want == "stopping" && st == "stopped") {
			t.Errorf("%s: %s, want %s", ids[i], st, want)
		}
	}
	if len(m.current().table().marked) != 0 {
		t.Error("the marks stayed after the action")
	}
}

// waitInstances polls the sandbox until every instance satisfies ok.
func waitInstances(t *testing.T, acct *sandbox.Account, ok func(resource.Instance) bool) []resource.Instance {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		xs, err := acct.Instances(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(xs, func(x resource.Instance) bool { return !ok(x) }) {
			return xs
		}
		if time.Now().After(deadline) {
			t.Fatalf("instances did not settle: %+v", xs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestMouseSelectsAndOpens: with --mouse, a click selects the row under
// it, a second click on it opens it, and the wheel moves the cursor.
func TestMouseSelectsAndOpens(t *testing.T) {
	cfg := testConfig()
	cfg.Mouse = true
	m := loadedWith(t, cfg, 120, 30)
	f := &feed{source: "ec2"}
	send(m, f.update(ec2Set(instance("i-0a", "alpha", "running"), instance("i-0b", "beta", "running"),
		instance("i-0c", "gamma", "running"), instance("i-0d", "delta", "running")), t0))
	if v := m.View(); v.MouseMode != tea.MouseModeCellMotion {
		t.Fatalf("mouse mode %v with Config.Mouse", v.MouseMode)
	}
	top, _ := m.chrome()
	send(m, tea.MouseClickMsg{X: 4, Y: top + 1 + 2, Button: tea.MouseLeft}) // the third row
	if r, _ := m.current().table().selected(); r.cells[0] != "delta" {
		t.Fatalf("click selected %q, want delta (rows: %v)", r.cells[0], firstCells(m))
	}
	send(m, tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if r, _ := m.current().table().selected(); r.cells[0] != "alpha" {
		t.Fatalf("wheel up: %q", r.cells[0])
	}
	send(m, tea.MouseClickMsg{X: 4, Y: top + 1, Button: tea.MouseLeft}, tea.MouseClickMsg{X: 4, Y: top + 1, Button: tea.MouseLeft})
	if _, ok := m.current().(*detailPage); !ok {
		t.Fatalf("a double click did not open the detail:\n%s", screen(m))
	}
	cfg.Mouse = false
	if v := loadedWith(t, cfg, 80, 24).View(); v.MouseMode != tea.MouseModeNone {
		t.Fatal("mouse on without --mouse")
	}
}

// TestFocusedClusterWaitsForItsScope: opening a cluster whose services the
// store does not cover yet says they are being fetched, until a snapshot
// whose Scope holds that cluster arrives — then, with none, that it has
// none. (The scope travels on the update; nothing is inferred from how
// many updates arrived.)
func TestFocusedClusterWaitsForItsScope(t *testing.T) {
	cfg := testConfig()
	cfg.FocusCluster = func(string) {}
	m := loadedWith(t, cfg, 120, 30)
	f := &feed{source: "ecs"}
	const other = "arn:aws:ecs:us-east-1:123456789012:cluster/batch"
	set := ecsSet(2, "RUNNING")
	set.Clusters = append(set.Clusters, resource.Cluster{ARN: other, Name: "batch", Status: "ACTIVE"})
	set.Scope = []string{prodARN}
	send(m, f.update(set, t0))
	press(m, "2", "g") // batch (by name: batch, prod)
	do(m, press(m, "enter"))
	mustContain(t, screen(m), "Fetching the services of batch…")
	send(m, f.update(set, t0.Add(time.Second))) // still prod's scope
	mustContain(t, screen(m), "Fetching the services of batch…")
	scoped := set
	scoped.Services, scoped.Tasks, scoped.Containers, scoped.Scope = nil, nil, nil, []string{other}
	send(m, f.update(scoped, t0.Add(2*time.Second)))
	mustContain(t, screen(m), "No services in cluster batch.")
}
