package tui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Sorting, as in k9s: o sorts by the next column (and, after the last,
// back to the page's own order), O flips the direction. The sorted column's
// title carries ↑ or ↓. The order is kept per kind of page, so a drill-down
// opened again sorts as it did.

// sortOrder is a table's sort: the column by its title (columns come and
// go with the width and the scope; a title stays) and the direction.
type sortOrder struct {
	by   string // "" = the page's own order
	desc bool
}

// title is column j's header, with the sort arrow when it is the sort key.
func (t *table) title(j int) string {
	c := t.cols[j]
	if t.order.by == "" || c.title != t.order.by {
		return c.title
	}
	if t.order.desc {
		return c.title + " ↓"
	}
	return c.title + " ↑"
}

// sortCol is the index of the sort column, or -1.
func (t *table) sortCol() int {
	if t.order.by == "" {
		return -1
	}
	return slices.IndexFunc(t.cols, func(c column) bool { return c.title == t.order.by })
}

// sort orders the rows by the sort column. It is stable, so rows with the
// same value keep the page's own order (by name, newest first…).
func (t *table) sort() {
	j := t.sortCol()
	if j < 0 {
		return
	}
	col := t.cols[j]
	slices.SortStableFunc(t.rows, func(a, b row) int {
		c := compareCells(col, &a, &b, j)
		if t.order.desc {
			return -c
		}
		return c
	})
}

// compareCells compares two rows' values of column j: times by time (an
// age column ascending is the youngest first, as its numbers grow), numbers
// as numbers, text without case. Empty values sort last in ascending order
// (first in descending, which reverses everything).
func compareCells(col column, a, b *row, j int) int {
	if col.at > 0 {
		ta, tb := rowTime(a, col.at), rowTime(b, col.at)
		switch {
		case ta.IsZero() || tb.IsZero():
			return cmp.Compare(boolInt(ta.IsZero()), boolInt(tb.IsZero()))
		case col.date:
			return ta.Compare(tb)
		}
		return tb.Compare(ta) // an age: the later time is the smaller age
	}
	x, y := cell(a, j), cell(b, j)
	if x == "" || y == "" {
		return cmp.Compare(boolInt(x == ""), boolInt(y == ""))
	}
	if fx, err := strconv.ParseFloat(x, 64); err == nil {
		if fy, err := strconv.ParseFloat(y, 64); err == nil {
			return cmp.Compare(fx, fy)
		}
	}
	return cmp.Compare(strings.ToLower(x), strings.ToLower(y))
}

func rowTime(r *row, at int) time.Time {
	if at <= len(r.at) {
		return r.at[at-1]
	}
	return time.Time{}
}

func cell(r *row, j int) string {
	if j < len(r.cells) {
		return r.cells[j]
	}
	return ""
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nextSort is o: the column after the current sort column, or back to the
// page's own order after the last.
func (t *table) nextSort() sortOrder {
	j := t.sortCol() + 1
	if j >= len(t.cols) {
		return sortOrder{}
	}
	return sortOrder{by: t.cols[j].title}
}

// sortKey handles o and O on a table page; ok is false for other keys.
func (m *Model) sortKey(p *listPage, msg tea.KeyPressMsg) bool {
	k := &m.keys
	t := &p.tbl
	var o sortOrder
	switch {
	case matches(msg, k.Sort):
		o = t.nextSort()
	case matches(msg, k.Reverse):
		if t.order.by == "" {
			m.info("not sorted: o sorts by a column first")
			return true
		}
		o = sortOrder{by: t.order.by, desc: !t.order.desc}
	default:
		return false
	}
	if m.sorts == nil {
		m.sorts = map[*listSpec]sortOrder{}
	}
	// Rebuilt from the store: the page's own order is the rows as built.
	m.sorts[p.spec] = o
	p.invalidate()
	p.refresh(m)
	if t.order.by == "" {
		m.info("sorted as the page lists them")
	} else {
		m.info("sorted by " + strings.ToLower(t.order.by) + map[bool]string{false: ", ascending (O reverses)", true: ", descending (O reverses)"}[t.order.desc])
	}
	return true
}
