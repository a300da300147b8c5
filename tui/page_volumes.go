package tui

import (
	"time"

	"deckhand/internal/resource"
)

// volumesPage lists the engine's volumes and the containers mounting each
// (from the docker source, like images).
var volumesPage = &listSpec{
	name: "volumes", kind: resource.KindVolume, uses: []resource.Kind{resource.KindVolume},
	rows: func(m *Model, _ *listPage) ([]column, []row) { return volumeCols, m.volumeRows() },
	empty: func(m *Model, _ *listPage) string {
		return "No volumes on " + m.dockerHostName() + "."
	},
}

var volumeCols = []column{
	{title: "NAME", min: 12, soft: 32, max: 64},
	{title: "DRIVER", min: 6, max: 12},
	{title: "USED BY", min: 7, soft: 30, max: 60},
	{title: "CREATED", at: 1, prio: 1, right: true},
	{title: "MOUNTPOINT", min: 10, soft: 40, max: 120, prio: 2},
}

func (m *Model) volumeRows() []row {
	rows := make([]row, len(m.data.Volumes))
	for i, x := range m.data.Volumes {
		rows[i] = row{
			key:   x.Key(),
			ref:   rkey{resource.KindVolume, x.Key()},
			cells: []string{x.Name, x.Driver, users(x.Containers), "", x.Mountpoint},
			tones: []tone{2: usersTone(x.Containers), 4: toneMuted},
			at:    []time.Time{x.Created},
		}
	}
	return rows
}
