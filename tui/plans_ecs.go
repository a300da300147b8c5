package tui

import (
	"context"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// Deleting ECS clusters and services. Both cannot be undone, so, as for
// terminating an instance, the user types the name to confirm. AWS's own
// preconditions are checked first and said plainly: a cluster with
// services is refused (ClusterContainsServicesException), and a service
// is scaled to 0 before it is deleted, as the console and the CLI require
// of a service with tasks.

// planDeleteCluster: delete an ACTIVE cluster that has no services and no
// tasks left.
func (m *Model) planDeleteCluster(x resource.Cluster) (job, *dialog, string) {
	api := m.cfg.Actions.ECS
	j := job{verb: "delete", label: "cluster " + clean(x.Name), source: srcECS,
		cli: m.awsCLI("ecs", "delete-cluster", "--cluster", x.Name),
		run: func(ctx context.Context) error { return api.DeleteCluster(ctx, x.ARN) }}
	switch {
	case x.Status != "ACTIVE":
		return j, nil, "it is " + x.Status
	case x.ActiveServices > 0:
		return j, nil, "it has " + plural(int(x.ActiveServices), "service") + ": delete them first (enter lists them; ctrl+k on a service)"
	case x.RunningTasks+x.PendingTasks > 0:
		return j, nil, "it has " + plural(int(x.RunningTasks+x.PendingTasks), "task") + " running or pending: stop them first"
	case x.ContainerInstances > 0:
		return j, nil, "it has " + plural(int(x.ContainerInstances), "container instance") + " registered: terminate or deregister them first"
	}
	return j, m.typedConfirm(j, "Delete cluster?", x.Name, "The cluster is deleted; its name can be used again."), ""
}

// planDeleteService: scale a service to 0, then delete it.
func (m *Model) planDeleteService(x resource.Service) (job, *dialog, string) {
	api := m.cfg.Actions.ECS
	cluster := m.data.clusterName(x.ClusterARN)
	j := job{verb: "delete", label: "service " + clean(x.Name), source: srcECS,
		cli: m.awsCLI("ecs", "update-service", "--cluster", cluster, "--service", x.Name, "--desired-count", "0") +
			" && " + m.awsCLI("ecs", "delete-service", "--cluster", cluster, "--service", x.Name),
		run: func(ctx context.Context) error {
			if x.Desired > 0 {
				if _, err := api.UpdateService(ctx, x.ClusterARN, x.Name, 0, ""); err != nil {
					return err
				}
			}
			return api.DeleteService(ctx, x.ClusterARN, x.Name)
		}}
	if x.Status != "ACTIVE" {
		return j, nil, "it is " + x.Status + " already"
	}
	return j, m.typedConfirm(j, "Delete service?", x.Name,
		"in cluster "+clean(cluster)+": desired "+itoa(x.Desired)+", running "+itoa(x.Running),
		"It is scaled to 0 (its tasks stop), then deleted. Its task definitions stay."), ""
}

// planRollback: move a service back to the revision before the one its
// primary deployment runs (family:N-1), as a new deployment; the circuit
// breaker and the rollout show on the service as usual.
func (m *Model) planRollback(x resource.Service) (job, *dialog, string) {
	api := m.cfg.Actions.ECS
	cluster := m.data.clusterName(x.ClusterARN)
	j := job{verb: "roll back", label: "service " + clean(x.Name), source: srcECS}
	cur := lastSegment(x.TaskDefinition)
	family, n, ok := strings.Cut(cur, ":")
	rev, err := strconv.Atoi(n)
	switch {
	case x.Status != "ACTIVE":
		return j, nil, "it is " + x.Status
	case !ok || err != nil:
		return j, nil, "its task definition " + cur + " names no revision"
	case rev <= 1:
		return j, nil, "it runs " + cur + ", the first revision: there is none before it"
	}
	prev := family + ":" + strconv.Itoa(rev-1)
	j.cli = m.awsCLI("ecs", "update-service", "--cluster", cluster, "--service", x.Name, "--task-definition", prev)
	j.done = "roll back requested for " + j.label + ": " + cur + " → " + prev + " (a new deployment; w shows its events)"
	j.run = func(ctx context.Context) error {
		_, err := api.UpdateService(ctx, x.ClusterARN, x.Name, x.Desired, prev)
		return err
	}
	return j, m.confirm(j, "Roll back service?", "in cluster "+clean(cluster)+": "+cur+" → "+prev,
		"ECS starts a deployment of "+prev+" and stops the tasks of "+cur+" as the new ones become healthy."), ""
}

// typedConfirm is the dialog of what cannot be undone: the user types
// want (the resource's name) to confirm.
func (m *Model) typedConfirm(j job, title, want string, lines ...string) *dialog {
	want = clean(want)
	lines = append(append([]string{j.label}, lines...), "This cannot be undone.")
	for _, c := range strings.Split(j.cli, " && ") { // one command a line
		lines = append(lines, "$ "+c)
	}
	d := &dialog{title: title, yes: strings.ToUpper(j.verb[:1]) + j.verb[1:], danger: true, lines: lines,
		field: "Type " + want + " to confirm", input: &lineInput{kind: inputPrompt}}
	d.submit = func(text string) (tea.Cmd, string) {
		if strings.TrimSpace(text) != want {
			return nil, "type " + want + " exactly to " + j.verb + " it, or esc to cancel"
		}
		return m.launch(j), ""
	}
	return d
}
