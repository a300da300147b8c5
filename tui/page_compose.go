package tui

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// composePage lists the compose projects: the containers grouped by their
// com.docker.compose.project label. S, s and r act on every container of
// the project; enter lists its containers.
var composePage = &listSpec{
	name: "compose", kind: resource.KindCompose, uses: []resource.Kind{resource.KindCompose},
	rows: func(m *Model, _ *listPage) ([]column, []row) { return composeCols, m.composeRows() },
	empty: func(m *Model, _ *listPage) string {
		return "No compose projects on " + m.dockerHostName() + " (no container has a " + resource.ComposeProjectLabel + " label)."
	},
	open: func(m *Model, _ *listPage, r row) tea.Cmd {
		m.push(newListPage(projectContainersPage, "compose "+fit(r.key, 30), scope{service: r.key}))
		return nil
	},
}

var composeCols = []column{
	{title: "PROJECT", min: 8, soft: 24, max: 48},
	{title: "STATE", min: 7, max: 8},
	{title: "RUNNING", min: 7, max: 9, right: true},
	{title: "SERVICES", min: 8, soft: 30, max: 80, prio: 1},
	{title: "DIRECTORY", min: 9, soft: 30, max: 100, prio: 2},
}

func (m *Model) composeRows() []row {
	rows := make([]row, len(m.data.Compose))
	for i, x := range m.data.Compose {
		rows[i] = row{
			key:   x.Key(),
			ref:   rkey{resource.KindCompose, x.Key()},
			cells: []string{x.Name, x.Phase(), strconv.Itoa(x.Running) + "/" + strconv.Itoa(len(x.Containers)), strings.Join(x.Services, ", "), x.WorkingDir},
			tones: []tone{1: toneOf(x.Phase()), 4: toneMuted},
		}
	}
	return rows
}

// projectContainersPage is the docker pane narrowed to one project (the
// scope's service field holds the project's name).
var projectContainersPage = &listSpec{
	name: "docker", kind: resource.KindDocker, uses: []resource.Kind{resource.KindDocker},
	rows: func(m *Model, p *listPage) ([]column, []row) {
		var out []row
		for _, r := range m.dockerRows() {
			if it, ok := m.data.lookup(r.ref).(resource.DockerContainer); ok && it.Project == p.scope.service {
				out = append(out, r)
			}
		}
		return dockerColumns(m), out
	},
	empty: func(m *Model, p *listPage) string {
		return "Project " + p.scope.service + " has no containers left."
	},
}
