package tui

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"deckhand/internal/resource"
)

var clusterCols = []column{
	{title: "NAME", min: 8, soft: 28, max: 60},
	{title: "STATUS", min: 6, max: 14},
	{title: "SERVICES", min: 3, max: 8, right: true},
	{title: "RUNNING", min: 3, max: 7, right: true},
	{title: "PENDING", min: 3, max: 7, right: true, prio: 1},
	{title: "INSTANCES", min: 3, max: 9, right: true, prio: 2},
	{title: "ARN", min: 20, soft: 40, max: 100, prio: 5},
}

func (m *Model) clusterRows() []row {
	xs := slices.Clone(m.data.Clusters)
	slices.SortFunc(xs, func(a, b resource.Cluster) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ARN, b.ARN))
	})
	rows := make([]row, len(xs))
	for i, x := range xs {
		pending := toneNone
		if x.PendingTasks > 0 {
			pending = toneTrans
		}
		rows[i] = row{
			key: x.ARN,
			ref: rkey{resource.KindCluster, x.ARN},
			cells: []string{clean(x.Name), x.Status, itoa(x.ActiveServices), itoa(x.RunningTasks),
				itoa(x.PendingTasks), itoa(x.ContainerInstances), x.ARN},
			tones: []tone{1: toneOf(x.Status), 4: pending, 6: toneNone},
		}
	}
	return rows
}

// serviceRows lists the services of one cluster, or of every cluster the
// ECS watcher fetched (with a CLUSTER column) when cluster is "".
func (m *Model) serviceRows(cluster string) ([]column, []row) {
	cols := []column{
		{title: "NAME", min: 8, soft: 28, max: 60},
		// Kept before most columns: rows of several clusters cannot be told
		// apart without it (it is dropped when one cluster is listed).
		{title: "CLUSTER", min: 6, soft: 16, max: 40, prio: 1},
		{title: "STATUS", min: 6, max: 8, prio: 2},
		{title: "DES", min: 3, max: 5, right: true},
		{title: "RUN", min: 3, max: 5, right: true},
		{title: "PEND", min: 4, max: 5, right: true, prio: 1},
		{title: "ROLLOUT", min: 8, max: 11, prio: 1},
		{title: "TASK DEF", min: 8, soft: 20, max: 40, prio: 3},
		{title: "LAST EVENT", min: 20, soft: 40, max: 240, prio: 2},
	}
	var xs []resource.Service
	for _, s := range m.data.Services {
		if cluster == "" || s.ClusterARN == cluster {
			xs = append(xs, s)
		}
	}
	slices.SortFunc(xs, func(a, b resource.Service) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ARN, b.ARN))
	})
	loc := m.loc()
	rows := make([]row, len(xs))
	for i, x := range xs {
		running := toneOK
		if x.Running < x.Desired {
			running = toneWarn
		}
		clusterCell := ""
		if cluster == "" {
			clusterCell = m.data.clusterName(x.ClusterARN)
		}
		event := ""
		if !x.LastEvent.At.IsZero() || x.LastEvent.Message != "" {
			event = strings.TrimSpace(clock(x.LastEvent.At, loc) + " " + clean(x.LastEvent.Message))
		}
		rows[i] = row{
			key: x.ARN,
			ref: rkey{resource.KindService, x.ARN},
			cells: []string{clean(x.Name), clusterCell, x.Status, itoa(x.Desired), itoa(x.Running),
				itoa(x.Pending), x.Rollout, lastSegment(x.TaskDefinition), event},
			tones: []tone{2: toneOf(x.Status), 4: running, 6: toneOf(x.Rollout), 8: toneNone},
		}
	}
	if cluster != "" {
		cols = dropScopeCol(cols, rows) // every row has the same value
	}
	return cols, rows
}

// taskRows lists the tasks of one service (cluster and service set), or
// every task fetched (the `:tasks` pane), newest first.
func (m *Model) taskRows(cluster, service string) ([]column, []row) {
	cols := []column{
		{title: "ID", min: 8, soft: 12, max: 36},
		{title: "SERVICE", min: 6, soft: 16, max: 40, prio: 2},
		{title: "CLUSTER", min: 6, soft: 16, max: 40, prio: 2}, // dropped when one cluster is listed
		{title: "LAST", min: 7, max: 14},
		{title: "DESIRED", min: 7, max: 8, prio: 1},
		{title: "HEALTH", min: 6, max: 9, prio: 2},
		{title: "LAUNCH", min: 6, max: 8, prio: 5},
		{title: "STARTED", at: 1, prio: 3, right: true},
		{title: "STOPPED", at: 2, prio: 4, right: true},
		{title: "STOP CODE", min: 9, max: 24, prio: 4},
		{title: "REASON", min: 12, soft: 30, max: 200, prio: 3},
	}
	var xs []resource.Task
	for _, t := range m.data.Tasks {
		if (cluster == "" || t.ClusterARN == cluster) && (service == "" || t.Service() == service) {
			xs = append(xs, t)
		}
	}
	slices.SortFunc(xs, func(a, b resource.Task) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ARN, b.ARN))
	})
	rows := make([]row, len(xs))
	for i, x := range xs {
		id := x.ID
		if id == "" {
			id = lastSegment(x.ARN)
		}
		svc := x.Service()
		if svc == "" {
			svc = x.Group
		}
		rows[i] = row{
			key: x.ARN,
			ref: rkey{resource.KindTask, x.ARN},
			cells: []string{id, clean(svc), m.data.clusterName(x.ClusterARN), x.LastStatus, x.DesiredStatus, x.Health, x.LaunchType,
				"", "", x.StopCode, clean(x.StoppedReason)},
			tones: []tone{3: toneOf(x.LastStatus), 4: toneOf(x.DesiredStatus), 5: toneOf(x.Health), 10: toneNone},
			at:    []time.Time{x.StartedAt, x.StoppedAt},
		}
	}
	if cluster != "" {
		cols = dropCol(cols, rows, 2) // the CLUSTER: every row has the same value
	}
	if service != "" {
		cols = dropScopeCol(cols, rows) // every row has the same value
	}
	return cols, rows
}

