package budget

import (
	"slices"
	"time"
)

// heldFor is how long after a sweep call last waited the family still
// counts as holding the sweep back: a sweep waits in short steps, and the
// header should not blink between them.
const heldFor = 5 * time.Second

// Stats is one family's counters at one moment.
type Stats struct {
	Family     Family
	PerMinute  int     // calls in the last 60 s
	Total      int64   // calls since start
	Throttled  int64   // throttling answers since start
	Rate       float64 // the current rate (below Configured after a cut)
	Configured float64
	Waiting    [nPriorities]int // calls waiting now, by priority
	// SweepHeld: the budget is holding the sweep back (a sweep call waited
	// within the last few seconds).
	SweepHeld bool
	// Cut: the rate is below the configured one after throttling.
	Cut bool
}

// Snapshot returns the counters of every family used so far, by family.
func (b *Budget) Snapshot() []Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	out := make([]Stats, 0, len(b.fams))
	for name, f := range b.fams {
		f.b.refill(now)
		s := Stats{Family: name, Total: f.total, Throttled: f.thr, Rate: f.b.rate(now), Configured: f.b.base}
		s.Cut = s.Rate < s.Configured
		sec := now.Unix()
		for i := range f.calls {
			if sec-f.callSec[i] < 60 {
				s.PerMinute += f.calls[i]
			}
		}
		for _, w := range f.queue {
			s.Waiting[w.prio]++
		}
		s.SweepHeld = s.Waiting[Sweep] > 0 || !f.heldAt.IsZero() && now.Sub(f.heldAt) < heldFor
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Stats) int {
		switch {
		case a.Family < b.Family:
			return -1
		case a.Family > b.Family:
			return 1
		}
		return 0
	})
	return out
}
