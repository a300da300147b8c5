package tui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/aws/sandbox"
	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/internal/portfwd"
)

// run runs a Cmd and delivers what it returns (each Cmd of a batch).
func run(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			run(m, c)
		}
	default:
		send(m, msg)
	}
}

// The keys of sessions on the fixture's rows, with a sandbox account as
// the planner: the fixture's cluster is not the account's, so a plan that
// runs gets the account's answer for it (the error shown is the sandbox's
// own). The shells themselves run in the tmux test (cmd/deckhand) and the
// sandbox's (aws/sandbox): they need a terminal and the engine.
func TestSessionKeys(t *testing.T) {
	acct, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer acct.Close()
	for _, c := range []struct {
		name     string
		readonly bool
		none     bool // no Sessions in the config
		taskDefs bool // the account reads task definitions too
		keys     []string
		runIt    bool // run the Cmd the keys return
		want     []string
	}{
		{name: "a task with two containers asks which", keys: []string{"4", "/", "=3f2a", "enter", "e"},
			want: []string{"Which container of task 3f2a9c1e0b7d4e5f8a6b2c3d4e5f6a7b?", "1  app  RUNNING  nginx:1.27", "2  sidecar  STOPPED  envoy:1.30", "A digit chooses; esc closes."}},
		{name: "the container picked is planned", keys: []string{"4", "/", "=3f2a", "enter", "e", "1"}, runIt: true,
			want: []string{"cannot open a shell in task 3f2a9c1e0b7d4e5f8a6b2c3d4e5f6a7b container app: ecs:DescribeTasks", "ClusterNotFoundException"}},
		{name: "a one-container task goes straight to the plan", keys: []string{"4", "/", "=1111", "enter", "e"}, runIt: true,
			want: []string{"cannot open a shell in task 11112222333344445555666677778888 container api:", "ClusterNotFoundException"}},
		{name: "an instance: an SSM session", keys: []string{"1", "/", "=web-1", "enter", "e"}, runIt: true,
			want: []string{"cannot open a shell in instance web-1 (i-0aaa1111bbbb2222c):", "InvalidInstanceID.NotFound"}},
		{name: "a container row", keys: []string{"4", "/", "=1111", "enter", "enter", "e"}, runIt: true,
			want: []string{"cannot open a shell in task 11112222333344445555666677778888 container api:"}},
		{name: "F plans a forward of the published port", keys: []string{"4", "/", "=3f2a", "enter", "F"}, runIt: true,
			want: []string{"cannot forward a port of task 3f2a9c1e0b7d4e5f8a6b2c3d4e5f6a7b/app", "ClusterNotFoundException"}},
		{name: "F without bindings reads the task definition's port", taskDefs: true, keys: []string{"4", "/", "=9b8c", "enter", "F"}, runIt: true,
			want: []string{"cannot forward a port of task 9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e/app:", "DescribeTaskDefinition"}},
		{name: "read-only refuses a shell", readonly: true, keys: []string{"4", "e"},
			want: []string{"read-only mode (--readonly): a shell is disabled"}},
		{name: "no sessions in this backend", none: true, keys: []string{"4", "e"},
			want: []string{"sessions are not available here"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Readonly = c.readonly
			if !c.none {
				cfg.Sessions = acct
			}
			if c.taskDefs {
				cfg.TaskDefs = acct
			}
			m := loadedWith(t, cfg, 140, 30)
			var cmd tea.Cmd
			for _, k := range c.keys {
				if text, ok := strings.CutPrefix(k, "="); ok {
					typeText(m, text) // typed into the filter
					continue
				}
				cmd = press(m, k)
			}
			if c.runIt {
				if cmd == nil {
					t.Fatalf("no Cmd:\n%s", screen(m))
				}
				run(m, cmd)
			}
			mustContain(t, screen(m), c.want...)
		})
	}
}

// A plan with something missing shows a box that lists it, with the
// command, and runs nothing; esc closes it.
func TestSessionMissingBox(t *testing.T) {
	m := loadedWith(t, testConfig(), 140, 36)
	argv := cloud.ECSExecArgv(cloud.CLIContext{Region: "us-east-1"}, "prod", "3f2a9c1e", "app")
	cmd := send(m, sessionReadyMsg{label: "task 3f2a9c1e container app", plan: cloud.SessionPlan{Argv: argv,
		Missing:   []string{cloud.MissingPlugin, "ECS Exec is off for task 3f2a9c1e (enableExecuteCommand is false)"},
		Unchecked: []string{"could not check the task role's ssmmessages permissions: AccessDenied"}}})
	if cmd != nil {
		t.Fatal("a plan with something missing returned a Cmd")
	}
	mustContain(t, screen(m), "Cannot open a shell in task 3f2a9c1e container app", "Missing:", "• the Session Manager plugin is not installed",
		"• ECS Exec is off for task 3f2a9c1e", "Not checked:", "AccessDenied", "$ aws ecs execute-command --cluster prod", "esc closes.")
	press(m, "esc")
	mustContain(t, screen(m), "nothing was started")
	if m.lastCLI != launch.Shell(argv...) {
		t.Errorf("y would copy %q, want the command", m.lastCLI)
	}
}

// :forwards lists a published forward (the sandbox's) and a running one
// (a real process in the plugin's place), copies the address, and stops
// the running one with s.
func TestForwardsPage(t *testing.T) {
	cfg := testConfig()
	cfg.Now = nil
	cfg.Forwards = portfwd.New()
	defer cfg.Forwards.Close()
	m := loadedWith(t, cfg, 160, 30)
	// What the Cmd does once the plan is ready: start, then report.
	spec := portfwd.Spec{Target: "task 3f2a9c1e/app", Port: 80, LocalPort: 49153, Address: "127.0.0.1:49153"}
	cfg.Forwards.Start(spec)
	run(m, send(m, forwardReadyMsg{spec: spec, plan: cloud.SessionPlan{Address: "127.0.0.1:49153"}}))
	mustContain(t, screen(m), "forwards [1]", "task 3f2a9c1e/app", "127.0.0.1:49153 → 80", "published", "s/ctrl+k stop forward")
	cmd := press(m, "y")
	mustContain(t, screen(m), "copied address: 127.0.0.1:49153")
	if cmd == nil {
		t.Error("y sent nothing to the clipboard")
	}

	cfg.Forwards.Start(portfwd.Spec{Target: "task 9b8c7d6e/app", Port: 8080, LocalPort: 18080, Address: "127.0.0.1:18080",
		Argv: []string{"sh", "-c", "echo 'Waiting for connections...'; exec sleep 60"}, CLI: "aws ssm start-session …"})
	var s string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		send(m, forwardsTickMsg{m.current().(*forwardsPage)})
		if s = screen(m); strings.Contains(s, "running") && strings.Contains(s, "Waiting for connections...") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the forward never showed running:\n%s", s)
		}
	}
	mustContain(t, s, "forwards [2]", "127.0.0.1:18080 → 8080")
	press(m, "j")
	cmd = press(m, "s")
	mustContain(t, screen(m), "stopping the forward 127.0.0.1:18080 → task 9b8c7d6e/app")
	run(m, cmd)
	mustContain(t, screen(m), "stopped the forward 127.0.0.1:18080", "forwards [1]")
	if n := len(cfg.Forwards.List()); n != 1 {
		t.Errorf("%d forwards after the stop, want 1", n)
	}
}
