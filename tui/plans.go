package tui

import (
	"context"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/launch"
	"deckhand/internal/resource"
)

// The plans decide, from a resource's state as last fetched, whether an
// action makes sense and how it is confirmed. Refusing early with a reason
// ("it is stopped already") beats sending a call that AWS rejects with
// IncorrectInstanceState. Each returns the job, the dialog to confirm it
// (nil = run at once) and, when the state does not allow it, why.

// planInstance: start a stopped instance; stop a running one (asks);
// terminate any that still exists (the user types its name or id).
func (m *Model) planInstance(a *action, x resource.Instance) (job, *dialog, string) {
	api := m.cfg.Actions.Instances
	k := &m.keys
	j := job{verb: a.verb, label: clean(x.Label()), source: srcEC2}
	switch a {
	case &k.Start:
		j.cli = m.awsCLI("ec2", "start-instances", "--instance-ids", x.ID)
		j.run = func(ctx context.Context) error { return api.StartInstances(ctx, x.ID) }
		_, why := x.CanStart()
		return j, nil, why
	case &k.Stop:
		j.cli = m.awsCLI("ec2", "stop-instances", "--instance-ids", x.ID)
		j.run = func(ctx context.Context) error { return api.StopInstances(ctx, x.ID) }
		if ok, why := x.CanStop(); !ok {
			return j, nil, why
		}
		return j, m.confirm(j, "Stop instance?",
			"It shuts down; data on instance-store volumes is lost. S starts it again."), ""
	case &k.Reboot:
		return m.planReboot(j, x)
	case &k.Terminate:
		j.cli = m.awsCLI("ec2", "terminate-instances", "--instance-ids", x.ID)
		j.run = func(ctx context.Context) error { return api.TerminateInstances(ctx, x.ID) }
		if ok, why := x.CanTerminate(); !ok {
			return j, nil, why
		}
		// Terminating cannot be undone, so y is not enough: typing the
		// name (or the id) proves the right instance is being confirmed.
		want := clean(x.Name)
		if want == "" {
			want = x.ID
		}
		d := &dialog{title: "Terminate instance?", yes: "Terminate", danger: true,
			lines: []string{j.label, "Terminating deletes the instance (and, by default, its root volume). This cannot be undone.", "$ " + j.cli},
			field: "Type " + want + " to confirm", input: &lineInput{kind: inputPrompt}}
		d.submit = func(text string) (tea.Cmd, string) {
			if t := strings.TrimSpace(text); t == "" || t != x.ID && t != clean(x.Name) {
				return nil, "type " + want + " exactly to terminate it, or esc to cancel"
			}
			return m.launch(j), ""
		}
		return j, d, ""
	}
	return j, nil, "it is " + x.State
}

// planTask: stop a task that is not stopping yet (asks).
func (m *Model) planTask(x resource.Task) (job, *dialog, string) {
	api := m.cfg.Actions.ECS
	id := x.ID
	if id == "" {
		id = lastSegment(x.ARN)
	}
	j := job{verb: "stop", label: "task " + id, source: srcECS,
		cli: m.awsCLI("ecs", "stop-task", "--cluster", m.data.clusterName(x.ClusterARN), "--task", x.ARN, "--reason", "stopped from deckhand"),
		run: func(ctx context.Context) error {
			return api.StopTask(ctx, x.ClusterARN, x.ARN, "stopped from deckhand")
		}}
	switch {
	case x.LastStatus == "STOPPED" || x.LastStatus == "DELETED":
		return j, nil, "it has stopped already"
	case x.DesiredStatus == "STOPPED":
		return j, nil, "it is stopping already (desired status STOPPED)"
	}
	where := "in cluster " + m.data.clusterName(x.ClusterARN)
	after := "It does not belong to a service: nothing replaces it."
	if svc := x.Service(); svc != "" {
		where = "of service " + svc + " " + where
		after = "The service starts a replacement to keep its desired count."
	}
	return j, m.confirm(j, "Stop task?", clean(where), after), ""
}

// planScale: a prompt for the desired count of an ACTIVE service.
func (m *Model) planScale(x resource.Service) (job, *dialog, string) {
	api := m.cfg.Actions.ECS
	j := job{verb: "scale", label: "service " + clean(x.Name), source: srcECS}
	if x.Status != "ACTIVE" {
		return j, nil, "it is " + x.Status + "; only an ACTIVE service can be scaled"
	}
	cli := func(n string) string {
		return m.awsCLI("ecs", "update-service", "--cluster", m.data.clusterName(x.ClusterARN), "--service", x.Name, "--desired-count", n)
	}
	j.cli = cli("N")
	d := &dialog{title: "Scale service?", yes: "Scale",
		lines: []string{j.label + " in cluster " + clean(m.data.clusterName(x.ClusterARN)),
			"desired " + itoa(x.Desired) + ", running " + itoa(x.Running) + ", pending " + itoa(x.Pending),
			"$ " + j.cli},
		field: "Desired count (0–" + strconv.Itoa(maxDesired) + ")",
		// The current count is offered; the first key typed replaces it.
		input: ptr(newLineInput(inputPrompt, itoa(x.Desired))), fresh: true}
	d.submit = func(text string) (tea.Cmd, string) {
		n, problem := parseCount(text)
		switch {
		case problem != "":
			return nil, problem
		case n == x.Desired:
			return nil, "desired count is " + itoa(n) + " already"
		}
		jj := j
		jj.cli = cli(itoa(n))
		jj.run = func(ctx context.Context) error {
			_, err := api.UpdateService(ctx, x.ClusterARN, x.Name, n, "")
			return err
		}
		jj.done = "scale requested for " + j.label + ": desired " + itoa(x.Desired) + " → " + itoa(n)
		return m.launch(jj), ""
	}
	return j, d, ""
}

