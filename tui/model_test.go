package tui

import (
	"errors"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// Data handling: transitions, errors, generations, highlights, history and
// problems, fed as the watch.Update values the watchers send.

func TestEventsPaneShowsTransitions(t *testing.T) {
	m, feeds := newLoaded(t, 120, 30)
	at := t0.Add(17 * time.Second)
	web := instance("i-0aaa1111bbbb2222c", "web-1", "stopping")
	cmd := send(m, feeds["ec2"].update(ec2Set(web, instance("i-0ddd3333eeee4444f", "db-1", "stopped"),
		instance("i-0fff5555aaaa6666b", "", "running"), instance("i-0new", "new-1", "pending")), at))
	if cmd == nil {
		t.Fatal("no highlight tick scheduled after transitions")
	}
	press(m, "6")
	s := screen(m)
	mustContain(t, s, "events [3]", "20:01:20", "web-1 (i-0aaa1111bbbb2222c)", "running → stopping",
		"pending → running", "new-1 (i-0new)", "+ added (pending)")

	press(m, "/")
	typeText(m, "stopping")
	s = screen(m)
	mustContain(t, s, "events [1/3]", "running → stopping")
	mustNotContain(t, s, "pending → running")
}

func TestErrorKeepsRowsAndMarksStale(t *testing.T) {
	m, feeds := newLoaded(t, 200, 50)
	err := errors.New("ec2 DescribeInstances: UnauthorizedOperation: You are not authorized (needs ec2:DescribeInstances)")
	send(m, feeds["ec2"].fail(err, t0.Add(time.Minute)))
	s := screen(m)
	mustContain(t, s, "web-1", "db-1", // the last data stays
		"ec2 STALE 10m ago", "STALE: ec2 data from 10m ago",
		"ec2: ec2 DescribeInstances: UnauthorizedOperation: You are not authorized (needs ec2:DescribeInstances)")
	// A success clears it.
	send(m, feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "running")), t0.Add(2*time.Minute)))
	s = screen(m)
	mustNotContain(t, s, "STALE", "UnauthorizedOperation", "db-1")
}

func TestErrorBeforeAnyData(t *testing.T) {
	m := New(testConfig())
	send(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	mustContain(t, screen(m), "Fetching instances…", "ec2 loading…")
	send(m, (&feed{source: "ec2"}).fail(errors.New("boom: no route to host"), t0))
	mustContain(t, screen(m), "Could not fetch instances (ec2)", "ec2: boom: no route to host", "ec2 FAILED")
}

func TestOlderGenerationDropped(t *testing.T) {
	m := New(testConfig())
	send(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	f := &feed{source: "ecs", gen: 3}
	send(m, f.update(ecsSet(2, "RUNNING"), t0))
	old := &feed{source: "ecs", gen: 2}
	send(m, old.update(resource.Set{Kinds: []resource.Kind{resource.KindCluster}}, t0))
	press(m, "2")
	mustContain(t, screen(m), "prod", "staging")
}

func TestCursorKeepsResourceAcrossReorder(t *testing.T) {
	m, feeds := newLoaded(t, 120, 30)
	press(m, "G") // web-1, the last by name
	if r, _ := m.current().table().selected(); r.key != "i-0aaa1111bbbb2222c" {
		t.Fatalf("cursor on %s", r.key)
	}
	// A new instance sorts after db-1 and before web-1: web-1 moves down.
	send(m, feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "running"),
		instance("i-0ddd3333eeee4444f", "db-1", "stopped"), instance("i-0fff5555aaaa6666b", "", "pending"),
		instance("i-0eee", "mid-1", "running"), instance("i-0aaa", "aaa-1", "running")), t0))
	if r, _ := m.current().table().selected(); r.key != "i-0aaa1111bbbb2222c" {
		t.Fatalf("cursor moved to %s", r.key)
	}
	mustContain(t, screen(m), "5/5")
}

func TestHighlightEndsWithOneTick(t *testing.T) {
	m, feeds := newLoaded(t, 120, 30)
	if cmd := send(m, feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "running"),
		instance("i-0ddd3333eeee4444f", "db-1", "stopped"), instance("i-0fff5555aaaa6666b", "", "pending")), t0)); cmd != nil {
		t.Fatal("a tick was scheduled although nothing changed")
	}
	cmd := send(m, feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "stopping"),
		instance("i-0ddd3333eeee4444f", "db-1", "stopped"), instance("i-0fff5555aaaa6666b", "", "pending")), t0))
	if cmd == nil {
		t.Fatal("no tick to end the highlight")
	}
	mustContain(t, screen(m), "* web-1")
	// A second change while the tick is pending does not start another.
	if c := send(m, feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "stopped"),
		instance("i-0ddd3333eeee4444f", "db-1", "stopped"), instance("i-0fff5555aaaa6666b", "", "pending")), t0)); c != nil {
		t.Fatal("a second tick was scheduled while one is pending")
	}
	// The first tick ends the first batch and schedules one for the second.
	if c := send(m, highlightMsg{upTo: 1}); c == nil {
		t.Fatal("no tick for the remaining highlight")
	}
	if c := send(m, highlightMsg{upTo: 2}); c != nil {
		t.Fatal("a tick was scheduled with no highlight left")
	}
	mustNotContain(t, screen(m), "* web-1")
}

