package tui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/moby/moby/client"

	"deckhand/dockerops"
	"deckhand/internal/resource"
	"deckhand/internal/testbed"
)

var _ DockerLogs = (*dockerops.Engine)(nil)

// The model tests below open the logs page with a real *dockerops.Engine
// as the reader and feed the page the answers its Cmds would bring
// (logsMsg, logsTickMsg), so each step is exact; the program test at the
// end reads a real container's output through the real engine.

// loggingConfig is testConfig with a Docker log reader. Making an Engine
// does not connect; the model tests never run its Cmds.
// logsOn is the logs page on screen (nil when none is).
func logsOn(m *Model) *logView {
	lv, _ := m.current().(*logView)
	return lv
}

func loggingConfig(t testing.TB) Config {
	t.Helper()
	e, err := dockerops.New(dockerops.Options{Host: "unix:///var/run/docker.sock"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	cfg := testConfig()
	cfg.Logs.Docker = e
	return cfg
}

// logFixture is n numbered lines a second apart from t0; line 195 is
// long enough to be cut at 200 columns.
func logFixture(n int) []logLine {
	out := make([]logLine, n)
	for i := range out {
		out[i] = logLine{at: t0.Add(time.Duration(i) * time.Second), text: fmt.Sprintf("line %03d: GET /health 200", i+1)}
		if i == 194 {
			out[i].text += " " + strings.Repeat("long-", 50) + "END"
		}
	}
	return out
}

// openDockerLogs opens the logs of the docker pane's first row (redis)
// and returns the page's fetch Cmd.
func openDockerLogs(t testing.TB, m *Model) tea.Cmd {
	t.Helper()
	cmd := press(m, "5", "l")
	if cmd == nil || logsOn(m) == nil {
		t.Fatalf("l opened no logs page:\n%s", screen(m))
	}
	return cmd
}

// answer delivers a fetch's result to the logs page on screen.
func answer(m *Model, lines []logLine, err error) tea.Cmd {
	return send(m, logsMsg{logsOn(m).id, lines, err})
}

func TestLogsPageKeys(t *testing.T) {
	for _, c := range []struct {
		name      string
		keys      []string
		typed     string
		want, not []string
	}{
		{"opens at the newest", nil, "", []string{"docker › logs redis [200]", "20:04:22  line 200", "fetched 20:11:03"}, []string{"line 001", "newer lines"}},
		{"page up leaves the tail", []string{"pgup"}, "", []string{"newer lines — G jumps to the newest"}, []string{"line 200"}},
		{"g goes to the oldest", []string{"g"}, "", []string{"line 001", "newer lines"}, []string{"line 200"}},
		{"G back to the newest", []string{"g", "G"}, "", []string{"line 200"}, []string{"line 001"}},
		{"f follows from the newest", []string{"g", "f"}, "", []string{"line 200", "following"}, []string{"line 001"}},
		{"filter narrows", []string{"/"}, "line 00", []string{"[9/200]", "/line 00", "line 009"}, []string{"line 010"}},
		{"filter kept after enter", []string{"/", "enter"}, "line 19", []string{"[10/200]", "line 199"}, []string{"line 200"}},
		{"esc clears the filter first", []string{"/", "enter", "esc"}, "line 19", []string{"[200]", "line 200"}, []string{"/line 19"}},
		{"long line cut with …", nil, "", []string{"200 long-long-", "lon…"}, []string{"END", "wrapped"}},
		{"w wraps", []string{"w"}, "", []string{"wrapped", "long-END"}, nil},
		{"esc goes back", []string{"esc"}, "", []string{"docker [2]", "redis", "l logs"}, []string{"docker › logs"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := loadedWith(t, loggingConfig(t), 200, 50)
			openDockerLogs(t, m)
			answer(m, logFixture(200), nil)
			for _, k := range c.keys {
				press(m, k)
				if k == "/" {
					typeText(m, c.typed)
				}
			}
			s := screen(m)
			mustContain(t, s, c.want...)
			mustNotContain(t, s, c.not...)
			checkFits(t, m, 200, 50)
		})
	}
}

// TestLogsFollow: a tick is scheduled only while the page is open and
// follows, and never two fetches or two ticks at once.
func TestLogsFollow(t *testing.T) {
	m := loadedWith(t, loggingConfig(t), 120, 30)
	openDockerLogs(t, m)
	id := logsOn(m).id
	steps := []struct {
		name string
		do   func() tea.Cmd
		want string // "fetch", "tick" or "" (nothing runs)
	}{
		{"first answer, not following", func() tea.Cmd { return answer(m, logFixture(3), nil) }, ""},
		{"f follows: fetch now", func() tea.Cmd { return press(m, "f") }, "fetch"},
		{"ctrl+r while fetching", func() tea.Cmd { return press(m, "ctrl+r") }, ""},
		{"answer while following", func() tea.Cmd { return answer(m, logFixture(4), nil) }, "tick"},
		{"tick fetches", func() tea.Cmd { return send(m, logsTickMsg{id}) }, "fetch"},
		{"answer schedules the next tick", func() tea.Cmd { return answer(m, logFixture(5), nil) }, "tick"},
		{"f stops following", func() tea.Cmd { return press(m, "f") }, ""},
		{"the pending tick ends it", func() tea.Cmd { return send(m, logsTickMsg{id}) }, ""},
		{"f again", func() tea.Cmd { return press(m, "f") }, "fetch"},
		{"esc leaves the page", func() tea.Cmd { return press(m, "esc") }, ""},
		{"a late answer is dropped", func() tea.Cmd { return send(m, logsMsg{id, logFixture(6), nil}) }, ""},
		{"a late tick is dropped", func() tea.Cmd { return send(m, logsTickMsg{id}) }, ""},
	}
	for _, s := range steps {
		cmd := s.do()
		got := ""
		if cmd != nil {
			// Which Cmd it is shows in the page's flags: a fetch in
			// flight, or a tick scheduled with none in flight.
			got = "fetch"
			if lv := m.openLogView(id); lv != nil && lv.ticking && !lv.fetching {
				got = "tick"
			}
		}
		if got != s.want {
			t.Fatalf("%s: got %q, want %q", s.name, got, s.want)
		}
	}
	if n := len(m.stack); n != 1 {
		t.Errorf("%d pages on the stack after esc, want 1", n)
	}
}

// TestLogsSaysWhy: a source without lines says why in plain words.
func TestLogsSaysWhy(t *testing.T) {
	for _, c := range []struct {
		name  string
		state string
		feed  bool
		err   error
		want  string
	}{
		{"fetching", "running", false, nil, "Fetching the last 200 lines of container redis…"},
		{"not started", "created", true, nil, "The container has not started, so it has written nothing yet."},
		{"silent", "running", true, nil, "The container has written nothing to stdout or stderr yet."},
		{"error", "running", true, errors.New("docker logs a1b2c3d4e5f6: No such container: a1b2c3d4e5f6"),
			"No logs for container redis: docker logs a1b2c3d4e5f6: No such container"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := New(loggingConfig(t))
			send(m, windowSize(120, 30), (&feed{source: "docker"}).update(dockerSet(c.state), t0))
			openDockerLogs(t, m)
			if c.feed {
				answer(m, nil, c.err)
			}
			mustContain(t, screen(m), c.want)
		})
	}
	t.Run("no engine", func(t *testing.T) {
		m := loadedWith(t, testConfig(), 120, 30)
		if cmd := press(m, "5", "l"); cmd != nil {
			t.Fatal("l started a fetch without a reader")
		}
		mustContain(t, screen(m), "no logs for redis: no Docker engine", "docker [2]")
	})
}

// TestLogsLayout: the logs page, following, at its tail (line 195 cut
// with …) and scrolled up a page, at 80×24 and 200×50.
func TestLogsLayout(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 50}} {
		for _, c := range []struct {
			name string
			keys []string
		}{{"tail", nil}, {"scrolled", []string{"pgup"}}} {
			t.Run(fmt.Sprintf("%dx%d/%s", sz[0], sz[1], c.name), func(t *testing.T) {
				m := loadedWith(t, loggingConfig(t), sz[0], sz[1])
				openDockerLogs(t, m)
				press(m, "f")
				answer(m, logFixture(200), nil)
				press(m, c.keys...)
				mustContain(t, screen(m), "docker › logs redis [200]", "following", "esc back", "f follow")
				checkFits(t, m, sz[0], sz[1])
				if n := strings.Count(m.View().Content, "\n") + 1; n != sz[1] {
					t.Fatalf("%d lines on a %d-line terminal", n, sz[1])
				}
				goldenScreen(t, m)
			})
		}
	}
}

