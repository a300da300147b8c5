package tui

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/internal/portfwd"
	"deckhand/internal/resource"
)

// Interactive sessions: e opens a shell in a task's container (ECS Exec)
// or on an instance (SSM), F forwards a task's port. The backend plans
// each (cloud.Sessions: the command line and what is missing for it); a
// plan with something missing is shown in a box that says what and how to
// fix it, and nothing runs. A shell suspends the TUI (tea.ExecProcess) and
// comes back to the same page; a forward runs in the background
// (portfwd) and is listed on :forwards.

// sessionTimeout bounds a plan's describe calls.
const sessionTimeout = 30 * time.Second

// sessionKey handles e and F on tasks, containers and instances; ok is
// false when msg is neither here.
func (m *Model) sessionKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := &m.keys
	pk, it := m.current().subject(m)
	switch {
	case k.Shell.offeredOn(pk) && k.Shell.hasKey(msg):
		return m.openShell(it), true
	case k.Forward.offeredOn(pk) && k.Forward.hasKey(msg):
		return m.openForward(it), true
	}
	return nil, false
}

// sessionHints are e and F where the backend has sessions, and the stop
// key on :forwards.
func (m *Model) sessionHints(pk resource.Kind) []*action {
	if pk == kindForward {
		return []*action{&m.keys.StopForward}
	}
	if m.cfg.Sessions == nil {
		return nil
	}
	var out []*action
	for _, a := range []*action{&m.keys.Shell, &m.keys.Forward} {
		if a.offeredOn(pk) {
			out = append(out, a)
		}
	}
	return out
}

// sessions is the backend's planner, or nil after saying why there is none.
func (m *Model) sessions() cloud.Sessions {
	if m.cfg.Sessions == nil {
		m.fail("sessions are not available here: " + cmpOr(m.cfg.AWSProblem, "this backend has none"))
	}
	return m.cfg.Sessions
}

func (m *Model) openShell(it resource.Item) tea.Cmd {
	if !m.keys.Shell.Enabled() {
		m.fail("read-only mode (--readonly): a shell is disabled (it can change anything)")
		return nil
	}
	api := m.sessions()
	if api == nil {
		return nil
	}
	switch x := it.(type) {
	case resource.Instance:
		t := cloud.SessionTarget{InstanceID: x.ID}
		return m.planShell("instance "+clean(x.Label()), func(ctx context.Context) (cloud.SessionPlan, error) { return api.SSMPlan(ctx, t) })
	case resource.Task:
		if len(x.Containers) > 1 {
			m.pickContainer(x, func(c resource.Container) tea.Cmd { return m.shellIn(api, x.ClusterARN, c) })
			return nil
		}
		c := resource.Container{TaskARN: x.ARN}
		if len(x.Containers) == 1 {
			c = x.Containers[0]
		}
		return m.shellIn(api, x.ClusterARN, c)
	case resource.Container:
		return m.shellIn(api, m.taskOf(x.TaskARN).ClusterARN, x)
	}
	m.warn("nothing selected to open a shell in")
	return nil
}

func (m *Model) shellIn(api cloud.Sessions, cluster string, c resource.Container) tea.Cmd {
	t := cloud.SessionTarget{ClusterARN: cluster, TaskARN: c.TaskARN, Container: c.Name}
	label := "task " + lastSegment(c.TaskARN)
	if c.Name != "" {
		label += " container " + clean(c.Name)
	}
	return m.planShell(label, func(ctx context.Context) (cloud.SessionPlan, error) { return api.ExecPlan(ctx, t) })
}

// pickContainer asks which container of the task (a digit picks).
func (m *Model) pickContainer(x resource.Task, then func(resource.Container) tea.Cmd) {
	cs := x.Containers[:min(len(x.Containers), 9)]
	d := &dialog{title: "Which container of task " + x.ID + "?", verb: "shell", closed: "no container chosen"}
	for i, c := range cs {
		d.lines = append(d.lines, strconv.Itoa(i+1)+"  "+clean(c.Name)+"  "+clean(c.LastStatus)+"  "+clean(c.Image))
	}
	d.lines = append(d.lines, "", "A digit chooses; esc closes.")
	d.pick = func(i int) tea.Cmd {
		if i < 0 || i >= len(cs) {
			return nil
		}
		m.dlg = nil
		return then(cs[i])
	}
	m.dlg = d
}

