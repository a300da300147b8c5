package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// The header's ages ("ec2 4s ago") must stay true while nothing else
// redraws, without a render loop: one tick is scheduled for the moment the
// youngest age shown next changes its text — every second while it reads in
// seconds (under an hour, see fmtAge), every minute under a day, then hourly.

type ageTickMsg struct{}

// ageStep is how long until an age of d next changes how fmtAge prints it.
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
		if step := ageStep(now.Sub(at)); next == 0 || step < next {
			next = step
		}
		// A "retrying in N s" countdown moves each second too.
		if s.err != nil && s.retryAt.After(now) {
			if step := ageStep(s.retryAt.Sub(now)); step < next {
				next = step
			}
		}
	}
	return next
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
