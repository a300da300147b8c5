package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// page is one screen of the page stack: a table of resources, the detail
// of one, its logs, a wizard's form, a plan to review, a launch's
// checklist. The root Model is the chrome around it (header, breadcrumbs,
// command line, filter, dialogs, status line, the store); what a screen
// shows and which keys it takes are its page's, and each page holds its own
// state. Pages are listed in registry.go.
type page interface {
	// crumb is the page's breadcrumb segment.
	crumb() string
	// mode is where keys go while the page is on top (the keymap's modes).
	mode() mode
	// view renders the body: at most h lines, w cells wide (longer lines
	// are cut by the chrome).
	view(m *Model, now time.Time, w, h int) []string
	// key handles a key press the chrome did not take.
	key(m *Model, msg tea.KeyPressMsg) tea.Cmd
	// title is what the title line shows after the breadcrumbs: a row
	// count, the filter, a scope.
	title(m *Model) string
	// source is the watcher whose data the page shows: what ctrl+r
	// refreshes and what a STALE mark is about ("" = every source, or
	// none).
	source(m *Model) string
	// uses reports whether the page shows data of kind k: it is rebuilt
	// when k changes, and a failure to read k is its to show.
	uses(k resource.Kind) bool
	// subject is the kind of resource the resource actions (stop, scale,
	// logs…) apply to on this page, and the resource: the selected row,
	// or the one shown (nil when none).
	subject(m *Model) (resource.Kind, resource.Item)
	// table is the page's table, or nil: the chrome keeps its height in
	// step with the terminal and shows the cursor position.
	table() *table
	// refresh rebuilds what the page shows from the store, if it changed
	// since the last build (invalidate); it is called just before the page
	// is shown, so hidden pages cost nothing on an update.
	refresh(m *Model)
	// invalidate marks the page's data as changed.
	invalidate()
}

// pageMsg is a message a page's Cmd sends back to it (a fetch's answer):
// it applies itself, so a new page adds no case to Model.update.
type pageMsg interface{ apply(m *Model) tea.Cmd }

// onStack reports whether p is still on the page stack (an answer for a
// page that was left is dropped).
func (m *Model) onStack(p page) bool {
	for _, q := range m.stack {
		if q == p {
			return true
		}
	}
	return false
}

// kindEvents is the event log as a data dependency: the events page uses
// it, and every update with transitions invalidates it.
const kindEvents resource.Kind = "events"

// filterer is a page that takes the `/` filter.
type filterer interface {
	filterText() string
	setFilter(s string)
}

// pageBase gives a page the defaults: no table, no source, no data, no
// target, nothing to rebuild. Pages embed it and override what they have.
type pageBase struct{ name string }

func (b *pageBase) crumb() string                                 { return b.name }
func (b *pageBase) title(*Model) string                           { return "" }
func (b *pageBase) source(*Model) string                          { return "" }
func (b *pageBase) uses(resource.Kind) bool                       { return false }
func (b *pageBase) subject(*Model) (resource.Kind, resource.Item) { return "", nil }
func (b *pageBase) table() *table                                 { return nil }
func (b *pageBase) refresh(*Model)                                {}
func (b *pageBase) invalidate()                                   {}
func (b *pageBase) key(*Model, tea.KeyPressMsg) tea.Cmd           { return nil }
func (b *pageBase) view(*Model, time.Time, int, int) []string     { return nil }

// current is the page on top of the stack.
func (m *Model) current() page { return m.stack[len(m.stack)-1] }

// showTop resets the stack to a top-level pane.
func (m *Model) showTop(p *listPage) {
	m.stack = []page{p}
	p.refresh(m)
}

func (m *Model) push(p page) {
	if t := p.table(); t != nil {
		t.setHeight(m.tableHeight())
	}
	m.stack = append(m.stack, p)
	p.refresh(m)
}

// pop goes back one page; it reports whether there was a page to go back to.
func (m *Model) pop() bool {
	if len(m.stack) < 2 {
		return false
	}
	m.stack = m.stack[:len(m.stack)-1]
	m.current().refresh(m)
	return true
}

// dropPages removes the pages drop matches from the stack (the review of a
// plan that was confirmed, a wizard opened anew).
func (m *Model) dropPages(drop func(page) bool) {
	keep := m.stack[:0]
	for i, p := range m.stack {
		if i == 0 || !drop(p) {
			keep = append(keep, p)
		}
	}
	m.stack = keep
}

// allPages is every page that holds data: the top-level panes and the
// pages on the stack.
func (m *Model) allPages() []page {
	ps := make([]page, 0, len(m.tops)+len(m.stack))
	for _, p := range m.tops {
		ps = append(ps, p)
	}
	for _, p := range m.stack {
		if lp, ok := p.(*listPage); !ok || !lp.isTop {
			ps = append(ps, p)
		}
	}
	return ps
}

// topIndex is the position of the current top-level pane among the panes
// reached with 1–6 and tab, or -1.
func (m *Model) topIndex() int {
	for i, p := range m.numbered() {
		if m.stack[0] == page(p) {
			return i
		}
	}
	return -1
}

// numbered are the top-level panes reached with 1–6 and tab, in order.
func (m *Model) numbered() []*listPage {
	var out []*listPage
	for _, p := range m.tops {
		if p.spec.key {
			out = append(out, p)
		}
	}
	return out
}

// problemSource is the backend a page needs: "aws" for the AWS watchers'
// data, "docker" for Docker's, "" for neither.
func problemSource(src string) string {
	switch src {
	case srcEC2, srcECS:
		return "aws"
	case srcDocker:
		return "docker"
	}
	return ""
}