// taskOf is the task of a container from the store (its cluster), or a
// task named by the ARN alone (arn:…:task/CLUSTER/ID) when it has gone.
func (m *Model) taskOf(arn string) resource.Task {
	if t, ok := m.data.lookup(rkey{resource.KindTask, arn}).(resource.Task); ok {
		return t
	}
	t := resource.Task{ARN: arn, ID: lastSegment(arn)}
	if parts := strings.Split(arn, "/"); len(parts) == 3 {
		t.ClusterARN = parts[1]
	}
	return t
}

// sessionReadyMsg is a plan, with the process to run when nothing is
// missing.
type sessionReadyMsg struct {
	label string
	plan  cloud.SessionPlan
	cmd   *exec.Cmd
	err   error
}

// planShell plans the shell in a Cmd (describe calls, a PATH lookup).
func (m *Model) planShell(label string, plan func(context.Context) (cloud.SessionPlan, error)) tea.Cmd {
	m.info("checking what a shell in " + label + " needs…")
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
		defer cancel()
		p, err := plan(ctx)
		msg := sessionReadyMsg{label: label, plan: p, err: err}
		if err == nil && len(p.Missing) == 0 && len(p.Argv) > 0 {
			path, lerr := exec.LookPath(p.Argv[0])
			if lerr != nil {
				msg.plan.Missing = append(msg.plan.Missing, "`"+p.Argv[0]+"` is not on PATH")
			} else {
				msg.cmd = exec.Command(path, p.Argv[1:]...)
			}
		}
		return msg
	}
}

func (msg sessionReadyMsg) apply(m *Model) tea.Cmd {
	if msg.err != nil {
		m.fail("cannot open a shell in " + msg.label + ": " + clean(msg.err.Error()))
		return nil
	}
	cli := ""
	if len(msg.plan.Argv) > 0 {
		cli = launch.Shell(msg.plan.Argv...)
		m.lastCLI = cli
	}
	if msg.cmd == nil {
		m.dlg = missingDialog("Cannot open a shell in "+msg.label, msg.plan, cli)
		return nil
	}
	m.info("a shell in " + msg.label + ": " + cli)
	label, notes := msg.label, msg.plan.Unchecked
	return tea.ExecProcess(msg.cmd, func(err error) tea.Msg { return sessionDoneMsg{label, notes, err} })
}

// missingDialog says what a session lacks and how to fix each; it has no
// button: esc closes it and nothing runs.
func missingDialog(title string, p cloud.SessionPlan, cli string) *dialog {
	d := &dialog{title: title, verb: "session", closed: "nothing was started", danger: true}
	if len(p.Missing) > 0 {
		d.lines = append(d.lines, "Missing:")
		for _, s := range p.Missing {
			d.lines = append(d.lines, "• "+s)
		}
	}
	if len(p.Unchecked) > 0 {
		d.lines = append(d.lines, "Not checked:")
		for _, s := range p.Unchecked {
			d.lines = append(d.lines, "• "+s)
		}
	}
	if cli != "" {
		d.lines = append(d.lines, "", "$ "+cli)
	}
	d.lines = append(d.lines, "", "esc closes.")
	d.pick = func(int) tea.Cmd { return nil }
	return d
}

type sessionDoneMsg struct {
	label string
	notes []string // what could not be checked: a likely cause when it failed
	err   error
}

func (msg sessionDoneMsg) apply(m *Model) tea.Cmd {
	if msg.err != nil {
		s := "the shell in " + msg.label + " ended: " + clean(msg.err.Error())
		if len(msg.notes) > 0 {
			s += " (not checked: " + clean(strings.Join(msg.notes, "; ")) + ")"
		}
		m.fail(s)
		return nil
	}
	m.info("the shell in " + msg.label + " ended")
	return nil
}

// forwardReadyMsg is a forward's plan.
type forwardReadyMsg struct {
	spec portfwd.Spec
	plan cloud.SessionPlan
	err  error
}

