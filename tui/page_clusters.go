package tui

import (
	"cmp"
	"slices"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// clustersPage lists the region's ECS clusters; enter opens a cluster's
// services and focuses the ECS watcher on it.
var clustersPage = &listSpec{
	name: "clusters", kind: resource.KindCluster, key: true, uses: []resource.Kind{resource.KindCluster},
	rows: func(m *Model, _ *listPage) ([]column, []row) { return clusterCols, m.clusterRows() },
	empty: func(m *Model, _ *listPage) string {
		return "No ECS clusters in region " + m.region() + "."
	},
	open: func(m *Model, _ *listPage, r row) tea.Cmd {
		m.push(newListPage(servicesPage, clean(m.data.clusterName(r.key)), scope{cluster: r.key}))
		return m.focus(r.key)
	},
}

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
