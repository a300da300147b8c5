package tui

import (
	"cmp"
	"slices"
	"time"

	"deckhand/internal/resource"
)

// dockerPage lists the containers of the local (or DOCKER_HOST) engine.
var dockerPage = &listSpec{
	name: "docker", kind: resource.KindDocker, key: true, uses: []resource.Kind{resource.KindDocker},
	rows: func(m *Model, _ *listPage) ([]column, []row) { return dockerColumns(m), m.dockerRows() },
	empty: func(m *Model, _ *listPage) string {
		host := m.cfg.DockerHost
		if host == "" {
			host = "the local Docker engine"
		}
		return "No containers on " + host + "."
	},
}

var dockerCols = []column{
	{title: "NAME", min: 8, soft: 24, max: 40},
	{title: "IMAGE", min: 8, soft: 24, max: 48, prio: 1},
	{title: "STATE", min: 7, max: 10},
	{title: "STATUS", min: 8, soft: 22, max: 40, prio: 2},
	{title: "PORTS", min: 8, soft: 24, max: 60, prio: 3},
	{title: "CREATED", at: 1, prio: 2, right: true},
	{title: "ID", min: 12, max: 12, prio: 4},
}

func (m *Model) dockerRows() []row {
	xs := slices.Clone(m.data.Docker)
	slices.SortFunc(xs, func(a, b resource.DockerContainer) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	rows := make([]row, len(xs))
	live := len(m.dstats.streams) > 0 // the CPU and MEM columns (docker_stats.go)
	for i, x := range xs {
		rows[i] = row{
			key:   x.ID,
			ref:   rkey{resource.KindDocker, x.ID},
			cells: []string{clean(x.Label()), clean(x.Image), x.State, clean(x.Status), clean(x.Ports), "", x.ID[:min(len(x.ID), 12)]},
			tones: []tone{2: toneOf(x.State), 3: toneOf(x.Status), 6: toneNone},
			at:    []time.Time{x.Created},
		}
		if live {
			rows[i].cells = append(rows[i].cells, m.statsCells(x.ID)...)
		}
	}
	return rows
}
