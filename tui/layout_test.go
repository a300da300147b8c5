package tui

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"deckhand/internal/resource"
)

// goldenScreen compares the unstyled screen with testdata/<test>.golden
// (go test ./tui -run Layout -update rewrites them). Trailing spaces are
// trimmed so that the files read well in review.
func goldenScreen(t *testing.T, m *Model) {
	t.Helper()
	lines := strings.Split(screen(m), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	golden.RequireEqual(t, strings.Join(lines, "\n")+"\n")
}

// TestLayout renders every pane at 80×24 and 200×50: the key strings must
// be there, no line may be wider than the terminal, and the screen must
// fill exactly the terminal's height.
func TestLayout(t *testing.T) {
	for _, size := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"200x50", 200, 50}} {
		t.Run(size.name, func(t *testing.T) {
			for _, c := range []struct {
				name string
				keys []string
				want []string
			}{
				{"instances", nil, []string{"deckhand v0.1.0", "region us-east-1", "instances [3]", "NAME", "STATE", "web-1", "stopping", "ec2 9m ago", "? help"}},
				{"clusters", []string{"2"}, []string{"clusters [2]", "prod", "staging", "PROVISIONING"}},
				{"services", []string{"2", "enter"}, []string{"clusters › prod [2]", "api", "web", "IN_PROGRESS"}},
				{"tasks", []string{"2", "enter", "j", "enter"}, []string{"clusters › prod › web [2]", "RUNNING", "HEALTHY"}},
				{"containers", []string{"2", "enter", "j", "enter", "enter"}, []string{"clusters › prod › web › 3f2a9c1e… [2]", "sidecar", "137"}},
				{"docker", []string{"5"}, []string{"docker [2]", "redis", "exited"}},
				{"events", []string{"6"}, []string{"events [1]", "running → stopping"}},
				{"detail", []string{"G", "d"}, []string{"instances › web-1", "History (this session)", "running → stopping"}},
				{"help", []string{"?"}, []string{"› help", "refresh"}},
				{"confirm", []string{"5", "s"}, []string{"Stop container?", "redis (a1b2c3d4e5f6)", "[ No ]", "y yes"}},
				{"terminate", []string{"G", "ctrl+k"}, []string{"Terminate instance?", "Type web-1 to confirm:"}},
				{"scale", []string{"3", "j", "s"}, []string{"Scale service?", "Desired count (0–1000):"}},
			} {
				t.Run(c.name, func(t *testing.T) {
					m, feeds := newLoaded(t, size.w, size.h)
					send(m, identityMsg{"123456789012", "arn:aws:iam::123456789012:user/alice", nil})
					send(m, feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "stopping"),
						instance("i-0ddd3333eeee4444f", "db-1", "stopped"), instance("i-0fff5555aaaa6666b", "", "pending")), t0.Add(5*time.Second)))
					press(m, c.keys...)
					mustContain(t, screen(m), c.want...)
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

// TestNarrowDropsLowPriorityColumns: at 80 columns the instance table keeps
// name, id and state and drops the launch date; at 200 it shows them all.
func TestNarrowDropsLowPriorityColumns(t *testing.T) {
	m, _ := newLoaded(t, 80, 24)
	s := screen(m)
	mustContain(t, s, "NAME", "ID", "STATE", "i-0aaa1111bbbb2222c")
	mustNotContain(t, s, "LAUNCHED")
	send(m, windowSize(200, 50))
	mustContain(t, screen(m), "LAUNCHED", "PUBLIC IP", "PRIVATE IP", "AZ", "2025-03-14 17:01")
}

// TestRobustness throws awkward input at the model: tiny and zero sizes,
// empty and zero-valued resources, errors first, unknown messages. It must
// never panic and never draw outside the terminal.
func TestRobustness(t *testing.T) {
	zero := resource.Set{
		Kinds:     []resource.Kind{resource.KindInstance, resource.KindCluster, resource.KindService, resource.KindTask, resource.KindContainer, resource.KindDocker},
		Instances: []resource.Instance{{}}, Clusters: []resource.Cluster{{}}, Services: []resource.Service{{}},
		Tasks: []resource.Task{{Containers: []resource.Container{{}}}}, Docker: []resource.DockerContainer{{}},
	}
	weird := resource.Set{Kinds: []resource.Kind{resource.KindInstance, resource.KindDocker},
		Instances: []resource.Instance{{ID: "i-1", Name: "名前\x1b[31m\nnew\tline-and-a-very-long-name-that-goes-on-and-on-and-on", State: "running"}},
		Docker:    []resource.DockerContainer{{ID: "x", Name: "🙂🙂🙂", Status: "Exited (137) now", State: "exited"}},
	}
	sizes := [][2]int{{20, 5}, {1, 1}, {0, 0}, {3, 2}, {10, 9}, {80, 24}, {200, 50}, {40, 12}}
	for _, sz := range sizes {
		m := New(testConfig())
		send(m, windowSize(sz[0], sz[1]))
		f := &feed{source: "all"}
		send(m, (&feed{source: "ec2"}).fail(errors.New("first fetch failed\nwith a newline"), t0))
		send(m, f.update(zero, t0), f.update(weird, t0), f.update(resource.Set{}, t0), "unknown message", nil)
		for _, k := range []string{"1", "s", "right", "esc", "ctrl+k", "x", "esc", "S", "enter", "d", "s", "esc", "esc", "esc",
			"2", "enter", "enter", "enter", "enter", "esc", "3", "s", "x", "enter", "esc", "enter", "enter",
			"4", "enter", "d", "j", "5", "G", "g", "pgdown", "pgup", "ctrl+d", "ctrl+u", "s", "esc", "ctrl+k", "esc",
			"6", "enter", "?", "j", "G", "esc", "/", "x", "backspace", "esc", ":", "foo", "enter", ":", "tab", "esc", "ctrl+r"} {
			if len([]rune(k)) > 1 && k != "enter" && k != "esc" && k != "tab" && !strings.Contains(k, "+") && k != "backspace" && k != "pgdown" && k != "pgup" {
				typeText(m, k)
			} else {
				press(m, k)
			}
			if t.Failed() {
				return
			}
			checkFitsMsg(t, m, sz[0], sz[1], k)
		}
		send(m, windowSize(20, 5))
		checkFits(t, m, 20, 5)
	}
}

func TestNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	m, feeds := newLoaded(t, 120, 30)
	send(m, feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "stopping"),
		instance("i-0fff5555aaaa6666b", "", "pending")), t0))
	v := m.View().Content
	if regexp.MustCompile(`\x1b\[[0-9;]*[34]8;`).MatchString(v) {
		t.Fatalf("NO_COLOR set but the screen has colour sequences: %q", v)
	}
	if !strings.Contains(v, "\x1b[7m") {
		t.Fatal("the cursor row is not reversed without colour")
	}
	mustContain(t, screen(m), "> ", "* web-1") // markers survive without colour
}

func TestColorProfileWithoutColour(t *testing.T) {
	os.Unsetenv("NO_COLOR")
	m, _ := newLoaded(t, 120, 30)
	if regexp.MustCompile(`\x1b\[[0-9;]*[34]8;`).FindString(m.View().Content) == "" {
		t.Fatal("expected colour by default")
	}
	send(m, tea.BackgroundColorMsg{Color: lightBG{}})
	light := m.View().Content
	send(m, tea.BackgroundColorMsg{Color: darkBG{}})
	if light == m.View().Content {
		t.Fatal("light and dark backgrounds render the same")
	}
}

type lightBG struct{}

func (lightBG) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }

type darkBG struct{}

func (darkBG) RGBA() (r, g, b, a uint32) { return 0, 0, 0, 0xffff }
