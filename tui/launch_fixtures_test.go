package tui

import (
	"context"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/launch"
)

type fakePlanner struct {
	mu       sync.Mutex
	requests []launch.Request
	destroys []string
	ran      bool
	cloud    bool // plan fargate and ec2 too (as local); else they are refused
}

func (f *fakePlanner) steps(stack string) []launch.Step {
	run := func(context.Context, *launch.Output) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.ran = true
		return nil
	}
	return []launch.Step{
		{Name: "scaffold", Summary: "Write a Flask project named " + stack + " into ./hello", Run: run,
			Resources: []launch.Resource{{Action: "create", Kind: "file", Name: "hello/app.py"}, {Action: "create", Kind: "file", Name: "hello/Dockerfile"}},
			Commands:  []string{"deckhand scaffold ./hello --name " + stack}},
		{Name: "build", Summary: "Build deckhand/" + stack + ":latest from ./hello", Run: run,
			Resources: []launch.Resource{{Action: "create", Kind: "docker image", Name: "deckhand/" + stack + ":latest"}},
			Commands:  []string{"docker build --label deckhand.stack=" + stack + " --build-arg BASE_IMAGE=deckhand/python-base:bookworm -t deckhand/" + stack + ":latest ./hello"}},
		{Name: "run", Summary: "Run deckhand-" + stack + " on 127.0.0.1, a free port", Run: run,
			Resources: []launch.Resource{{Action: "replace", Kind: "docker container", Name: "deckhand-" + stack + " (the stack's previous one, if any)"},
				{Action: "create", Kind: "docker container", Name: "deckhand-" + stack}},
			Commands: []string{"docker run -d --name deckhand-" + stack + " -p 127.0.0.1::5000 deckhand/" + stack + ":latest"}},
		{Name: "wait", Summary: "Wait until deckhand-" + stack + " answers HTTP and is healthy", Run: run},
	}
}

func (f *fakePlanner) PlanLaunch(req launch.Request) ([]launch.Step, func() string, error) {
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.mu.Unlock()
	if req.Target != launch.TargetLocal && !f.cloud {
		return nil, nil, launch.TargetUnavailable(req.Target)
	}
	return f.steps(req.Stack), func() string { return "http://127.0.0.1:49153/" }, nil
}

func (f *fakePlanner) PlanDestroy(_ context.Context, stack, target string) ([]launch.Step, error) {
	f.mu.Lock()
	f.destroys = append(f.destroys, stack+" "+target)
	f.mu.Unlock()
	if stack == "empty" {
		return nil, nil
	}
	return []launch.Step{
		{Name: "rm deckhand-" + stack, Summary: "Remove container deckhand-" + stack + " (0123456789ab, running)",
			Resources: []launch.Resource{{Action: "delete", Kind: "docker container", Name: "deckhand-" + stack}},
			Commands:  []string{"docker rm -f deckhand-" + stack}},
		{Name: "rmi deckhand/" + stack + ":latest", Summary: "Remove image deckhand/" + stack + ":latest",
			Resources: []launch.Resource{{Action: "delete", Kind: "docker image", Name: "deckhand/" + stack + ":latest"}},
			Commands:  []string{"docker rmi deckhand/" + stack + ":latest"}},
	}, nil
}

// clock is a settable test clock.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time               { return c.t }
func (c *testClock) advance(d time.Duration)      { c.t = c.t.Add(d) }
func (c *testClock) at(d time.Duration) time.Time { return c.t.Add(d) }

// launchModel is a loaded model with the fake planner and a settable clock.
func launchModel(t *testing.T, w, h int, readonly bool) (*Model, *fakePlanner, *testClock) {
	t.Helper()
	m, _ := newLoaded(t, w, h)
	fp, clk := &fakePlanner{}, &testClock{t: fixedNow()}
	m.cfg.Launcher, m.cfg.Now, m.cfg.Readonly = fp, clk.now, readonly
	m.keys.setReadonly(readonly)
	return m, fp, clk
}

// do runs cmd as the program would and feeds its message back; Batches
// and Cmds that would start a run are not run.
func do(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	if msg := cmd(); msg != nil {
		send(m, msg)
	}
}

// fillWizard opens the wizard and types a valid stack name.
func fillWizard(m *Model, stack string) {
	press(m, "L")
	typeText(m, stack)
}

// review opens the review of a valid launch of stack.
func toReview(t *testing.T, m *Model, stack string) {
	t.Helper()
	fillWizard(m, stack)
	do(m, press(m, "enter"))
	mustContain(t, screen(m), "Plan: launch "+stack+" on local")
}
