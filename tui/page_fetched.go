package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// fetched is the part every page shares that reads its rows itself when it
// opens and on ctrl+r (task definitions, security groups: they change when
// someone changes them, so they are not polled): its table, whether a read
// is in flight, the last read's error, and the keys of a plain list.
type fetched struct {
	pageBase
	tbl     table
	loading bool
	err     error
}

func (f *fetched) mode() mode    { return modeTable }
func (f *fetched) table() *table { return &f.tbl }

func (f *fetched) title(m *Model) string {
	if f.loading {
		return m.st.Muted.Render(" (reading…)")
	}
	return m.st.Muted.Render(" [" + thousands(f.tbl.n()) + "]")
}

// render is the table, or why it is empty: the read's error (and that
// ctrl+r reads again), that it is being read, or none (what the page has
// to say about having nothing).
func (f *fetched) render(m *Model, now time.Time, w, h int, what, none string) []string {
	var why string
	switch {
	case f.err != nil:
		why = "Could not read the " + what + ": " + clean(f.err.Error()) + " — ctrl+r tries again."
	case f.loading && f.tbl.n() == 0:
		why = "Reading the " + what + "…"
	case f.tbl.n() == 0:
		why = none
	}
	if why != "" {
		return []string{"", "  " + m.st.Muted.Render(fit(why, max(w-2, 1)))}
	}
	return f.tbl.render(renderCtx{now: now, st: &m.st, width: w, rowsShown: h - 1})
}

// listKey is esc (back) and the movement keys; ok is false for others.
func (f *fetched) listKey(m *Model, msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if matches(msg, m.keys.Back) {
		m.pop()
		return nil, true
	}
	t := &f.tbl
	if pos, ok := m.scroll(msg, t.cursor, t.n(), t.height); ok {
		t.cursor = pos
		t.clamp()
		return nil, true
	}
	return nil, false
}