// openForward plans a forward of the container's port: the first port it
// publishes, else the first of its task definition.
func (m *Model) openForward(it resource.Item) tea.Cmd {
	api := m.sessions()
	if api == nil {
		return nil
	}
	var task resource.Task
	var c resource.Container
	switch x := it.(type) {
	case resource.Task:
		task = x
		for i, ct := range x.Containers {
			if i == 0 || (len(c.NetworkBindings) == 0 && len(ct.NetworkBindings) > 0) {
				c = ct
			}
		}
	case resource.Container:
		task, c = m.taskOf(x.TaskARN), x
	default:
		m.warn("nothing selected to forward a port of")
		return nil
	}
	if c.Name == "" {
		m.warn("task " + task.ID + " has no container to forward a port of")
		return nil
	}
	var port int32
	if len(c.NetworkBindings) > 0 {
		port = c.NetworkBindings[0].ContainerPort
	}
	tds, tdARN, fw := m.cfg.TaskDefs, task.TaskDefinition, m.forwards()
	target := "task " + task.ID + "/" + clean(c.Name)
	m.info("checking what a forward from " + target + " needs…")
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
		defer cancel()
		if port == 0 && tds != nil && tdARN != "" {
			// awsvpc tasks (Fargate) report no bindings: the port is the
			// task definition's.
			td, err := tds.DescribeTaskDefinition(ctx, tdARN)
			if err != nil {
				return forwardReadyMsg{spec: portfwd.Spec{Target: target}, err: err}
			}
			for _, cd := range td.Containers {
				if cd.Name == c.Name && len(cd.Ports) > 0 {
					port = cd.Ports[0].ContainerPort
				}
			}
		}
		if port == 0 {
			return forwardReadyMsg{plan: cloud.SessionPlan{Missing: []string{"container " + c.Name + " of task " + task.ID +
				" has no port mapping to forward (its task definition maps no containerPort)"}}}
		}
		local := freeLocalPort(port)
		p, err := api.ForwardPlan(ctx, cloud.SessionTarget{ClusterARN: task.ClusterARN, TaskARN: task.ARN, Container: c.Name, Port: port, LocalPort: local})
		spec := portfwd.Spec{Target: target, Port: port, LocalPort: local, Argv: p.Argv, Address: p.Address}
		if p.Address == "" {
			spec.Address = "127.0.0.1:" + strconv.Itoa(int(local))
		}
		if len(p.Argv) > 0 {
			spec.CLI = launch.Shell(p.Argv...)
		}
		if err == nil && forwardReady(p) {
			fw.Start(spec) // here, not in Update: it starts a process
		}
		return forwardReadyMsg{spec: spec, plan: p, err: err}
	}
}

// freeLocalPort is port when nothing listens on it on 127.0.0.1, else a
// port the system picks: a second forward of the same port must not fail.
func freeLocalPort(port int32) int32 {
	for _, addr := range []string{"127.0.0.1:" + strconv.Itoa(int(port)), "127.0.0.1:0"} {
		l, err := net.Listen("tcp", addr)
		if err == nil {
			p := l.Addr().(*net.TCPAddr).Port
			l.Close()
			return int32(p)
		}
	}
	return port
}

func (msg forwardReadyMsg) apply(m *Model) tea.Cmd {
	if msg.err != nil {
		m.fail("cannot forward a port of " + msg.spec.Target + ": " + clean(msg.err.Error()))
		return nil
	}
	if msg.spec.CLI != "" {
		m.lastCLI = msg.spec.CLI
	}
	if !forwardReady(msg.plan) {
		m.dlg = missingDialog("Cannot forward a port of "+cmpOr(msg.spec.Target, "the task"), msg.plan, msg.spec.CLI)
		return nil
	}
	p := m.openForwards(nil)
	if msg.plan.Address != "" {
		m.info("port " + itoa(msg.spec.Port) + " of " + msg.spec.Target + " is already at " + msg.spec.Address + " (the sandbox publishes it): y copies it")
	} else {
		m.info("forwarding " + msg.spec.Address + " → " + msg.spec.Target + ":" + itoa(msg.spec.Port) + " in the background: " + msg.spec.CLI)
	}
	return p
}

// forwardReady reports whether a forward's plan has what it needs: a
// process to run or an address, and nothing missing.
func forwardReady(p cloud.SessionPlan) bool {
	return len(p.Missing) == 0 && (len(p.Argv) > 0 || p.Address != "")
}

// forwards is the forward supervisor, made on first use when cmd/deckhand
// passed none (tests).
func (m *Model) forwards() *portfwd.Manager {
	if m.cfg.Forwards == nil {
		m.cfg.Forwards = portfwd.New()
	}
	return m.cfg.Forwards
}
