package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// The header's ages ("ecs 10s ago") must stay true while nothing else
// redraws, without a render loop: one tick is scheduled for the moment the
// youngest age shown next changes its text.
//
// What an idle deckhand costs is mostly its redraws, so the header's ages
// are coarse (fmtAgo): "<5s" while the data is fresh, then 5 s steps under a
// minute, then whole minutes. A source re-read every few seconds then keeps
// the same text and costs no redraw at all, where second-by-second ages
// redrew on every fetch and every second. They are also counted in whole
// seconds of the clock (clockAge), so that every age changes on the same
// tick: counted from each source's own fraction of a second, three sources
// were three redraws a second (measured: 174 age ticks in an idle minute).
//
// The pages that show a clock to read second by second (the lifecycle
// diagram's time in the current state, a detail's transitions, the :stats
// page's data ages) still tick every second.

type ageTickMsg struct{}

// clockAge is the age of at as shown at now: the whole seconds of the clock
// between them, so that it changes exactly when now's second does.
func clockAge(now, at time.Time) time.Duration {
	return now.Truncate(time.Second).Sub(at.Truncate(time.Second))
}

// fmtAgo is the header's age of data: "<5s", "15s", "3m", "5h2m", "12d3h".
func fmtAgo(d time.Duration) string {
	switch {
	case d < 5*time.Second:
		return "<5s"
	case d < time.Minute:
		return fmtAge(d.Truncate(5 * time.Second))
	case d < 100*24*time.Hour:
		return fmtAge(d.Truncate(time.Minute))
	}
	return fmtAge(d)
}

// agoStep is how long until an age of d next changes how fmtAgo prints it.
func agoStep(d time.Duration) time.Duration {
	res := time.Hour
	switch {
	case d < time.Minute:
		res = 5 * time.Second
	case d < 24*time.Hour:
		res = time.Minute
	}
	return res - d%res
}

// ageStep is how long until an age of d next changes how fmtAge prints it
// (the per-second clocks: a retry's countdown, a lifecycle's time spent).
func ageStep(d time.Duration) time.Duration {
	res := time.Hour
	switch {
	case d < time.Hour:
		res = time.Second
	case d < 24*time.Hour:
		res = time.Minute
	}
	return res - d%res
}

// nextAgeTick is the wait until some shown age changes, or 0 when no age is
// shown (nothing loaded yet, or every source unavailable).
func (m *Model) nextAgeTick(now time.Time) time.Duration {
	var next time.Duration
	// Every age changes on a whole second of the clock: the wait is the
	// step of the age, less the part of the current second gone by.
	frac := now.Sub(now.Truncate(time.Second))
	soonest := func(step time.Duration) {
		if step -= frac; next == 0 || step < next {
			next = step
		}
	}
	for _, src := range []string{srcEC2, srcECS, srcDocker} {
		s := m.src[src]
		if s == nil || s.updates == 0 || s.loading {
			continue
		}
		at := s.okAt
		if at.IsZero() {
			at = s.errAt
		}
		if at.IsZero() {
			continue
		}
		soonest(agoStep(clockAge(now, at)))
		// A "retrying in N s" countdown (a failed fetch, or one that could
		// not read some kinds) moves each second.
		if s.retryAt.After(now) {
			soonest(ageStep(clockAge(s.retryAt, now)))
		}
	}
	if m.showsClock() { // even before any data: :stats counts the first load's calls
		soonest(time.Second)
	}
	return next
}

// showsClock reports whether the page on screen shows a clock to read
// second by second: one resource's time in its state, which a learner
// watches move, or :stats' exact data ages.
func (m *Model) showsClock() bool {
	if len(m.stack) == 0 {
		return false
	}
	switch m.current().(type) {
	case *lifecyclePage, *detailPage, *statsPage:
		return true
	}
	return false
}

// scheduleAgeTick starts the one age tick, unless one is pending.
func (m *Model) scheduleAgeTick() tea.Cmd {
	if m.ageTicking {
		return nil
	}
	wait := m.nextAgeTick(m.now())
	if wait == 0 {
		return nil
	}
	m.ageTicking = true
	return tea.Tick(wait, func(time.Time) tea.Msg { return ageTickMsg{} })
}
