package tui

import (
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"deckhand/internal/resource"
)

// listSpec is what one kind of table page is: its name, what it lists and
// how. Each spec lives in its page's file (page_instances.go…) and is
// registered once in registry.go; listPage does the rest.
type listSpec struct {
	name  string        // the breadcrumb of the top-level pane and the plural in messages
	kind  resource.Kind // what its rows are, and what the resource actions apply to ("" = none)
	key   bool          // reached with 1–6 and tab (in registry order)
	uses  []resource.Kind
	ecs   bool // lists the cluster the ECS watcher is focused on when top-level
	focus bool // opened on a cluster, it focuses the ECS watcher on it (and back on leaving)
	// rows builds the page's columns and rows from the store.
	rows func(m *Model, p *listPage) ([]column, []row)
	// empty says why there are no rows once the kind has loaded.
	empty func(m *Model, p *listPage) string
	// open drills down from a row; nil opens the row's detail.
	open func(m *Model, p *listPage, r row) tea.Cmd
}

// scope narrows a drill-down page: the services of a cluster, the tasks of
// a service, the containers of a task.
type scope struct {
	cluster string // cluster ARN ("" = every fetched cluster)
	service string // service name
	task    string // task ARN
	item    string // one resource's key (the service whose events are listed)
}

// listPage is a table page: a top-level pane or a drill-down.
type listPage struct {
	spec  *listSpec
	scope scope
	name  string // breadcrumb
	isTop bool   // one of the top-level panes, kept for the whole session
	tbl   table
	dirty bool // data changed since the rows were built
}

func newListPage(spec *listSpec, name string, sc scope) *listPage {
	return &listPage{spec: spec, name: name, scope: sc}
}

func (p *listPage) crumb() string      { return p.name }
func (p *listPage) mode() mode         { return modeTable }
func (p *listPage) table() *table      { return &p.tbl }
func (p *listPage) invalidate()        { p.dirty = true }
func (p *listPage) filterText() string { return p.tbl.raw }
func (p *listPage) setFilter(s string) { p.tbl.setFilter(s) }

func (p *listPage) uses(k resource.Kind) bool { return slices.Contains(p.spec.uses, k) }

func (p *listPage) source(m *Model) string {
	if p.spec.kind == "" {
		return ""
	}
	return m.data.source[p.spec.kind]
}

func (p *listPage) subject(m *Model) (resource.Kind, resource.Item) {
	r, ok := p.tbl.selected()
	if !ok || p.spec.kind == "" {
		return p.spec.kind, nil
	}
	return p.spec.kind, m.data.lookup(r.ref)
}

func (p *listPage) refresh(m *Model) {
	if !p.dirty && p.tbl.cols != nil {
		return
	}
	cols, rows := p.spec.rows(m, p)
	p.tbl.order = m.sorts[p.spec]
	p.tbl.setRows(cols, rows)
	p.dirty = false
}

// cluster is the cluster the page lists: the one it was opened on, else
// the cluster the ECS watcher was focused on, which the title names — so a
// page titled "(cluster X)" never lists another cluster's rows left in the
// store from before the focus.
func (p *listPage) cluster(m *Model) string {
	if p.scope.cluster != "" {
		return p.scope.cluster
	}
	return m.focused
}

func (p *listPage) title(m *Model) string {
	st := &m.st
	title := ""
	if p.isTop && p.spec.ecs && m.focused != "" {
		title += st.Muted.Render(" (cluster " + clean(m.data.clusterName(m.focused)) + ")")
	}
	if n := len(p.tbl.marked); n > 0 {
		title += "  " + st.Accent.Render(thousands(n)+" marked")
	}
	if t := &p.tbl; t.filter != "" {
		title += st.Muted.Render(" ["+thousands(t.n())+"/"+thousands(len(t.rows))+"]") + "  " + st.Accent.Render("/"+t.raw)
	} else {
		title += st.Muted.Render(" [" + thousands(len(t.rows)) + "]")
	}
	return title
}

func (p *listPage) view(m *Model, now time.Time, w, h int) []string {
	out := p.tbl.render(renderCtx{now: now, st: &m.st, changed: m.changed, width: w, rowsShown: h - 1})
	m.reportOnScreen(&p.tbl, h-1)
	if p.tbl.n() > 0 {
		return out
	}
	out = append(out, "")
	for _, l := range strings.Split(ansi.Wordwrap(p.empty(m), max(w-4, 10), " "), "\n") {
		out = append(out, "  "+m.st.Muted.Render(l))
	}
	return out
}

// empty says why the table has no rows, and what to do about it.
func (p *listPage) empty(m *Model) string {
	t := &p.tbl
	if t.filter != "" && len(t.rows) > 0 {
		return "No rows match /" + t.raw + " — esc clears the filter."
	}
	name, src := p.spec.name, p.source(m)
	if src, err := m.kindError(p); err != nil && len(t.rows) == 0 {
		return "Could not read " + name + " (" + src + "): the failed call is in the status line below. Retrying."
	}
	if p.spec.kind != "" && !m.data.loaded[p.spec.kind] {
		if s := m.src[src]; s != nil && s.err != nil {
			return "Could not fetch " + name + " (" + src + "): the error is in the status line below. Retrying."
		}
		return "Fetching " + name + "…"
	}
	return p.spec.empty(m, p)
}

// region names the region for an empty page.
func (m *Model) region() string {
	if m.cfg.Region == "" {
		return "the default region"
	}
	return m.cfg.Region
}

func (p *listPage) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	if cmd, ok := m.resourceKey(msg); ok {
		return cmd
	}
	if m.sortKey(p, msg) || m.markKey(p, msg) {
		return nil
	}
	k := &m.keys
	t := &p.tbl
	switch {
	case matches(msg, k.Back):
		if len(t.marked) > 0 {
			t.marked = nil
			m.info("marks cleared")
			return nil
		}
		if t.filter != "" {
			t.setFilter("")
			return nil
		}
		if m.pop() && p.spec.focus && p.scope.cluster != "" {
			return m.focus("")
		}
		return nil
	case matches(msg, k.Filter):
		m.input.start(inputFilter, t.raw)
		return nil
	case matches(msg, k.Open):
		r, ok := t.selected()
		if !ok {
			return nil
		}
		if p.spec.open != nil {
			return p.spec.open(m, p, *r)
		}
		m.openDetail(r.ref)
		return nil
	case matches(msg, k.Detail):
		if r, ok := t.selected(); ok {
			m.openDetail(r.ref)
		}
		return nil
	}
	if pos, ok := m.scroll(msg, t.cursor, t.n(), t.height); ok {
		t.cursor = pos
		t.clamp()
	}
	return nil
}
