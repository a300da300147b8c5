package tui

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// Actions are the changes deckhand can make from the UI, one capability per
// backend. A nil field means the backend does not offer it: its keys then
// say "not available here" instead of opening a dialog, and the hint line
// leaves them out.
type Actions struct {
	Instances cloud.InstanceActions // nil = not offered
	ECS       cloud.ECSWriter       // nil = not offered
	Docker    DockerActions         // nil = not offered
	// The Docker actions on the images, volumes, networks and compose
	// pages, and restart (docker_caps.go).
	Restart         DockerRestarter
	Images          ImageActions
	VolumesNetworks VolumeNetworkActions
}

// DockerActions changes local Docker containers; *dockerops.Engine
// implements it.
type DockerActions interface {
	Start(ctx context.Context, id string) error
	Stop(ctx context.Context, id string, timeout time.Duration) error
	Remove(ctx context.Context, id string, force bool) error
}

const (
	// actionTimeout bounds one action call. It is well above the Docker
	// stop grace period, which the call waits out.
	actionTimeout = 30 * time.Second
	// dockerStopGrace is the time between SIGTERM and SIGKILL, as `docker
	// stop` has by default.
	dockerStopGrace = 10 * time.Second
)

// job is one action on one resource. It is decided in Update, from the
// resource as the user saw it when pressing the key (a dialog keeps it, so
// a refresh that reorders rows cannot change what is confirmed), and run in
// a tea.Cmd.
type job struct {
	verb   string // start, stop, terminate, remove, scale
	label  string // the resource as the flash names it: "web-1 (i-0abc…)"
	source string // the watcher to refresh afterwards: ec2, ecs, docker
	done   string // the success flash; "" = "<verb> requested for <label>"
	cli    string // the equivalent aws or docker command, shown in its dialog and copyable
	run    func(ctx context.Context) error
	after  func(m *Model) // on success, in Update (reboot marks the instance)
}

// jobDoneMsg is the result of a job's call.
type jobDoneMsg struct {
	j   job
	err error
}

// offered reports whether the backend behind resources of kind k
// implements actions, and names that backend.
func (m *Model) offered(k resource.Kind) (bool, string) {
	a := m.cfg.Actions
	switch k {
	case resource.KindInstance:
		return a.Instances != nil, "EC2"
	case resource.KindCluster, resource.KindService, resource.KindTask:
		return a.ECS != nil, "ECS"
	case resource.KindDocker:
		return a.Docker != nil, "Docker"
	}
	if ok, docker := m.dockerOffered(k); docker {
		return ok, "Docker"
	}
	return false, ""
}

// paneActions are the resource actions the hint line offers on the current
// pane: bound there and backed by the backend.
func (m *Model) paneActions() []*action {
	if md := m.mode(); md != modeTable && md != modeDetail {
		return nil
	}
	pk, _ := m.current().subject(m)
	var out []*action
	if ok, _ := m.offered(pk); ok {
		for _, a := range m.keys.resource() {
			if a.offeredOn(pk) {
				out = append(out, a)
			}
		}
	}
	if c := &m.keys.Create; c.offeredOn(pk) && m.cfg.Create != nil {
		out = append(out, c)
	}
	if l := &m.keys.Logs; l.offeredOn(pk) && m.logsOffered(pk) {
		out = append(out, l)
	}
	out = append(out, m.ecsOpsHints(pk)...)
	out = append(out, m.sessionHints(pk)...)
	out = append(out, m.ec2Hints(pk)...)
	return append(out, m.dockerHints(pk)...)
}

// actionKey handles a resource action's key on the current pane; ok is
// false when msg is not one.
func (m *Model) actionKey(msg tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	if cmd, ok := m.dockerKey(msg); ok {
		return cmd, true
	}
	if cmd, ok := m.ecsOpsKey(msg); ok { // ecs_ops.go
		return cmd, true
	}
	pk, it := m.current().subject(m)
	for _, a := range m.keys.resource() {
		if !a.offeredOn(pk) || !a.hasKey(msg) {
			continue
		}
		if p, ok := m.current().(*listPage); ok && len(p.tbl.marked) > 0 {
			return m.requestMarked(a, pk, p), true
		}
		return m.request(a, pk, it), true
	}
	return nil, false
}

