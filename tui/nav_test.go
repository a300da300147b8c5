package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// These tests drive the root model through Update and read View, with the
// messages the program receives: key presses and watch.Update values. This
// file covers keys, panes, drill-down, the command line and the filter.

func title(m *Model) string {
	lines := strings.Split(screen(m), "\n")
	return lines[2]
}

func TestPaneSwitching(t *testing.T) {
	m, _ := newLoaded(t, 120, 30)
	steps := []struct {
		keys  []string
		typed string
		want  string
	}{
		{want: "instances [3]"},
		{keys: []string{"tab"}, want: "clusters [2]"},
		{keys: []string{"tab"}, want: "services [2]"},
		{keys: []string{"tab"}, want: "tasks [3]"},
		{keys: []string{"tab"}, want: "docker [2]"},
		{keys: []string{"tab"}, want: "events [0]"},
		{keys: []string{"tab"}, want: "instances [3]"},
		{keys: []string{"shift+tab"}, want: "events [0]"},
		{keys: []string{"1"}, want: "instances [3]"},
		{keys: []string{"5"}, want: "docker [2]"},
		{keys: []string{"2"}, want: "clusters [2]"},
		{typed: ":docker\r", want: "docker [2]"},
		{typed: ":ev\r", want: "events [0]"},
		{typed: ":containers\r", want: "containers [4]"},
		{typed: ":ec2\r", want: "instances [3]"},
	}
	for i, s := range steps {
		press(m, s.keys...)
		typeLine(m, s.typed)
		if got := title(m); !strings.HasPrefix(got, s.want) {
			t.Fatalf("step %d: title %q, want prefix %q", i, got, s.want)
		}
	}
}

// typeLine types text, where '\r' is enter.
func typeLine(m *Model, s string) {
	for _, r := range s {
		if r == '\r' {
			press(m, "enter")
			continue
		}
		typeText(m, string(r))
	}
}

func TestDrillDownAndBack(t *testing.T) {
	cfg := testConfig()
	var focused []string
	cfg.FocusCluster = func(arn string) { focused = append(focused, arn) }
	m := New(cfg)
	send(m, tea.WindowSizeMsg{Width: 160, Height: 40})
	f := &feed{source: "ecs"}
	send(m, f.update(ecsSet(2, "RUNNING"), t0))

	press(m, "2")
	press(m, "j") // staging
	press(m, "k") // prod
	cmd := press(m, "enter")
	if len(focused) != 0 {
		t.Fatal("FocusCluster was called inside Update; it must run in a Cmd")
	}
	if cmd == nil {
		t.Fatal("entering a cluster returned no Cmd to focus the ECS watcher")
	}
	cmd()
	if len(focused) != 1 || focused[0] != prodARN {
		t.Fatalf("FocusCluster calls %q, want [%s]", focused, prodARN)
	}
	s := screen(m)
	mustContain(t, s, "clusters › prod [2]", "api", "web", "IN_PROGRESS", "COMPLETED", "web:12",
		"20:01:03 (service web) has reached a steady state.")

	press(m, "j", "enter") // web
	s = screen(m)
	mustContain(t, s, "clusters › prod › web [2]", "3f2a9c1e0b7d4e5f8a6b2c3d4e5f6a7b", "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e")
	mustNotContain(t, s, "11112222333344445555666677778888") // api's task

	// Tasks are newest first; both were created at the same time, so by ARN.
	press(m, "enter")
	s = screen(m)
	mustContain(t, s, "clusters › prod › web › 3f2a9c1e… [2]", "app", "sidecar", "nginx:1.27", "137", "OutOfMemoryError")

	press(m, "j", "enter") // the sidecar container: a leaf, so its detail
	s = screen(m)
	mustContain(t, s, "clusters › prod › web › 3f2a9c1e… › sidecar", "Exit code", "137", "History (this session)")

	press(m, "esc")
	mustContain(t, title(m), "clusters › prod › web › 3f2a9c1e…")
	press(m, "esc")
	mustContain(t, title(m), "clusters › prod › web [2]")
	press(m, "esc")
	mustContain(t, title(m), "clusters › prod [2]")
	cmd = press(m, "esc")
	mustContain(t, title(m), "clusters [2]")
	if cmd == nil {
		t.Fatal("leaving the cluster returned no Cmd to unfocus the ECS watcher")
	}
	cmd()
	if len(focused) != 2 || focused[1] != "" {
		t.Fatalf("FocusCluster calls %q, want a final \"\"", focused)
	}
	press(m, "esc") // nothing left to go back to: stays
	mustContain(t, title(m), "clusters [2]")
}

