// Package portfwd keeps port forwards running in the background while the
// TUI stays usable: each forward is a process (on AWS `aws ssm
// start-session --document-name AWS-StartPortForwardingSession`, whose
// Session Manager plugin does the forwarding) that is started again, with
// a growing pause, when it exits by itself — an SSM session drops after
// its idle timeout or a network change, and someone on call expects the
// forward to still be there. A forward that needs no process (the sandbox
// publishes a task's port on 127.0.0.1 already) is listed with its address
// only. The package does no terminal I/O: the process's output is kept for
// the page to show its last line.
package portfwd

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// States of a forward.
const (
	Starting   = "starting"
	Running    = "running"
	Restarting = "restarting" // exited by itself; started again after a pause
	Stopped    = "stopped"    // stopped by the user
	Published  = "published"  // nothing runs: the port is already on 127.0.0.1
	Failed     = "failed"     // the process could not be started at all
)

// Spec is a forward to start.
type Spec struct {
	Target    string   // what is forwarded, for the page: "task 1a2b/app"
	Port      int32    // the remote (container) port
	LocalPort int32    // the port on 127.0.0.1
	Argv      []string // the process; nil for a Published forward
	Address   string   // where it answers: 127.0.0.1:LocalPort
	CLI       string   // the command line shown and copied
}

// Forward is one forward as the page shows it.
type Forward struct {
	Spec
	ID       int
	State    string
	Since    time.Time // when the current state began
	Restarts int
	// LastLine is the last line the process wrote (stdout or stderr): why
	// a session dropped, in the plugin's words.
	LastLine string
	// RetryAt is when a Restarting forward is started again.
	RetryAt time.Time
}

// Manager runs the forwards. The zero value is not usable: use New.
type Manager struct {
	// Backoff is the first pause before a restart; it doubles up to
	// MaxBackoff and starts again from Backoff after a run of at least
	// MaxBackoff (the session worked, then dropped).
	Backoff, MaxBackoff time.Duration
	now                 func() time.Time

	mu     sync.Mutex
	next   int
	list   []*entry
	closed bool
}

type entry struct {
	f      Forward
	cancel context.CancelFunc
	done   chan struct{}
	out    *lastLine // the running process's output
}

// New returns a manager with the default backoff: 1 s doubling to 30 s.
func New() *Manager {
	return &Manager{Backoff: time.Second, MaxBackoff: 30 * time.Second, now: time.Now}
}

// Start adds a forward and starts its process, if it has one.
func (m *Manager) Start(s Spec) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.next++
	e := &entry{f: Forward{Spec: s, ID: m.next, State: Published, Since: m.now()}, done: make(chan struct{})}
	m.list = append(m.list, e)
	if len(s.Argv) == 0 || m.closed {
		if len(s.Argv) > 0 {
			e.f.State = Stopped // deckhand is quitting: nothing starts now
		}
		close(e.done)
		return e.f.ID
	}
	e.f.State = Starting
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go m.supervise(ctx, e)
	return e.f.ID
}

// supervise runs the process until ctx ends, starting it again after a
// pause each time it exits.
func (m *Manager) supervise(ctx context.Context, e *entry) {
	defer close(e.done)
	pause := m.Backoff
	for {
		out := &lastLine{}
		cmd := exec.CommandContext(ctx, e.f.Argv[0], e.f.Argv[1:]...)
		cmd.Stdout, cmd.Stderr = out, out
		cmd.WaitDelay = 2 * time.Second
		began := m.now()
		err := cmd.Start()
		if err != nil {
			m.set(e, func(f *Forward) { f.State, f.LastLine = Failed, err.Error() })
			return
		}
		m.mu.Lock()
		e.out = out
		m.mu.Unlock()
		m.set(e, func(f *Forward) { f.State = Running })
		err = cmd.Wait()
		if ctx.Err() != nil {
			m.set(e, func(f *Forward) { f.State = Stopped })
			return
		}
		if m.now().Sub(began) >= m.MaxBackoff {
			pause = m.Backoff
		}
		line := out.String()
		if line == "" && err != nil {
			line = err.Error()
		}
		retry := m.now().Add(pause)
		m.set(e, func(f *Forward) {
			f.State, f.LastLine, f.RetryAt = Restarting, line, retry
			f.Restarts++
		})
		select {
		case <-ctx.Done():
			m.set(e, func(f *Forward) { f.State = Stopped })
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, m.MaxBackoff)
		m.set(e, func(f *Forward) { f.State = Starting })
	}
}

func (m *Manager) set(e *entry, change func(*Forward)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := e.f.State
	change(&e.f)
	if e.f.State != st {
		e.f.Since = m.now()
	}
}

// List is every forward, oldest first.
func (m *Manager) List() []Forward {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Forward, len(m.list))
	for i, e := range m.list {
		out[i] = e.f
		if e.f.State == Running && e.out != nil {
			// What a working session says ("Waiting for connections…").
			out[i].LastLine = cmpOr(e.out.String(), e.f.LastLine)
		}
	}
	return out
}

// Stop stops a forward's process (and waits for it to end) and removes it
// from the list; it reports whether there was such a forward.
func (m *Manager) Stop(id int) bool {
	m.mu.Lock()
	var e *entry
	for i, x := range m.list {
		if x.f.ID == id {
			e = x
			m.list = append(m.list[:i:i], m.list[i+1:]...)
			break
		}
	}
	m.mu.Unlock()
	if e == nil {
		return false
	}
	if e.cancel != nil {
		e.cancel()
	}
	<-e.done
	return true
}

// Close stops every forward; deckhand calls it as it quits, so no session
// outlives it.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closed = true
	ids := make([]int, len(m.list))
	for i, e := range m.list {
		ids[i] = e.f.ID
	}
	m.mu.Unlock()
	for _, id := range ids {
		m.Stop(id)
	}
}

// lastLine keeps the last non-empty line written to it.
type lastLine struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	last string
}

func (l *lastLine) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	for {
		i := bytes.IndexByte(l.buf.Bytes(), '\n')
		if i < 0 {
			break
		}
		if s := strings.TrimSpace(string(l.buf.Next(i + 1))); s != "" {
			l.last = s
		}
	}
	if l.buf.Len() > 4096 { // a line without end: keep its tail
		l.buf.Next(l.buf.Len() - 4096)
	}
	return len(p), nil
}

func (l *lastLine) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := strings.TrimSpace(l.buf.String()); s != "" {
		return s
	}
	return l.last
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