// request checks, in the order a user needs to hear it, whether the action
// may run: read-only mode, a backend that can do it, a resource, a state
// that allows it. Then it opens the confirmation or starts the job.
func (m *Model) request(a *action, pk resource.Kind, it resource.Item) tea.Cmd {
	if !m.allowed(a, pk) {
		return nil
	}
	if it == nil {
		if p, ok := m.current().(*detailPage); ok {
			m.warn("cannot " + a.verb + " " + p.crumb() + ": it is no longer listed")
		} else {
			m.warn("nothing selected to " + a.verb)
		}
		return nil
	}
	j, d, why, ok := m.plan(a, it)
	if !ok {
		return nil
	}
	switch {
	case why != "":
		m.warn("cannot " + a.verb + " " + j.label + ": " + why)
	case d != nil:
		d.verb = j.verb
		m.dlg = d
	default:
		return m.launch(j)
	}
	return nil
}

// plan is the job of action a on it, its dialog and why it cannot run;
// ok is false when a does not apply to it.
func (m *Model) plan(a *action, it resource.Item) (j job, d *dialog, why string, ok bool) {
	switch x := it.(type) {
	case resource.Instance:
		j, d, why = m.planInstance(a, x)
	case resource.Task:
		j, d, why = m.planTask(x)
	case resource.Service:
		switch a {
		case &m.keys.Delete:
			j, d, why = m.planDeleteService(x)
		case &m.keys.Rollback:
			j, d, why = m.planRollback(x)
		default:
			j, d, why = m.planScale(x)
		}
	case resource.Cluster:
		j, d, why = m.planDeleteCluster(x)
	case resource.DockerContainer:
		j, d, why = m.planDockerAll(a, x)
	case resource.DockerImage:
		j, d, why = m.planImage(a, x)
	case resource.DockerVolume:
		j, d, why = m.planVolume(a, x)
	case resource.DockerNetwork:
		j, d, why = m.planNetwork(a, x)
	case resource.ComposeProject:
		j, d, why = m.planProject(a, x)
	default:
		return j, nil, "", false
	}
	return j, d, why, true
}

// allowed says, when it is not, why action a cannot run on kind pk: read-only
// mode, or a backend without actions.
func (m *Model) allowed(a *action, pk resource.Kind) bool {
	if !a.Enabled() {
		m.fail("read-only mode (--readonly): " + a.verb + " is disabled")
		return false
	}
	if ok, backend := m.offered(pk); !ok {
		m.fail(a.verb + " is not available here: the " + backend + " backend offers no actions")
		return false
	}
	return true
}

// gerunds name an action in progress.
var gerunds = map[string]string{
	"start": "starting", "stop": "stopping", "terminate": "terminating",
	"remove": "removing", "scale": "scaling", "delete": "deleting", "roll back": "rolling back", "reboot": "rebooting", "restart": "restarting", "prune": "pruning",
}

// launch runs a job in a Cmd with a timeout. On success it asks the
// resource's watcher to fetch now, so the transition (running → stopping…)
// shows within a moment rather than at the next slow poll.
func (m *Model) launch(j job) tea.Cmd {
	m.info(gerunds[j.verb] + " " + j.label + "…")
	if j.cli != "" {
		m.lastCLI = j.cli
	}
	refresh := m.cfg.Refresh
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		err := j.run(ctx)
		if err == nil && refresh != nil {
			refresh(j.source)
		}
		return jobDoneMsg{j, err}
	}
}

// jobDone reports a job's result in the flash line. The adapters' errors
// already name the operation, the AWS code and the IAM permission needed.
func (m *Model) jobDone(msg jobDoneMsg) {
	j := msg.j
	if msg.err != nil {
		text := clean(msg.err.Error())
		if errors.Is(msg.err, context.DeadlineExceeded) {
			text += " (no answer within " + actionTimeout.String() + ")"
		}
		m.fail(j.verb + " " + j.label + " failed: " + text)
		return
	}
	if j.after != nil {
		j.after(m)
	}
	if j.done != "" {
		m.info(j.done)
		return
	}
	m.info(j.verb + " requested for " + j.label)
}