// maxDesired caps the scale prompt: a typo of 10000 for 10 would start
// (and bill) thousands of tasks.
const maxDesired = 1000

// parseCount validates the scale prompt; the problem names the field.
func parseCount(text string) (int32, string) {
	s := strings.TrimSpace(text)
	if s == "" {
		return 0, "desired count: enter a whole number from 0 to " + strconv.Itoa(maxDesired)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, "desired count: " + strconv.Quote(s) + " is not a whole number (0–" + strconv.Itoa(maxDesired) + ")"
	}
	if n < 0 || n > maxDesired {
		return 0, "desired count: " + s + " is out of range (0–" + strconv.Itoa(maxDesired) + ")"
	}
	return int32(n), ""
}

// planDocker: start a created or exited container; stop a running one
// (asks); remove any (asks, forced when it is running).
func (m *Model) planDocker(a *action, x resource.DockerContainer) (job, *dialog, string) {
	api := m.cfg.Actions.Docker
	k := &m.keys
	label := clean(x.Label())
	if x.Name != "" {
		label += " (" + x.ID[:min(len(x.ID), 12)] + ")"
	}
	j := job{verb: a.verb, label: label, source: srcDocker}
	ref := x.Name // what a user types; the ID when it has no name
	if ref == "" {
		ref = x.ID[:min(len(x.ID), 12)]
	}
	state := x.State
	running := state == "running" || state == "restarting" || state == "paused"
	image := "image " + clean(x.Image)
	switch a {
	case &k.Start:
		// The engine answers only once the container has started or
		// stopped, so the flash can say what happened, not what was asked.
		j.cli = m.dockerCLI("start", ref)
		j.run = func(ctx context.Context) error { return api.Start(ctx, x.ID) }
		j.done = "started " + label
		switch state {
		case "created", "exited":
			return j, nil, ""
		case "paused":
			return j, nil, "it is paused (docker unpause resumes it)"
		case "dead":
			return j, nil, "it is dead; remove it instead"
		case "removing":
			return j, nil, "it is being removed"
		}
		return j, nil, "it is " + state + " already"
	case &k.Stop:
		j.cli = m.dockerCLI("stop", "-t", itoa(int32(dockerStopGrace.Seconds())), ref)
		j.run = func(ctx context.Context) error { return api.Stop(ctx, x.ID, dockerStopGrace) }
		j.done = "stopped " + label
		if !running {
			return j, nil, "it is not running (" + state + ")"
		}
		return j, m.confirm(j, "Stop container?", image,
			"Docker sends SIGTERM, then SIGKILL after "+dockerStopGrace.String()+"."), ""
	case &k.Remove:
		j.cli = m.dockerCLI("rm", ref)
		if running {
			j.cli = m.dockerCLI("rm", "-f", ref)
		}
		j.run = func(ctx context.Context) error { return api.Remove(ctx, x.ID, running) }
		j.done = "removed " + label
		if state == "removing" {
			return j, nil, "it is being removed already"
		}
		lines := []string{image}
		if running {
			lines = append(lines, "It is "+state+": it will be killed first (forced removal).")
		}
		return j, m.confirm(j, "Remove container?", append(lines, "This cannot be undone.")...), ""
	}
	return j, nil, "it is " + state
}

// confirm is the yes/no dialog of a job: it names the action and the
// resource, ends with the equivalent command, and the chosen button starts
// as No.
func (m *Model) confirm(j job, title string, lines ...string) *dialog {
	lines = append([]string{j.label}, lines...)
	for _, l := range lines {
		if c, ok := strings.CutPrefix(l, "$ "); ok && j.cli == "" {
			j.cli = c // a command given as a line: the one copy offers after it ran
		}
	}
	if j.cli != "" && !slices.Contains(lines, "$ "+j.cli) {
		lines = append(lines, "$ "+j.cli)
	}
	d := &dialog{title: title, yes: strings.ToUpper(j.verb[:1]) + j.verb[1:], danger: true, lines: lines}
	d.submit = func(string) (tea.Cmd, string) { return m.launch(j), "" }
	return d
}

// awsCLI is the aws command that does what deckhand does, for the account
// deckhand talks to (its region, profile and endpoint), so it can be copied
// into a script.
func (m *Model) awsCLI(args ...string) string {
	out := append([]string{"aws"}, args...)
	if m.cfg.Region != "" {
		out = append(out, "--region", m.cfg.Region)
	}
	if m.cfg.Profile != "" {
		out = append(out, "--profile", m.cfg.Profile)
	}
	if m.cfg.Endpoint != "" {
		out = append(out, "--endpoint-url", m.cfg.Endpoint)
	}
	return launch.Shell(out...)
}

// dockerCLI is the docker command that does what deckhand does, on the
// engine deckhand talks to.
func (m *Model) dockerCLI(args ...string) string {
	out := []string{"docker"}
	if h := m.cfg.DockerHost; h != "" && h != "unix:///var/run/docker.sock" {
		out = append(out, "--host", h)
	}
	return launch.Shell(append(out, args...)...)
}
