package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
)

// :stats is the API budget in full: what the header's api segment sums
// up, per family (EC2 describes, ECS clusters/services/tasks, logs,
// writes…) — calls in the last minute, calls waiting for a token, the
// throttling answers AWS (or the sandbox) gave, the rate the family runs
// at against the configured one, whether the budget is holding the sweep
// back — and how old each source's data is. It reads the same counters
// as the header, at render time, so it is as live as the header: it is
// redrawn on the header's age tick (ages.go), not by a loop of its own.

// APIFamily is one API family's figures (cmd/deckhand fills them from
// internal/budget's Stats).
type APIFamily struct {
	Name         string
	PerMinute    int     // calls in the last 60 s
	Waiting      int     // calls waiting for a token now, every priority
	WaitingSweep int     // of which the sweep's
	Throttled    int64   // throttling answers since start
	Rate         float64 // calls/s now: below Configured after a cut
	Configured   float64 // calls/s, --api-rate
	Cut          bool    // throttling cut the rate (AIMD); it grows back slowly
	SweepHeld    bool    // the budget is holding this family's sweep back
}

type statsPage struct {
	pageBase
	scroll int
}

// openStats is :stats.
func (m *Model) openStats(_ []string) tea.Cmd {
	if !isPage[*statsPage](m.current()) {
		m.push(&statsPage{pageBase: pageBase{"stats"}})
	}
	return nil
}

func (p *statsPage) mode() mode { return modeDetail }

func (p *statsPage) title(m *Model) string {
	return m.st.Muted.Render("  API budget and data age, live")
}

func (p *statsPage) view(m *Model, now time.Time, w, h int) []string {
	return m.window(m.statsLines(now), p.scroll, h)
}

func (p *statsPage) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	if matches(msg, m.keys.Back) {
		m.pop()
		return nil
	}
	n, h := len(m.statsLines(m.now())), m.bodyHeight()
	if pos, ok := m.scroll(msg, p.scroll, max(n-h+1, 1), h); ok {
		p.scroll = pos
	}
	return nil
}

// statsCols are the family table's columns: title and width.
var statsCols = []struct {
	title string
	w     int
}{{"FAMILY", 12}, {"CALLS/MIN", 9}, {"WAITING", 8}, {"THROTTLED", 9}, {"RATE NOW", 9}, {"CONFIGURED", 10}, {"STATE", 0}}

func statsRow(cells ...string) string {
	var b strings.Builder
	for i, c := range cells {
		col := statsCols[i]
		switch {
		case col.w == 0:
			b.WriteString(c)
		case i == 0:
			b.WriteString(fmt.Sprintf("%-*s  ", col.w, c))
		default:
			b.WriteString(fmt.Sprintf("%*s  ", col.w, c))
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// statsLines is the page's text.
func (m *Model) statsLines(now time.Time) []string {
	st := &m.st
	var ls []string
	add := func(t tone, s string) { ls = append(ls, st.tone(t).Render(s)) }
	add(toneNone, st.Title.Render("API calls by family")+st.Muted.Render(" — every AWS call waits for its family's token"))
	switch {
	case m.cfg.AWSProblem != "":
		add(toneWarn, "  No AWS calls: "+m.cfg.AWSProblem)
	case m.cfg.APIStats == nil:
		add(toneMuted, "  No API budget in this session.")
	default:
		ls = append(ls, m.familyLines()...)
	}
	ls = append(ls, "", st.Title.Render("Data age")+st.Muted.Render(" — when each source last read its resources"))
	for _, src := range m.srcOrder {
		text, t := m.freshness(now, src, fmtAge)
		if s := m.src[src]; s != nil && s.err != nil {
			text += m.retryNote(src, now)
		}
		add(t, "  "+text)
	}
	return ls
}

// familyLines is the family table, its totals, and what the budget is
// holding back.
func (m *Model) familyLines() []string {
	st := &m.st
	s := m.cfg.APIStats()
	ls := []string{st.Muted.Render("  " + statsRow("FAMILY", "CALLS/MIN", "WAITING", "THROTTLED", "RATE NOW", "CONFIGURED", "STATE"))}
	if len(s.Families) == 0 {
		return append(ls, st.Muted.Render("  No AWS calls yet."))
	}
	var calls, waiting int
	var throttled int64
	for _, f := range s.Families {
		calls, waiting, throttled = calls+f.PerMinute, waiting+f.Waiting, throttled+f.Throttled
		state, t := "ok", toneNone
		switch {
		case f.Cut:
			state, t = "THROTTLED: rate cut, growing back", toneErr
		case f.Throttled > 0:
			state = "recovered from throttling"
		}
		if f.SweepHeld {
			state += "; holding the sweep back"
			if t == toneNone {
				t = toneWarn
			}
		}
		wait := fmt.Sprint(f.Waiting)
		if f.WaitingSweep > 0 {
			wait = fmt.Sprintf("%d (%d sw)", f.Waiting, f.WaitingSweep)
		}
		row := statsRow(f.Name, thousands(f.PerMinute), wait, fmt.Sprint(f.Throttled),
			fmt.Sprintf("%.2f/s", f.Rate), fmt.Sprintf("%.2f/s", f.Configured), state)
		ls = append(ls, st.tone(t).Render("  "+row))
	}
	ls = append(ls, "  "+statsRow("total", thousands(calls), fmt.Sprint(waiting), fmt.Sprint(throttled), "", "", ""))
	// The prose below is wrapped, not cut: at 80 columns most of it would
	// be lost past the edge.
	para := func(t tone, s string) {
		for i, l := range wrapWords(s, m.width-2, m.width-4) {
			ls = append(ls, st.tone(t).Render(strings.Repeat("  ", min(i, 1)+1)+l))
		}
	}
	if s.Held {
		para(toneMuted, "The budget is holding the sweep back: rows on screen and in transition go first; new and vanished rows show up later.")
	}
	for _, l := range s.Sweep {
		para(toneMuted, l)
	}
	if s.Behind > 0 {
		para(toneWarn, fmt.Sprintf("%s resources in transition are followed at a slower pace than the fast interval.", thousands(s.Behind)))
	}
	if s.Cut {
		para(toneErr, "AWS refused calls as throttled: deckhand halved that family's rate (AIMD); it grows back slowly.")
	}
	return ls
}