func TestFilter(t *testing.T) {
	m, _ := newLoaded(t, 120, 30)
	press(m, "/")
	typeText(m, "WEB")
	s := screen(m)
	mustContain(t, s, "instances [1/3]  /WEB", "web-1")
	mustNotContain(t, s, "db-1")
	press(m, "enter") // keep the filter
	mustContain(t, title(m), "/WEB")
	press(m, "esc") // clears the filter
	s = screen(m)
	mustContain(t, s, "instances [3]", "db-1", "web-1")

	press(m, "/")
	typeText(m, "nothing-matches")
	mustContain(t, screen(m), "No rows match /nothing-matches")
	press(m, "esc")
	mustContain(t, screen(m), "db-1")
}

func TestQuit(t *testing.T) {
	m, _ := newLoaded(t, 80, 24)
	isQuit := func(cmd tea.Cmd) bool {
		if cmd == nil {
			return false
		}
		_, ok := cmd().(tea.QuitMsg)
		return ok
	}
	press(m, "/")
	if isQuit(press(m, "q")) {
		t.Fatal("q quit while typing a filter")
	}
	press(m, "esc", ":")
	if isQuit(press(m, "q")) {
		t.Fatal("q quit while typing a command")
	}
	if !isQuit(press(m, "enter")) {
		t.Fatal(":q did not quit")
	}
	if !isQuit(press(m, "q")) {
		t.Fatal("q did not quit")
	}
	if !isQuit(press(m, "ctrl+c")) {
		t.Fatal("ctrl+c did not quit")
	}
	press(m, "/")
	if !isQuit(press(m, "ctrl+c")) {
		t.Fatal("ctrl+c did not quit while typing")
	}
}

func TestHelpOverlay(t *testing.T) {
	m, _ := newLoaded(t, 200, 50)
	press(m, "?")
	s := screen(m)
	mustContain(t, s, "› help", "ctrl+r", "refresh", "shift+tab", ":instances", ":tasks", ":images", "1  instances", "6  events")
	press(m, "esc")
	mustNotContain(t, screen(m), "› help")
	press(m, "?", "?")
	mustNotContain(t, screen(m), "› help")
}

func TestUnknownCommand(t *testing.T) {
	m, _ := newLoaded(t, 200, 50)
	typeLine(m, ":foo\r")
	mustContain(t, screen(m), "unknown command :foo", ":instances", ":clusters", ":docker", ":events", ":quit")
	press(m, "j")
	mustNotContain(t, screen(m), "unknown command") // a key clears the flash
}

func TestCommandCompletion(t *testing.T) {
	m, _ := newLoaded(t, 120, 30)
	press(m, ":")
	typeText(m, "do")
	press(m, "tab")
	if got := m.input.value(); got != "docker" {
		t.Fatalf("completed %q, want docker", got)
	}
	press(m, "enter")
	mustContain(t, title(m), "docker [2]")
	press(m, ":")
	typeText(m, "c")
	mustContain(t, screen(m), "(clusters containers compose create)")
	press(m, "backspace", "backspace") // an empty command line closes
	if m.input.active() {
		t.Fatal("backspace on an empty command line did not close it")
	}
}

func TestCommandsRunInCmds(t *testing.T) {
	cfg := testConfig()
	var refreshed []string
	cfg.Refresh = func(s string) { refreshed = append(refreshed, s) }
	var identity int
	cfg.Identity = func(contextT) (string, string, error) {
		identity++
		return "123456789012", "arn:aws:iam::123456789012:user/alice", nil
	}
	m := New(cfg)
	send(m, tea.WindowSizeMsg{Width: 200, Height: 50})
	init := m.Init()
	if identity != 0 {
		t.Fatal("Identity called outside a Cmd")
	}
	for _, msg := range runBatch(init) {
		send(m, msg)
	}
	if identity != 1 {
		t.Fatalf("Identity called %d times", identity)
	}
	mustContain(t, screen(m), "acct 123456789012", "arn:aws:iam::123456789012:user/alice")

	cmd := press(m, "ctrl+r")
	if len(refreshed) != 0 || cmd == nil {
		t.Fatal("Refresh must be called from the returned Cmd")
	}
	cmd()
	press(m, "5")
	press(m, "ctrl+r")()
	press(m, "6")
	press(m, "ctrl+r")()
	if fmt.Sprint(refreshed) != "[ec2 docker ]" {
		t.Fatalf("refreshed %q", refreshed)
	}
}

// runBatch runs a Cmd and the Cmds of a batch, returning their messages.
func runBatch(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runBatch(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}
