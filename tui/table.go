package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// table is the one list widget every pane uses. Rows are plain strings built
// once per refresh; View renders only the rows that fit on screen, and age
// columns are computed at View time from the row's timestamps, so ages move
// without rebuilding rows.

// column describes one column and how it gives way on narrow terminals.
type column struct {
	title string
	min   int  // narrowest useful width
	soft  int  // a wide column shrinks to this before others are dropped (0 = never)
	max   int  // cap on the natural width (0 = no cap)
	prio  int  // 0 = always shown; the highest numbers are dropped first
	at    int  // 1-based index into row.at: a time column rendered at View time; 0 = text
	date  bool // render the time as a date ("2006-01-02 15:04") rather than an age
	right bool // right-aligned (numbers)
}

// row is one line of a table.
type row struct {
	key   string // identity that keeps the cursor on the same row across refreshes
	ref   rkey   // the resource it shows, for highlights and the detail view
	cells []string
	tones []tone // per cell; nil when no cell is coloured
	at    []time.Time
	still bool // never highlighted: event rows are themselves the news
}

const gutter = 2 // "> " marks the cursor, "* " a row that just changed

type table struct {
	cols    []column
	rows    []row
	natural []int    // widest cell per column, capped by column.max
	filter  string   // lower-cased; "" = no filter
	raw     string   // the filter as typed, for the title
	vis     []int    // indices of rows matching the filter
	search  []string // lower-cased row text, built on first use of a filter
	cursor  int      // index into the visible rows
	offset  int      // first visible row on screen
	height  int      // rows on screen
	selKey  string
	order   sortOrder       // the column the rows are sorted by, if any (sort.go)
	marked  map[string]bool // row keys marked with space (marks.go)
}

// n is the number of rows after filtering.
func (t *table) n() int {
	if t.filter == "" {
		return len(t.rows)
	}
	return len(t.vis)
}

func (t *table) at(i int) *row {
	if t.filter == "" {
		return &t.rows[i]
	}
	return &t.rows[t.vis[i]]
}

// selected returns the row under the cursor.
func (t *table) selected() (*row, bool) {
	if t.cursor < 0 || t.cursor >= t.n() {
		return nil, false
	}
	return t.at(t.cursor), true
}

// setRows replaces the rows and keeps the cursor on the row with the same
// key, wherever it moved to.
func (t *table) setRows(cols []column, rows []row) {
	// Cells come from AWS and Docker: a newline or escape sequence in a name
	// or message would break the screen, whatever the pane forgot to clean.
	for i := range rows {
		for j, c := range rows[i].cells {
			rows[i].cells[j] = clean(c)
		}
	}
	t.cols, t.rows, t.search = cols, rows, nil
	t.sort()
	t.pruneMarks()
	t.measure()
	t.applyFilter()
	t.restore()
}

func (t *table) measure() {
	t.natural = make([]int, len(t.cols))
	for j, c := range t.cols {
		w := width(t.title(j))
		switch {
		case c.at > 0 && c.date:
			w = max(w, 16)
		case c.at > 0:
			w = max(w, 6)
		default:
			for i := range t.rows {
				if c.max > 0 && w >= c.max {
					break // capped: no need to measure the rest
				}
				if j < len(t.rows[i].cells) {
					w = max(w, width(t.rows[i].cells[j]))
				}
			}
		}
		if c.max > 0 {
			w = min(w, c.max)
		}
		t.natural[j] = max(w, c.min, 1)
	}
}

// setFilter narrows the rows to those whose text contains f, ignoring case.
func (t *table) setFilter(f string) {
	t.raw = f
	f = strings.ToLower(f)
	if f == t.filter {
		return
	}
	t.filter = f
	t.applyFilter()
	t.restore()
}

func (t *table) applyFilter() {
	t.vis = t.vis[:0]
	if t.filter == "" {
		return
	}
	if t.search == nil {
		t.search = make([]string, len(t.rows))
		for i := range t.rows {
			t.search[i] = strings.ToLower(strings.Join(t.rows[i].cells, " "))
		}
	}
	for i, s := range t.search {
		if strings.Contains(s, t.filter) {
			t.vis = append(t.vis, i)
		}
	}
}

// restore puts the cursor back on the selected key, or keeps its position
// when that row is gone.
func (t *table) restore() {
	if t.selKey != "" {
		for i, n := 0, t.n(); i < n; i++ {
			if t.at(i).key == t.selKey {
				t.cursor = i
				break
			}
		}
	}
	t.clamp()
}

func (t *table) clamp() {
	n := t.n()
	t.cursor = max(0, min(t.cursor, n-1))
	if r, ok := t.selected(); ok {
		t.selKey = r.key
	}
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if h := max(t.height, 1); t.cursor >= t.offset+h {
		t.offset = t.cursor - h + 1
	}
	t.offset = max(0, min(t.offset, n-max(t.height, 1)))
}

func (t *table) setHeight(h int) { t.height = max(h, 0); t.clamp() }

