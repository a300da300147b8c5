package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/moby/moby/client"

	"deckhand/dockerops"
	"deckhand/internal/launch"
	"deckhand/internal/testbed"
	"deckhand/internal/watch"
	"deckhand/scaffold"
	"deckhand/tui"
)

// frames wraps the root model to keep the last rendered screen, without
// styles, for assertions; it changes nothing else.
type frames struct {
	*tui.Model
	last atomic.Value // string
}

func (f *frames) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := f.Model.Update(msg)
	return f, cmd
}

func (f *frames) View() tea.View {
	v := f.Model.View()
	f.last.Store(ansi.Strip(v.Content))
	return v
}

// waitScreen waits until the last frame has every string and returns it.
func (f *frames) waitScreen(t *testing.T, d time.Duration, wants ...string) string {
	t.Helper()
	var last string
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		last, _ = f.last.Load().(string)
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(last, w)
		}
		if ok {
			return last
		}
	}
	t.Fatalf("screen never showed %q within %v; last frame:\n%s", wants, d, last)
	return ""
}

func press(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		switch k {
		case "enter":
			tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
		case "tab":
			tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
		case "esc":
			tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
		case "ctrl+u":
			tm.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
		default:
			tm.Type(k)
		}
	}
}

// TestTUILaunchAndDestroyOnRealEngine takes an empty directory to a
// running Flask service through the TUI, as a user would: the wizard, the
// review, the checklist until the URL shows; the Docker pane shows the
// container (its watcher runs as in deckhand); then :destroy removes it.
func TestTUILaunchAndDestroyOnRealEngine(t *testing.T) {
	c := testbed.Docker(t)
	const base = "deckhand/python-base:bookworm"
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if _, err := c.ImageInspect(ctx, base); err != nil {
		testbed.Missing(t, "the image "+base, "build it with scripts/python-base-image (the README's test command does so as root)")
	}
	eng, err := dockerops.New(dockerops.Options{Host: c.DaemonHost()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	b := make([]byte, 4)
	rand.Read(b)
	stack := "tui" + hex.EncodeToString(b)
	dir := filepath.Join(t.TempDir(), "hello") // missing: the launch scaffolds it
	p := planner{eng: eng}
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), time.Minute)
		defer ccancel()
		if steps, err := p.PlanDestroy(cctx, stack, launch.TargetLocal); err == nil {
			launch.Execute(cctx, steps, nil)
		}
	})

	// The wiring of run.go: the same planner, the Docker actions, and the
	// Docker watcher sending its snapshots to the program.
	var tm *teatest.TestModel
	var watcher atomic.Pointer[watch.Watcher]
	cfg := tui.Config{
		Version: "test", DockerHost: eng.Host(), AWSProblem: "not used in this test",
		Launcher: p, Actions: tui.Actions{Docker: eng},
		Refresh: func(string) {
			if w := watcher.Load(); w != nil {
				w.Refresh()
			}
		},
	}
	f := &frames{Model: tui.New(cfg)}
	tm = teatest.NewTestModel(t, f, teatest.WithInitialTermSize(160, 40))
	src := eng.Source()
	src.Start(ctx)
	w := watch.New(src, watch.Config{Fast: time.Second, Slow: 30 * time.Second}, func(u watch.Update) { tm.Send(u) })
	watcher.Store(w)
	go w.Run(ctx)

	// Stack name, then target (local), deploy (a directory), directory,
	// scaffold (on), base image; enter plans.
	press(tm, "L")
	f.waitScreen(t, 5*time.Second, "Launch a service")
	press(tm, stack, "tab", "tab", "tab", "ctrl+u", dir, "tab", "tab", base, "enter")
	f.waitScreen(t, 10*time.Second, "Plan: launch "+stack+" on local", "1. scaffold", "$ docker build", "[ No ]")
	press(tm, "y")
	screen := f.waitScreen(t, 4*time.Minute, stack+" is running at http://127.0.0.1:")
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(screen)
	for _, want := range []string{"✓ 1/6 scaffold", "✓ 2/6 build", "✓ 3/6 run", "✓ 6/6 check", "done in"} {
		if !strings.Contains(screen, want) {
			t.Errorf("checklist lacks %q:\n%s", want, screen)
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != scaffold.WelcomeText(stack) {
		t.Errorf("GET %s: %s %q, want 200 with the welcome text", url, resp.Status, body)
	}

	// The Docker pane lists the container the launch made, live.
	press(tm, "esc", "5")
	f.waitScreen(t, 30*time.Second, "deckhand-"+stack, "running")

	press(tm, ":", "destroy "+stack, "enter")
	f.waitScreen(t, 30*time.Second, "Plan: destroy "+stack+" on local", "rm deckhand-"+stack, "[ No ]")
	press(tm, "y")
	f.waitScreen(t, 2*time.Minute, "Destroy "+stack+" on local  done in")
	if _, err := c.ContainerInspect(ctx, "deckhand-"+stack, client.ContainerInspectOptions{}); err == nil {
		t.Error("the container is still there after :destroy")
	}
	press(tm, "esc")
	f.waitScreen(t, 30*time.Second, "docker [")
	if s, _ := f.last.Load().(string); strings.Contains(s, "deckhand-"+stack) {
		// The watcher is event-driven: the removal shows within moments.
		f.waitScreenGone(t, 30*time.Second, "deckhand-"+stack)
	}
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// waitScreenGone waits until the last frame no longer has s.
func (f *frames) waitScreenGone(t *testing.T, d time.Duration, s string) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if last, _ = f.last.Load().(string); !strings.Contains(last, s) {
			return
		}
	}
	t.Fatalf("screen still shows %q after %v:\n%s", s, d, last)
}
