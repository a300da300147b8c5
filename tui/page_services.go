package tui

import (
	"cmp"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// servicesPage lists the services of a cluster (a drill-down from the
// clusters pane), or of the focused or every fetched cluster.
var servicesPage = &listSpec{
	name: "services", kind: resource.KindService, key: true, ecs: true, focus: true,
	uses: []resource.Kind{resource.KindService, resource.KindCluster},
	rows: func(m *Model, p *listPage) ([]column, []row) { return m.serviceRows(p.cluster(m)) },
	empty: func(m *Model, p *listPage) string {
		if c := p.scope.cluster; c != "" {
			name := m.data.clusterName(c)
			if !m.data.covers(c) { // the focus is asked for; its first snapshot has not come
				return "Fetching the services of " + name + "…"
			}
			return "No services in cluster " + name + "."
		}
		return "No services in the clusters fetched so far. Open a cluster (2, enter) to list its services."
	},
	open: func(m *Model, _ *listPage, r row) tea.Cmd {
		if s, ok := m.data.lookup(r.ref).(resource.Service); ok {
			m.push(newListPage(tasksPage, clean(s.Name), scope{cluster: s.ClusterARN, service: s.Name}))
		}
		return nil
	},
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
	cols, rows = m.withMetricCols(cols, rows, xs) // CPU% and MEM%: ecs_metrics.go
	if cluster != "" {
		cols = dropScopeCol(cols, rows) // every row has the same value
	}
	return cols, rows
}
