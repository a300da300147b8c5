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
// presses, and wait for the output. The renderer redraws only the cells
// that changed, so each wait looks for text that the step newly draws.

func startProgram(t *testing.T, w, h int) (*teatest.TestModel, map[string]*feed) {
	t.Helper()
	tm := teatest.NewTestModel(t, New(testConfig()), teatest.WithInitialTermSize(w, h))
	feeds := map[string]*feed{"ec2": {source: "ec2"}, "ecs": {source: "ecs"}, "docker": {source: "docker"}}
	tm.Send(feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "running"),
		instance("i-0ddd3333eeee4444f", "db-1", "stopped")), t0))
	tm.Send(feeds["ecs"].update(ecsSet(2, "RUNNING"), t0))
	tm.Send(feeds["docker"].update(dockerSet("running"), t0))
	waitFor(t, tm, "i-0aaa1111bbbb2222c", "i-0ddd3333eeee4444f")
	return tm, feeds
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
	return screen(tm.FinalModel(t).(*Model))
}

func TestProgramPaneNavigation(t *testing.T) {
	tm, _ := startProgram(t, 120, 30)
	keys(tm, "tab")
	waitFor(t, tm, "PROVISIONING")
	keys(tm, "3")
	waitFor(t, tm, "IN_PROGRESS")
	tm.Type(":docker")
	keys(tm, "enter")
	waitFor(t, tm, "redis:7", "local/worker:dev")
	keys(tm, "shift+tab")
	waitFor(t, tm, "tasks [3]")
	keys(tm, "6")
	waitFor(t, tm, "No changes seen yet.")
	mustContain(t, finish(t, tm), "events [0]")
}

func TestProgramDrillDown(t *testing.T) {
	tm, _ := startProgram(t, 120, 30)
	keys(tm, "2", "enter")
	waitFor(t, tm, "› prod [2]", "IN_PROGRESS")
	keys(tm, "j", "enter")
	waitFor(t, tm, "› web [2]", "3f2a9c1e0b7d4e5f8a6b2c3d4e5f6a7b")
	keys(tm, "enter")
	waitFor(t, tm, "› 3f2a9c1e…", "OutOfMemoryError")
	keys(tm, "esc")
	waitFor(t, tm, "3f2a9c1e0b7d4e5f8a6b2c3d4e5f6a7b")
	keys(tm, "esc", "esc")
	waitFor(t, tm, "PROVISIONING")
	s := finish(t, tm)
	mustContain(t, s, "clusters [2]")
	mustNotContain(t, s, "›")
}

func TestProgramFilter(t *testing.T) {
	tm, _ := startProgram(t, 120, 30)
	keys(tm, "/")
	tm.Type("db")
	waitFor(t, tm, "/db", "1/2]", "run / keep filter")
	keys(tm, "enter")
	s := finish(t, tm)
	mustContain(t, s, "instances [1/2]  /db", "db-1")
	mustNotContain(t, s, "web-1")
}

func TestProgramHelp(t *testing.T) {
	tm, _ := startProgram(t, 120, 40)
	keys(tm, "?")
	waitFor(t, tm, "ctrl+r", "refresh", "shift+tab", "previous pane", ":instances")
	keys(tm, "esc")
	waitFor(t, tm, "i-0aaa1111bbbb2222c")
	finish(t, tm)
}

func TestProgramEventsShowTransition(t *testing.T) {
	tm, feeds := startProgram(t, 120, 30)
	keys(tm, "6")
	waitFor(t, tm, "No changes seen yet.")
	tm.Send(feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "stopping"),
		instance("i-0ddd3333eeee4444f", "db-1", "stopped")), t0.Add(17*time.Second)))
	waitFor(t, tm, "running → stopping", "20:01:20")
	mustContain(t, finish(t, tm), "events [1]", "web-1 (i-0aaa1111bbbb2222c)", "running → stopping")
}

func TestProgramErrorKeepsRows(t *testing.T) {
	tm, feeds := startProgram(t, 120, 30)
	tm.Send(feeds["ec2"].fail(errors.New("ec2 DescribeInstances: RequestExpired: request has expired (check the clock)"), t0.Add(time.Minute)))
	waitFor(t, tm, "RequestExpired", "STALE")
	s := finish(t, tm)
	mustContain(t, s, "web-1", "db-1", "STALE: ec2 data from 10m ago", "ec2: ec2 DescribeInstances: RequestExpired")
}

func TestProgramUnknownCommand(t *testing.T) {
	tm, _ := startProgram(t, 120, 30)
	tm.Type(":foo")
	keys(tm, "enter")
	waitFor(t, tm, "unknown command :foo", ":instances")
	finish(t, tm)
}

func TestProgramQuit(t *testing.T) {
	tm, _ := startProgram(t, 80, 24)
	tm.Type(":q") // typing q in the command line must not quit…
	waitFor(t, tm, "complete command")
	keys(tm, "backspace", "backspace")
	waitFor(t, tm, "? help") // still running after the q, back to browsing
	keys(tm, "q")            // …q outside it does
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if _, ok := tm.FinalModel(t).(*Model); !ok {
		t.Fatal("final model is not the root model")
	}
}

// TestProgramNoTickWhenIdle: with nothing changing, the program must not
// keep rendering (no spinner, no clock tick). A highlight schedules one tick
// that ends it and then stops.
func TestProgramNoTickWhenIdle(t *testing.T) {
	var views countingModel
	views.Model = New(testConfig())
	tm := teatest.NewTestModel(t, &views, teatest.WithInitialTermSize(80, 24))
	f := &feed{source: "ec2"}
	tm.Send(f.update(ec2Set(instance("i-1", "a", "running")), t0))
	waitFor(t, tm, "i-1")
	time.Sleep(300 * time.Millisecond)
	keys(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	// Size, background colour, colour profile, the update and the key:
	// a handful of messages, not a stream.
	if n := views.updates.Load(); n > 12 {
		t.Fatalf("%d messages while idle for 300ms: something ticks", n)
	}
}

type countingModel struct {
	*Model
	updates atomic.Int64
}

func (c *countingModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	c.updates.Add(1)
	_, cmd := c.Model.Update(msg)
	return c, cmd
}
