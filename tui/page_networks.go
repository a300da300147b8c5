package tui

import (
	"time"

	"deckhand/internal/resource"
)

// networksPage lists the engine's networks and the containers attached to
// each (from the docker source, like images).
var networksPage = &listSpec{
	name: "networks", kind: resource.KindNetwork, uses: []resource.Kind{resource.KindNetwork},
	rows: func(m *Model, _ *listPage) ([]column, []row) { return networkCols, m.networkRows() },
	empty: func(m *Model, _ *listPage) string {
		return "No networks on " + m.dockerHostName() + "."
	},
}

var networkCols = []column{
	{title: "NAME", min: 8, soft: 28, max: 60},
	{title: "DRIVER", min: 6, max: 10},
	{title: "SCOPE", min: 5, max: 6, prio: 2},
	{title: "USED BY", min: 7, soft: 30, max: 60},
	{title: "CREATED", at: 1, prio: 1, right: true},
	{title: "ID", min: 12, max: 12, prio: 3},
}

func (m *Model) networkRows() []row {
	rows := make([]row, len(m.data.Networks))
	for i, x := range m.data.Networks {
		name := x.Name
		if x.Internal {
			name += " (internal)"
		}
		rows[i] = row{
			key:   x.Key(),
			ref:   rkey{resource.KindNetwork, x.Key()},
			cells: []string{name, x.Driver, x.Scope, users(x.Containers), "", x.ID[:min(len(x.ID), 12)]},
			tones: []tone{3: usersTone(x.Containers), 5: toneNone},
			at:    []time.Time{x.Created},
		}
	}
	return rows
}
