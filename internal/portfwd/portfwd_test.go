package portfwd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The supervisor is tested with small real programs in the plugin's place:
// one that exits as a dropped session does, one that keeps running as a
// working session does, one that cannot start. What is checked is the
// supervisor (restarts, backoff, states, stop), not AWS.

func waitFor(t *testing.T, m *Manager, id int, what string, ok func(Forward) bool) Forward {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, f := range m.List() {
			if f.ID == id && ok(f) {
				return f
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("forward %d never %s: %+v", id, what, m.List())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSupervisor(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	for _, tc := range []struct {
		name string
		argv []string
		// want is checked on the forward once it holds.
		what string
		want func(Forward) bool
		// running: the process must be alive until Stop, then gone.
		running bool
	}{
		{name: "a session that drops is restarted, with its last words",
			argv: []string{"sh", "-c", "echo 'Cannot perform start session: EOF'; exit 1"},
			what: "restarted twice",
			want: func(f Forward) bool {
				return f.Restarts >= 2 && f.LastLine == "Cannot perform start session: EOF"
			}},
		{name: "a working session keeps running",
			argv: []string{"sh", "-c", "echo $$ > " + pidFile + "; echo 'Waiting for connections...'; exec sleep 300"},
			what: "running", running: true,
			want: func(f Forward) bool {
				return f.State == Running && f.Restarts == 0 && f.LastLine == "Waiting for connections..."
			}},
		{name: "a program that is not there fails once",
			argv: []string{filepath.Join(dir, "no-such-plugin")},
			what: "failed",
			want: func(f Forward) bool { return f.State == Failed && strings.Contains(f.LastLine, "no-such-plugin") }},
		{name: "no process: published",
			what: "published",
			want: func(f Forward) bool { return f.State == Published && f.Address == "127.0.0.1:8080" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New()
			m.Backoff, m.MaxBackoff = 50*time.Millisecond, 200*time.Millisecond
			id := m.Start(Spec{Target: "task t/app", Port: 8080, LocalPort: 8080, Argv: tc.argv, Address: "127.0.0.1:8080"})
			waitFor(t, m, id, tc.what, tc.want)
			var pid int
			if tc.running {
				data, err := os.ReadFile(pidFile)
				if err != nil {
					t.Fatal(err)
				}
				pid, _ = strconv.Atoi(strings.TrimSpace(string(data)))
				if err := syscall.Kill(pid, 0); err != nil {
					t.Fatalf("the session's process %d is not alive: %v", pid, err)
				}
			}
			if !m.Stop(id) {
				t.Fatal("Stop found no forward")
			}
			if n := len(m.List()); n != 0 {
				t.Fatalf("after Stop %d forwards are listed", n)
			}
			if pid != 0 {
				// exec.CommandContext kills it; Stop waited for Wait.
				if err := syscall.Kill(pid, 0); err == nil {
					t.Fatalf("the session's process %d outlived Stop", pid)
				}
			}
			if m.Stop(id) {
				t.Fatal("a second Stop found the forward again")
			}
		})
	}
}

// The pause before a restart doubles up to MaxBackoff: each restart seen
// is checked against its number (a poll may miss some).
func TestSupervisorBackoffGrows(t *testing.T) {
	m := New()
	m.Backoff, m.MaxBackoff = 40*time.Millisecond, 160*time.Millisecond
	id := m.Start(Spec{Argv: []string{"sh", "-c", "exit 3"}})
	defer m.Close()
	pauses := map[int]time.Duration{}
	for seen := 0; seen < 5; {
		f := waitFor(t, m, id, "restarting again", func(f Forward) bool { return f.State == Restarting && f.Restarts > seen })
		seen = f.Restarts
		pauses[seen] = f.RetryAt.Sub(f.Since).Round(10 * time.Millisecond)
		if f.LastLine != "exit status 3" {
			t.Fatalf("last line %q, want the exit status", f.LastLine)
		}
	}
	for n, got := range pauses {
		want := min(40*time.Millisecond<<(n-1), 160*time.Millisecond)
		if got != want {
			t.Errorf("pause before restart %d = %v, want %v (all %v)", n, got, want, pauses)
		}
	}
}

// Close (deckhand quitting) stops every forward's process, and nothing
// starts after it.
func TestCloseStopsEveryForward(t *testing.T) {
	dir := t.TempDir()
	m := New()
	var ids []int
	for i := range 2 {
		pidFile := filepath.Join(dir, strconv.Itoa(i))
		ids = append(ids, m.Start(Spec{Argv: []string{"sh", "-c", "echo $$ > " + pidFile + "; exec sleep 300"}}))
	}
	var pids []int
	for i, id := range ids {
		waitFor(t, m, id, "running", func(f Forward) bool { return f.State == Running })
		pidFile := filepath.Join(dir, strconv.Itoa(i))
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			data, _ := os.ReadFile(pidFile)
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
				pids = append(pids, pid)
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the process wrote no pid")
			}
		}
	}
	m.Close()
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("process %d outlived Close", pid)
		}
	}
	if n := len(m.List()); n != 0 {
		t.Errorf("%d forwards listed after Close", n)
	}
	id := m.Start(Spec{Argv: []string{"sh", "-c", "exec sleep 300"}})
	if f := m.List(); len(f) != 1 || f[0].ID != id || f[0].State != Stopped {
		t.Errorf("a forward started after Close: %+v, want it stopped", f)
	}
}
