package tui

import (
	"context"
	"os/exec"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/dockerops"
	"deckhand/internal/resource"
)

// The Docker capabilities beyond start, stop and remove, one small
// interface each, so a backend offers what it has; *dockerops.Engine
// implements them all. The changing ones sit in Actions (nil = not
// offered; --readonly disables their keys); the reading ones in DockerTools.

// DockerRestarter restarts containers and compose projects.
type DockerRestarter interface {
	Restart(ctx context.Context, id string, timeout time.Duration) error
	ProjectAction(ctx context.Context, project, verb string, timeout time.Duration) error
}

// ImageActions removes images.
type ImageActions interface {
	DeleteImage(ctx context.Context, ref string, force bool) error
	PruneDangling(ctx context.Context, labels ...string) (dockerops.PruneReport, error)
}

// VolumeNetworkActions removes unused volumes and networks.
type VolumeNetworkActions interface {
	RemoveVolume(ctx context.Context, name string) error
	RemoveNetwork(ctx context.Context, id string) error
}

// DockerTools read the engine for the inspect page, the live stats and
// the shell; a nil field is not offered.
type DockerTools struct {
	Inspect interface {
		Inspect(ctx context.Context, kind resource.Kind, id string) (string, error)
	}
	Stats interface {
		StreamStats(ctx context.Context, id string, fn func(dockerops.Stats)) error
	}
	Exec interface {
		ExecCommand(id string) (*exec.Cmd, error)
		ExecArgs(id string) []string
	}
}

// Messages of the Docker tools.
type (
	execReadyMsg struct {
		cmd   *exec.Cmd
		err   error
		label string
	}
	execDoneMsg struct {
		label string
		err   error
	}
)

// dockerKey handles the Docker keys that change nothing and so need no
// confirmation: inspect and exec (exec is still disabled by --readonly: a
// shell can change anything). ok is false when msg is not one of them.
func (m *Model) dockerKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := &m.keys
	pk, it := m.current().subject(m)
	switch {
	case k.Inspect.offeredOn(pk) && k.Inspect.hasKey(msg):
		if m.cfg.Docker.Inspect == nil {
			m.fail("inspect is not available here: no Docker engine")
			return nil, true
		}
		if it == nil {
			m.warn("nothing selected to inspect")
			return nil, true
		}
		return m.openInspect(pk, it), true
	case k.Exec.offeredOn(pk) && k.Exec.hasKey(msg):
		return m.execShell(it), true
	}
	return nil, false
}

// execShell suspends the TUI for `docker exec -it` in the container; the
// page stack is untouched, so the same page is back when the shell exits.
// Finding the CLI is a stat of PATH, so it runs in a Cmd too.
func (m *Model) execShell(it resource.Item) tea.Cmd {
	a := &m.keys.Exec
	if !a.Enabled() {
		m.fail("read-only mode (--readonly): " + a.verb + " a container is disabled")
		return nil
	}
	api := m.cfg.Docker.Exec
	if api == nil {
		m.fail("exec is not available here: no Docker engine")
		return nil
	}
	x, ok := it.(resource.DockerContainer)
	if !ok {
		m.warn("nothing selected to open a shell in")
		return nil
	}
	label := clean(x.Label())
	if x.State != "running" {
		m.warn("cannot open a shell in " + label + ": it is " + x.State + " (a shell needs a running container)")
		return nil
	}
	id := x.ID
	m.info("opening a shell in " + label + ": " + shellQuote(api.ExecArgs(id)))
	return func() tea.Msg {
		cmd, err := api.ExecCommand(id)
		return execReadyMsg{cmd: cmd, err: err, label: label}
	}
}

// execReady runs the prepared shell in the foreground.
func (m *Model) execReady(msg execReadyMsg) tea.Cmd {
	if msg.err != nil {
		m.fail("cannot open a shell in " + msg.label + ": " + clean(msg.err.Error()))
		return nil
	}
	label := msg.label
	return tea.ExecProcess(msg.cmd, func(err error) tea.Msg { return execDoneMsg{label: label, err: err} })
}

func (m *Model) execDone(msg execDoneMsg) {
	if msg.err != nil {
		m.fail("the shell in " + msg.label + " ended: " + clean(msg.err.Error()))
		return
	}
	m.info("the shell in " + msg.label + " ended")
}

// dockerHints are the Docker keys the hint line offers on a pane of kind
// pk, when the backend has them.
func (m *Model) dockerHints(pk resource.Kind) []*action {
	var out []*action
	if a := &m.keys.Inspect; a.offeredOn(pk) && m.cfg.Docker.Inspect != nil {
		out = append(out, a)
	}
	if a := &m.keys.Exec; a.offeredOn(pk) && m.cfg.Docker.Exec != nil {
		out = append(out, a)
	}
	return out
}
