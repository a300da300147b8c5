package tui

import (
	"cmp"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// tasksPage lists the tasks of a service (a drill-down from the services
// pane), or of the focused or every fetched cluster, newest first.
var tasksPage = &listSpec{
	name: "tasks", kind: resource.KindTask, key: true, ecs: true, uses: []resource.Kind{resource.KindTask},
	rows: func(m *Model, p *listPage) ([]column, []row) { return m.taskRows(p.cluster(m), p.scope.service) },
	empty: func(m *Model, p *listPage) string {
		if p.scope.service != "" {
			return "No tasks for service " + p.scope.service + " in cluster " + m.data.clusterName(p.scope.cluster) + "."
		}
		return "No tasks in the clusters fetched so far. Open a cluster (2, enter) to list its tasks."
	},
	open: func(m *Model, _ *listPage, r row) tea.Cmd {
		m.push(newListPage(containersPage, shortID(clean(lastSegment(r.key)), 8), scope{task: r.key}))
		return nil
	},
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
