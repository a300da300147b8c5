package tui

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// These tests run the real root model in a real Bubble Tea program
// (teatest), sending it the watch.Update values the watchers send and key
// presses. Two ways of waiting: teatest.WaitFor on the ANSI-stripped output
// stream, for text a step draws afresh (the renderer redraws only changed
// cells, so text that shares cells with the previous frame can arrive in
// pieces); and waitScreen on the last frame the program rendered, captured
// by a thin wrapper, for exact assertions such as breadcrumbs.

// probe wraps the root model to capture each rendered frame and count
// messages; it changes nothing else.
type probe struct {
	*Model
	frame    atomic.Value // string: the last View, without styles
	messages atomic.Int64
}

func (p *probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	p.messages.Add(1)
	_, cmd := p.Model.Update(msg)
	return p, cmd
}

func (p *probe) View() tea.View {
	v := p.Model.View()
	p.frame.Store(ansi.Strip(v.Content))
	return v
}

func startProgram(t *testing.T, w, h int) (*teatest.TestModel, *probe, map[string]*feed) {
	t.Helper()
	return startProgramWith(t, testConfig(), w, h)
}

func startProgramWith(t *testing.T, cfg Config, w, h int) (*teatest.TestModel, *probe, map[string]*feed) {
	t.Helper()
	p := &probe{Model: New(cfg)}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(w, h))
	feeds := map[string]*feed{"ec2": {source: "ec2"}, "ecs": {source: "ecs"}, "docker": {source: "docker"}}
	tm.Send(feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "running"),
		instance("i-0ddd3333eeee4444f", "db-1", "stopped")), t0))
	tm.Send(feeds["ecs"].update(ecsSet(2, "RUNNING"), t0))
	tm.Send(feeds["docker"].update(dockerSet("running"), t0))
	waitFor(t, tm, "i-0aaa1111bbbb2222c", "i-0ddd3333eeee4444f")
	return tm, p, feeds
}

// waitFor waits until every string has been drawn since the last wait.
func waitFor(t *testing.T, tm *teatest.TestModel, wants ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		s := ansi.Strip(string(b))
		for _, w := range wants {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// waitScreen waits until the last rendered frame contains every string.
func waitScreen(t *testing.T, p *probe, wants ...string) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		last, _ = p.frame.Load().(string)
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(last, w)
		}
		if ok {
			return
		}
	}
	t.Fatalf("screen never showed %q; last frame:\n%s", wants, last)
}

func keys(tm *teatest.TestModel, ks ...string) {
	for _, k := range ks {
		tm.Send(keyMsg(k))
	}
}

