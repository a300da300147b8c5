package tui

import (
	"cmp"
	"slices"
	"strings"

	"deckhand/internal/resource"
)

// containersPage lists the containers of a task (a drill-down from the
// tasks pane), or of every task fetched (:containers).
var containersPage = &listSpec{
	name: "containers", kind: resource.KindContainer, ecs: true,
	uses: []resource.Kind{resource.KindTask, resource.KindContainer},
	rows: func(m *Model, p *listPage) ([]column, []row) { return m.containerRows(p.scope.task) },
	empty: func(m *Model, p *listPage) string {
		if p.scope.task != "" {
			return "No containers reported for task " + lastSegment(p.scope.task) + "."
		}
		return "No task containers in the clusters fetched so far."
	},
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