func TestDetailHistory(t *testing.T) {
	m, feeds := newLoaded(t, 160, 40)
	states := []string{"stopping", "stopped", "pending", "running"}
	for i, st := range states {
		send(m, feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", st)), t0.Add(time.Duration(i+1)*17*time.Second)))
	}
	press(m, "G", "d")
	s := screen(m)
	mustContain(t, s, "instances › web-1 (i-0aaa1111bbbb2222c)", "t3.micro", "10.0.0.12",
		"running → stopping 20:01:20 → stopped 20:01:37 (+17s) → pending 20:01:54 (+17s) → running 20:02:11 (+17s)",
		"20:01:20  running → stopping")
	press(m, "esc", "enter") // enter on an instance opens the detail too
	mustContain(t, screen(m), "instances › web-1 (i-0aaa1111bbbb2222c)")

	// Events lead to the same detail; a removed resource keeps its history.
	send(m, feeds["ec2"].update(ec2Set(), t0.Add(time.Hour)))
	press(m, "6", "enter")
	s = screen(m)
	mustContain(t, s, "No longer listed by ec2", "removed 21:01:03")
}

func TestAWSProblemAndDockerStillWorks(t *testing.T) {
	cfg := testConfig()
	cfg.AWSProblem = "no AWS credentials found: looked in AWS_PROFILE, ~/.aws/credentials and ~/.aws/config.\nRun `aws configure --profile NAME` or pass --profile / --endpoint-url."
	cfg.Identity = func(ctx contextT) (string, string, error) { panic("Identity called although AWS is unusable") }
	m := New(cfg)
	send(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	if cmd := m.Init(); cmd != nil {
		runBatch(cmd)
	}
	send(m, (&feed{source: "docker"}).update(dockerSet("running"), t0))
	for _, k := range []string{"1", "2", "3", "4"} {
		press(m, k)
		mustContain(t, screen(m), "AWS is not usable", "no AWS credentials found", "aws configure --profile NAME", "aws unavailable")
	}
	press(m, "5")
	mustContain(t, screen(m), "docker [2]", "redis", "worker")
}

func TestDockerProblem(t *testing.T) {
	cfg := testConfig()
	cfg.DockerProblem = "cannot connect to the Docker daemon at unix:///var/run/docker.sock: set DOCKER_HOST"
	m := New(cfg)
	send(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	press(m, "5")
	mustContain(t, screen(m), "Docker is not usable", "set DOCKER_HOST", "docker unavailable")
}

func TestEmptyStates(t *testing.T) {
	m := New(testConfig())
	send(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	send(m, (&feed{source: "ec2"}).update(ec2Set(), t0))
	send(m, (&feed{source: "ecs"}).update(resource.Set{Kinds: []resource.Kind{resource.KindCluster,
		resource.KindService, resource.KindTask, resource.KindContainer}}, t0))
	send(m, (&feed{source: "docker"}).update(resource.Set{Kinds: []resource.Kind{resource.KindDocker}}, t0))
	for k, want := range map[string]string{
		"1": "No EC2 instances in region us-east-1.",
		"2": "No ECS clusters in region us-east-1.",
		"3": "No services in the clusters fetched so far.",
		"4": "No tasks in the clusters fetched so far.",
		"5": "No containers on unix:///var/run/docker.sock.",
		"6": "No changes seen yet.",
	} {
		press(m, k)
		mustContain(t, screen(m), want)
		press(m, "enter", "d", "j", "G", "/") // nothing to open: no panic
		press(m, "esc")
	}
}

// TestDetailOfEveryKind opens the detail view from each pane.
func TestDetailOfEveryKind(t *testing.T) {
	for _, c := range []struct {
		keys []string
		want []string
	}{
		{[]string{"2", "d"}, []string{"clusters › prod", "cluster prod", "Active services", "2"}},
		{[]string{"3", "j", "d"}, []string{"services › web", "Rollout", "COMPLETED", "Task definition", "has reached a steady state"}},
		{[]string{"4", "j", "d"}, []string{"tasks › 3f2a9c1e", "Desired status", "Container sidecar", "STOPPED, exit 137, OutOfMemoryError"}},
		{[]string{"2", "enter", "j", "enter", "enter", "enter"}, []string{"› app", "Image", "nginx:1.27", "Exit code"}},
		{[]string{"5", "j", "enter"}, []string{"docker › worker", "Exited (1) 2 minutes ago", "local/worker:dev"}},
	} {
		m, _ := newLoaded(t, 120, 40)
		press(m, c.keys...)
		mustContain(t, screen(m), c.want...)
		press(m, "j", "G", "g", "pgdown", "k")
		checkFits(t, m, 120, 40)
	}
}

// TestDetailExplainsFailures: a failure code in a detail view comes with a
// plain explanation, and a resource with nothing to explain shows none.
func TestDetailExplainsFailures(t *testing.T) {
	m, _ := newLoaded(t, 160, 40)
	typeLine(m, ":containers\r")
	press(m, "/")
	typeText(m, "sidecar")
	press(m, "enter", "d")
	mustContain(t, screen(m), "OutOfMemoryError", "What it means", "used more memory than its limit")

	press(m, "esc", "esc", "esc")
	typeLine(m, ":instances\r")
	press(m, "d")
	mustNotContain(t, screen(m), "What it means")
}

func TestNoticeShownAtStart(t *testing.T) {
	cfg := testConfig()
	cfg.Notice = "no AWS credentials found, so this is the sandbox account"
	m := New(cfg)
	send(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	mustContain(t, status(m), "this is the sandbox account")
}
