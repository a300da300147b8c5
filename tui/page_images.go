package tui

import (
	"strconv"
	"strings"
	"time"

	"deckhand/internal/resource"
)

// imagesPage lists the engine's images as `docker images` does, with who
// uses each. Like the other Docker kinds, images come with the docker
// source's fetch (dockerops.Objects), which the engine's image events
// trigger, so the page is live without a fetch of its own.
var imagesPage = &listSpec{
	name: "images", kind: resource.KindImage, uses: []resource.Kind{resource.KindImage},
	rows: func(m *Model, _ *listPage) ([]column, []row) { return imageCols, m.imageRows() },
	empty: func(m *Model, _ *listPage) string {
		return "No images on " + m.dockerHostName() + "."
	},
}

var imageCols = []column{
	{title: "REPOSITORY", min: 10, soft: 32, max: 60},
	{title: "TAG", min: 6, soft: 14, max: 30},
	{title: "ID", min: 12, max: 12, prio: 2},
	{title: "SIZE", min: 6, max: 9, right: true},
	{title: "CREATED", at: 1, prio: 1, right: true},
	{title: "USED BY", min: 7, soft: 24, max: 50, prio: 1},
	{title: "DANGLING", min: 8, max: 8, prio: 3},
}

func (m *Model) imageRows() []row {
	rows := make([]row, len(m.data.Images))
	for i, x := range m.data.Images { // sorted by the source
		dangling := ""
		if x.Dangling {
			dangling = "yes"
		}
		rows[i] = row{
			key:   x.Key(),
			ref:   rkey{resource.KindImage, x.Key()},
			cells: []string{x.Repository, x.Tag, x.ShortID(), bytesText(uint64(x.Size)), "", users(x.Containers), dangling},
			tones: []tone{5: usersTone(x.Containers), 6: toneWarn},
			at:    []time.Time{x.Created},
		}
	}
	return rows
}

// users is a USED BY cell: the count and the first names.
func users(names []string) string {
	switch len(names) {
	case 0:
		return "-"
	case 1, 2:
		return strings.Join(names, ", ")
	}
	return strconv.Itoa(len(names)) + ": " + strings.Join(names[:2], ", ") + ", …"
}

func usersTone(names []string) tone {
	if len(names) == 0 {
		return toneMuted
	}
	return toneNone
}

// dockerHostName names the engine for an empty page.
func (m *Model) dockerHostName() string {
	if m.cfg.DockerHost == "" {
		return "the local Docker engine"
	}
	return m.cfg.DockerHost
}