// tickerMain prints a numbered line every 100 ms until SIGTERM.
const tickerMain = `package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	t := time.NewTicker(100 * time.Millisecond)
	for i := 1; ; i++ {
		fmt.Printf("tick %d\n", i)
		select {
		case <-sig:
			return
		case <-t.C:
		}
	}
}
`

// TestProgramFollowsRealContainerLogs opens the logs of a real container
// that keeps printing, then follows them: newer lines arrive by
// themselves, through the engine, every 2 s.
func TestProgramFollowsRealContainerLogs(t *testing.T) {
	c := testbed.Docker(t)
	e, err := dockerops.New(dockerops.Options{Host: c.DaemonHost()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	b := make([]byte, 4)
	rand.Read(b)
	name := "deckhand-test-tui-logs-" + hex.EncodeToString(b)
	tag := programImage(t, e, c, name, tickerMain)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id, err := e.Run(ctx, dockerops.RunOptions{Image: tag, Name: name})
	if id != "" {
		t.Cleanup(func() {
			c.ContainerRemove(context.Background(), id, client.ContainerRemoveOptions{Force: true})
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	waitLog(t, e, id, "tick ")
	xs, err := e.Containers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Now = nil
	cfg.Logs.Docker = e
	p := &probe{Model: New(cfg)}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(120, 30))
	tm.Send((&feed{source: "docker"}).update(resource.Set{Kinds: []resource.Kind{resource.KindDocker}, Docker: xs}, time.Now()))
	keys(tm, "5", "/")
	tm.Type(name)
	keys(tm, "enter")
	waitScreen(t, p, "docker [1/", name)
	keys(tm, "l")
	// The breadcrumb cuts the name at 30 cells.
	waitScreen(t, p, "docker › logs deckhand-test-tui-logs-", "tick ")
	first := newestTick(t, p)
	keys(tm, "f")
	waitScreen(t, p, "following")
	deadline := time.Now().Add(10 * time.Second)
	for newestTick(t, p) < first+10 {
		if time.Now().After(deadline) {
			t.Fatalf("following showed no newer line than tick %d:\n%s", first, p.frame.Load())
		}
		time.Sleep(50 * time.Millisecond)
	}
	finish(t, tm)
}

var tickRE = regexp.MustCompile(`tick (\d+)`)

// newestTick is the highest tick number on the last frame.
func newestTick(t *testing.T, p *probe) int {
	t.Helper()
	s, _ := p.frame.Load().(string)
	n := 0
	for _, m := range tickRE.FindAllStringSubmatch(s, -1) {
		if v, _ := strconv.Atoi(m[1]); v > n {
			n = v
		}
	}
	return n
}