// finish quits with q and returns the final screen.
func finish(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	keys(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	return screen(tm.FinalModel(t).(*probe).Model)
}

func TestProgramPaneNavigation(t *testing.T) {
	tm, p, _ := startProgram(t, 120, 30)
	keys(tm, "tab")
	waitFor(t, tm, "PROVISIONING")
	waitScreen(t, p, "clusters [2]")
	keys(tm, "3")
	waitFor(t, tm, "IN_PROGRESS")
	waitScreen(t, p, "services [2]")
	tm.Type(":docker")
	keys(tm, "enter")
	waitFor(t, tm, "redis:7", "local/worker:dev")
	waitScreen(t, p, "docker [2]")
	keys(tm, "shift+tab")
	waitScreen(t, p, "tasks [3]")
	keys(tm, "6")
	waitFor(t, tm, "No changes seen yet.")
	mustContain(t, finish(t, tm), "events [0]")
}

func TestProgramDrillDown(t *testing.T) {
	tm, p, _ := startProgram(t, 120, 30)
	keys(tm, "2", "enter")
	waitFor(t, tm, "IN_PROGRESS")
	waitScreen(t, p, "clusters › prod [2]")
	keys(tm, "j", "enter")
	waitFor(t, tm, "3f2a9c1e0b7d4e5f8a6b2c3d4e5f6a7b")
	waitScreen(t, p, "clusters › prod › web [2]")
	keys(tm, "enter")
	waitFor(t, tm, "OutOfMemoryError")
	waitScreen(t, p, "clusters › prod › web › 3f2a9c1e… [2]", "sidecar", "envoy:1.30")
	keys(tm, "esc")
	waitScreen(t, p, "clusters › prod › web [2]")
	keys(tm, "esc", "esc")
	waitScreen(t, p, "clusters [2]", "PROVISIONING")
	s := finish(t, tm)
	mustContain(t, s, "clusters [2]")
	mustNotContain(t, s, "›")
}

func TestProgramFilter(t *testing.T) {
	tm, p, _ := startProgram(t, 120, 30)
	keys(tm, "/")
	tm.Type("db")
	waitFor(t, tm, "run / keep filter")
	waitScreen(t, p, "instances [1/2]  /db", "db-1")
	keys(tm, "enter")
	s := finish(t, tm)
	mustContain(t, s, "instances [1/2]  /db", "db-1")
	mustNotContain(t, s, "web-1")
}

func TestProgramHelp(t *testing.T) {
	tm, p, _ := startProgram(t, 120, 40)
	keys(tm, "?")
	waitFor(t, tm, "ctrl+r", "shift+tab", ":instances")
	waitScreen(t, p, "instances › help", "refresh the current pane's source now", "previous pane")
	keys(tm, "esc")
	waitScreen(t, p, "instances [2]")
	finish(t, tm)
}

func TestProgramEventsShowTransition(t *testing.T) {
	tm, p, feeds := startProgram(t, 120, 30)
	keys(tm, "6")
	waitFor(t, tm, "No changes seen yet.")
	tm.Send(feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "stopping"),
		instance("i-0ddd3333eeee4444f", "db-1", "stopped")), t0.Add(17*time.Second)))
	waitFor(t, tm, "running → stopping")
	waitScreen(t, p, "events [1]", "20:01:20", "web-1 (i-0aaa1111bbbb2222c)", "running → stopping")
	finish(t, tm)
}

func TestProgramErrorKeepsRows(t *testing.T) {
	tm, p, feeds := startProgram(t, 120, 30)
	tm.Send(feeds["ec2"].fail(errors.New("ec2 DescribeInstances: RequestExpired: request has expired (check the clock)"), t0.Add(time.Minute)))
	waitFor(t, tm, "RequestExpired", "STALE")
	waitScreen(t, p, "web-1", "db-1", "ec2 STALE 10m ago", "STALE: ec2 data from 10m ago",
		"ec2: ec2 DescribeInstances: RequestExpired: request has expired (check the clock)")
	finish(t, tm)
}

func TestProgramUnknownCommand(t *testing.T) {
	tm, p, _ := startProgram(t, 120, 30)
	tm.Type(":foo")
	keys(tm, "enter")
	waitFor(t, tm, "unknown")
	waitScreen(t, p, "unknown command :foo — try :instances :clusters :services :tasks :containers :docker :compose :images :volumes :networks", ":help", ":quit")
	finish(t, tm)
}

func TestProgramQuit(t *testing.T) {
	tm, p, _ := startProgram(t, 80, 24)
	tm.Type(":q") // typing q in the command line must not quit…
	waitScreen(t, p, "complete command")
	keys(tm, "backspace", "backspace")
	waitScreen(t, p, "? help") // still running after the q, back to browsing
	keys(tm, "q")              // …q outside it does
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestProgramNoTickWhenIdle: with nothing changing, the program must not
// keep receiving messages (no spinner, no clock tick). A highlight
// schedules one tick that ends it, and then nothing more.
func TestProgramNoTickWhenIdle(t *testing.T) {
	tm, p, feeds := startProgram(t, 80, 24)
	time.Sleep(300 * time.Millisecond)
	idle := p.messages.Load()
	time.Sleep(300 * time.Millisecond)
	if n := p.messages.Load() - idle; n != 0 {
		t.Fatalf("%d messages while idle for 300ms: something ticks", n)
	}
	// A change is highlighted; the highlight ends with one tick (5 s in
	// real time, so only its scheduling is checked here).
	tm.Send(feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "stopping"),
		instance("i-0ddd3333eeee4444f", "db-1", "stopped")), t0))
	waitScreen(t, p, "* web-1")
	finish(t, tm)
}