// containerRows lists the containers of one task, or of every task fetched.
func (m *Model) containerRows(task string) ([]column, []row) {
	cols := []column{
		{title: "NAME", min: 8, soft: 20, max: 40},
		{title: "TASK", min: 8, max: 9, prio: 2},
		{title: "IMAGE", min: 8, soft: 28, max: 80, prio: 1},
		{title: "STATUS", min: 7, max: 14},
		{title: "EXIT", min: 4, max: 6, right: true},
		{title: "HEALTH", min: 6, max: 9, prio: 1},
		{title: "PORTS", min: 9, soft: 26, max: 80, prio: 2},
		{title: "REASON", min: 12, soft: 30, max: 200, prio: 3},
	}
	var xs []resource.Container
	for _, c := range m.data.Containers {
		if task == "" || c.TaskARN == task {
			xs = append(xs, c)
		}
	}
	slices.SortFunc(xs, func(a, b resource.Container) int {
		return cmp.Or(cmp.Compare(a.TaskARN, b.TaskARN), cmp.Compare(a.Name, b.Name))
	})
	rows := make([]row, len(xs))
	for i, x := range xs {
		exit := ""
		if x.ExitCode != nil {
			exit = itoa(*x.ExitCode)
		}
		rows[i] = row{
			key: x.Key(),
			ref: rkey{resource.KindContainer, x.Key()},
			cells: []string{clean(x.Name), shortID(lastSegment(x.TaskARN), 8), clean(x.Image), x.LastStatus,
				exit, x.Health, clean(formatBindings(x.NetworkBindings)), clean(x.Reason)},
			tones: []tone{3: toneOf(x.LastStatus), 4: exitTone(exit), 5: toneOf(x.Health), 6: toneNone, 7: toneNone},
		}
	}
	// ECS reports bindings only in bridge and host mode (and the sandbox
	// for the tasks it runs on the local engine): no column of dashes
	// for everyone else.
	if !slices.ContainsFunc(rows, func(r row) bool { return r.cells[6] != "" }) {
		cols = slices.Delete(cols, 6, 7)
		for i := range rows {
			rows[i].cells = slices.Delete(rows[i].cells, 6, 7)
			rows[i].tones = slices.Delete(rows[i].tones, 6, 7)
		}
	}
	if task != "" {
		cols = dropScopeCol(cols, rows) // every row has the same value
	}
	return cols, rows
}

// formatBindings renders a container's network bindings as `docker ps`
// does: "127.0.0.1:49153->8080/tcp, …".
func formatBindings(bs []resource.Binding) string {
	parts := make([]string, 0, len(bs))
	for _, b := range bs {
		s := itoa(b.ContainerPort) + "/" + cmp.Or(b.Protocol, "tcp")
		if b.HostPort != 0 {
			s = itoa(b.HostPort) + "->" + s
			switch {
			case strings.Contains(b.HostIP, ":"):
				s = "[" + b.HostIP + "]:" + s
			case b.HostIP != "":
				s = b.HostIP + ":" + s
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// bindingURLs are the http:// addresses of a container's TCP ports
// published on the loopback address, which this machine can open (the
// sandbox's tasks that run on the local engine).
func bindingURLs(bs []resource.Binding) string {
	var out []string
	for _, b := range bs {
		if b.HostPort != 0 && (b.HostIP == "127.0.0.1" || b.HostIP == "::1") && cmp.Or(b.Protocol, "tcp") == "tcp" {
			host := b.HostIP
			if host == "::1" {
				host = "[::1]"
			}
			out = append(out, "http://"+host+":"+itoa(b.HostPort))
		}
	}
	return strings.Join(out, " ")
}

// dropScopeCol removes column 1 (the cluster, service or task) from a
// drill-down page, where the breadcrumb already names it.
func dropScopeCol(cols []column, rows []row) []column { return dropCol(cols, rows, 1) }

// dropCol removes column c from cols and from every row.
func dropCol(cols []column, rows []row, c int) []column {
	for i := range rows {
		rows[i].cells = slices.Delete(rows[i].cells, c, c+1)
		if c < len(rows[i].tones) {
			rows[i].tones = slices.Delete(rows[i].tones, c, c+1)
		}
	}
	return slices.Delete(cols, c, c+1)
}