// layout picks the width of each column for the terminal width: long
// columns give up their excess first, then low-priority columns are
// dropped, then the rest shrink to their minimum. 0 means hidden.
func (t *table) layout(width int) (widths []int, gap int) {
	gap = 1
	if width >= 120 {
		gap = 2
	}
	avail := width - gutter
	widths = append([]int(nil), t.natural...)
	total := func() int {
		sum, shown := 0, 0
		for _, w := range widths {
			if w > 0 {
				sum += w
				shown++
			}
		}
		return sum + gap*max(shown-1, 0)
	}
	if total() <= avail {
		return widths, gap
	}
	for j, c := range t.cols {
		if c.soft > 0 && widths[j] > c.soft {
			widths[j] = max(c.soft, c.min)
		}
	}
	for total() > avail {
		drop := -1
		for j, c := range t.cols {
			if widths[j] > 0 && c.prio > 0 && (drop < 0 || c.prio >= t.cols[drop].prio) {
				drop = j
			}
		}
		if drop < 0 {
			break
		}
		// A long text column (a reason, an event) that can give up just
		// enough is narrowed rather than dropped.
		if over := total() - avail; t.cols[drop].soft > 0 && widths[drop]-t.minWidth(drop) >= over {
			widths[drop] -= over
			break
		}
		widths[drop] = 0
	}
	for over := total() - avail; over > 0; {
		// Shrink the column with the most room above its minimum.
		j := -1
		for k := range t.cols {
			if widths[k] > t.minWidth(k) && (j < 0 || widths[k]-t.minWidth(k) > widths[j]-t.minWidth(j)) {
				j = k
			}
		}
		if j < 0 {
			break // the rows will be cut at the screen edge
		}
		give := min(over, widths[j]-t.minWidth(j))
		widths[j] -= give
		over -= give
	}
	return widths, gap
}

// minWidth is the narrowest a column may get; time columns do not shrink.
func (t *table) minWidth(j int) int {
	if t.cols[j].at > 0 {
		return t.natural[j]
	}
	return max(t.cols[j].min, 1)
}

// renderCtx is what rendering needs from the model.
type renderCtx struct {
	now       time.Time
	st        *styles
	changed   func(rkey) bool
	width     int
	rowsShown int
}

func (c renderCtx) timeCell(t time.Time, date bool) string {
	if t.IsZero() {
		return ""
	}
	if date {
		return t.In(c.now.Location()).Format("2006-01-02 15:04")
	}
	return fmtColAge(c.now.Sub(t))
}

// fmtColAge is a table's age: to the second for ten minutes, which is when
// a learner watches a state change, then to the minute, as k9s does. A
// screen of rows launched within the hour otherwise changed every cell of
// the column each second, and each redraw repainted them all (measured
// with 20,000 instances: the renderer was 44% of an idle deckhand's CPU).
func fmtColAge(d time.Duration) string {
	if d >= 10*time.Minute && d < time.Hour {
		d = d.Truncate(time.Minute)
	}
	return fmtAge(d)
}

// render returns the column header and the visible rows, nothing more: its
// cost depends on the screen size, not on the number of rows.
func (t *table) render(c renderCtx) []string {
	widths, gap := t.layout(c.width)
	sep := strings.Repeat(" ", gap)
	// Rows fit by construction unless even the minimum widths do not.
	used := gutter - gap
	for _, w := range widths {
		if w > 0 {
			used += w + gap
		}
	}
	overflow := used > c.width
	out := make([]string, 0, c.rowsShown+1)

	var b strings.Builder
	b.WriteString(strings.Repeat(" ", gutter))
	first := true
	for j, col := range t.cols {
		if widths[j] == 0 {
			continue
		}
		if !first {
			b.WriteString(sep)
		}
		first = false
		b.WriteString(pad(t.title(j), widths[j], col.right))
	}
	out = append(out, c.st.ColHeader.Render(fit(b.String(), c.width)))

	// The offset kept by Update is for t.height rows; View may be asked for
	// fewer (tiny terminals), so keep the cursor on screen here too.
	off := t.offset
	if c.rowsShown > 0 && t.cursor >= off+c.rowsShown {
		off = t.cursor - c.rowsShown + 1
	}
	for i := off; i < t.n() && i < off+c.rowsShown; i++ {
		r := t.at(i)
		sel := i == t.cursor
		hl := !sel && !r.still && c.changed != nil && c.changed(r.ref)
		plain := sel || hl // whole-line styles: no per-cell colour inside
		b.Reset()
		switch {
		case sel:
			b.WriteString(">")
		case hl:
			b.WriteString("*")
		default:
			b.WriteString(" ")
		}
		if t.marked[r.key] {
			b.WriteString("+") // marked: readable without colour too
		} else {
			b.WriteString(" ")
		}
		first = true
		for j, col := range t.cols {
			if widths[j] == 0 {
				continue
			}
			if !first {
				b.WriteString(sep)
			}
			first = false
			var text string
			if col.at > 0 {
				if col.at <= len(r.at) {
					text = c.timeCell(r.at[col.at-1], col.date)
				}
			} else if j < len(r.cells) {
				text = r.cells[j]
			}
			cell := pad(text, widths[j], col.right)
			if !plain && j < len(r.tones) && r.tones[j] != toneNone {
				cell = c.st.tones[r.tones[j]].apply(cell)
			}
			b.WriteString(cell)
		}
		line := b.String()
		switch {
		case sel:
			line = c.st.selected.apply(pad(line, c.width, false))
		case hl:
			line = c.st.high.apply(pad(line, c.width, false))
		default:
			if overflow {
				line = ansi.Truncate(line, c.width, "")
			}
		}
		out = append(out, line)
	}
	return out
}
