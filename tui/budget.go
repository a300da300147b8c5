package tui

import (
	"fmt"

	"deckhand/internal/resource"
)

// APIStats is what the header says about the client-side API budget
// (internal/budget): the calls of the last minute, and whether the budget
// is holding work back. cmd/deckhand fills it from the budget's counters
// and the watch sources.
type APIStats struct {
	PerMinute int  // calls in the last 60 s, every family
	Held      bool // the budget is holding a sweep back
	Cut       bool // throttling cut a family's rate (AIMD); it recovers slowly
	Behind    int  // resources in transition followed at a slower pace
	// Busiest is the family with the most calls in the minute, and its count.
	Busiest      string
	BusiestCalls int
	// Families are the figures of each family used so far, for :stats
	// (page_stats.go).
	Families []APIFamily
	// Sweep says what the sweeps cost and how old the rows they alone
	// re-read may be, a line each, for :stats.
	Sweep []string
	// Slower names the sweeps that run less often than --refresh ("ec2
	// sweep every 5m"), for the header.
	Slower []string
}

// budgetSeg is the header's budget segment, "" when there is no budget
// (no AWS account). Its notes go in order of urgency, each only if it
// still fits in room columns: a note cut at the screen's edge ("· ec2
// sweep") says less than none; :stats has them all.
func (m *Model) budgetSeg(room int) (string, tone) {
	if m.cfg.APIStats == nil || m.cfg.AWSProblem != "" {
		return "", toneMuted
	}
	s := m.cfg.APIStats()
	text := fmt.Sprintf("api %d/min", s.PerMinute)
	if s.Busiest != "" {
		text += fmt.Sprintf(" (%s %d)", s.Busiest, s.BusiestCalls)
	}
	t := toneMuted
	add := func(note string, nt tone) {
		if width(text)+width(note) > room {
			return
		}
		text += note
		if nt == toneErr || (nt == toneWarn && t != toneErr) {
			t = nt
		}
	}
	if s.Cut {
		if width(text)+len(" · THROTTLED, rate cut") > room {
			text = fmt.Sprintf("api %d/min", s.PerMinute) // throttling matters more than the busiest family
		}
		text, t = text+" · THROTTLED, rate cut", toneErr // even if cut at the edge
	}
	if s.Behind > 0 {
		add(fmt.Sprintf(" · %s in transition at a slower pace", thousands(s.Behind)), toneWarn)
	}
	if s.Held {
		add(" · budget holding the sweep back", toneMuted)
	}
	for _, n := range s.Slower {
		add(" · "+n, toneMuted)
	}
	return text, t
}

// reportOnScreen tells cmd/deckhand which rows of a table page are on
// screen (rowsShown rows from the same offset render uses), so that the
// watchers re-read those first. It only hands over keys; the sources keep
// them under their own lock.
func (m *Model) reportOnScreen(t *table, rowsShown int) {
	if m.cfg.OnScreen == nil {
		return
	}
	byKind := map[resource.Kind][]string{}
	off := t.offset
	if rowsShown > 0 && t.cursor >= off+rowsShown {
		off = t.cursor - rowsShown + 1
	}
	for i := off; i < t.n() && i < off+rowsShown; i++ {
		r := t.at(i)
		byKind[r.ref.kind] = append(byKind[r.ref.kind], r.ref.key)
	}
	for k, keys := range byKind {
		m.cfg.OnScreen(k, keys)
	}
}
