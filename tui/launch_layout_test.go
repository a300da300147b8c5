package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"deckhand/internal/launch"
)

func TestChecklistNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	m, clk := startedRun(t, 120, 40)
	failRun(m, clk)
	v := m.View().Content
	if regexp.MustCompile(`\x1b\[[0-9;]*[34]8;`).MatchString(v) {
		t.Fatal("NO_COLOR set but the checklist has colour sequences")
	}
	mustContain(t, screen(m), "– 1/4", "✓ 2/4", "✗ 3/4", "· 4/4")
}

// TestLaunchLayout: the wizard, the review and the checklist at 80×24 and
// 200×50 (goldens: go test ./tui -run TestLaunchLayout -update).
func TestLaunchLayout(t *testing.T) {
	for _, size := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"200x50", 200, 50}} {
		t.Run(size.name, func(t *testing.T) {
			for _, c := range []struct {
				name string
				do   func(m *Model, clk *testClock)
			}{
				{"wizard", func(m *Model, _ *testClock) {
					fillWizard(m, "Web")
					press(m, "tab")
				}},
				{"review", func(m *Model, _ *testClock) { toReview(t, m, "web") }},
				{"running", func(m *Model, clk *testClock) {
					toReview(t, m, "web")
					press(m, "y")
					send(m, ev(clk, 1, "scaffold", launch.Running, "", 0), ev(clk, 1, "scaffold", launch.Done, "5 files in ./hello", 300*time.Millisecond))
					send(m, ev(clk, 2, "build", launch.Running, "", 0))
					clk.advance(17 * time.Second)
					send(m, ev(clk, 2, "build", launch.Progress, "Step 5/9 : RUN pip install --no-cache-dir -r requirements.txt", 0))
				}},
				{"failed", func(m *Model, clk *testClock) {
					toReview(t, m, "web")
					press(m, "y")
					failRun(m, clk)
				}},
				{"done", func(m *Model, clk *testClock) {
					toReview(t, m, "web")
					press(m, "y")
					for i, s := range []string{"scaffold", "build", "run", "wait"} {
						send(m, ev(clk, i+1, s, launch.Running, "", 0))
						clk.advance(time.Duration(i+1) * 1100 * time.Millisecond)
						send(m, ev(clk, i+1, s, launch.Done, "", time.Duration(i+1)*1100*time.Millisecond))
					}
					send(m, runDoneMsg{url: "http://127.0.0.1:49153/"})
				}},
			} {
				t.Run(c.name, func(t *testing.T) {
					m, _, clk := launchModel(t, size.w, size.h, false)
					c.do(m, clk)
					checkFits(t, m, size.w, size.h)
					if n := strings.Count(m.View().Content, "\n") + 1; n != size.h {
						t.Fatalf("%d lines on a %d-line terminal", n, size.h)
					}
					goldenScreen(t, m)
				})
			}
		})
	}
}

// TestLaunchPagesRobustness: the launch pages on tiny and odd terminals
// never panic and never draw outside the screen.
func TestLaunchPagesRobustness(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {3, 2}, {20, 5}, {10, 9}, {40, 12}, {0, 0}} {
		m, _, clk := launchModel(t, 120, 40, false)
		send(m, windowSize(sz[0], sz[1]))
		check := func(after string) {
			t.Helper()
			checkFitsMsg(t, m, sz[0], sz[1], after)
		}
		fillWizard(m, "Web")
		check("wizard")
		press(m, "tab", "right", "tab", "right", "enter", "up", "up", "up")
		check("wizard errors")
		press(m, "esc")
		press(m, "L")
		m.wiz.focus = fStack
		press(m, "ctrl+u")
		typeText(m, "web")
		press(m, "tab", "left", "tab", "left")
		do(m, press(m, "enter"))
		if !isPage[*review](m.current()) {
			t.Fatalf("%v: no review:\n%s", sz, screen(m))
		}
		check("review")
		press(m, "G", "j", "k", "g", "pgdown")
		check("review scrolled")
		press(m, "y")
		check("checklist")
		failRun(m, clk)
		check("failed")
		press(m, "G", "pgup", "esc", "L")
		check("after")
	}
}
