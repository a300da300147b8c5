package cloud

import (
	"context"
	"fmt"
	"time"

	"deckhand/internal/resource"
)

// EC2SweepStats is what the EC2 sweeps did, for :stats and the header.
// EC2 has no call that lists instance ids alone, so each sweep decodes
// every instance, and in a big account the sweeps run less often than
// --refresh (ec2_state_sweep.go): the user is told.
type EC2SweepStats struct {
	Refresh time.Duration // --refresh, what the intervals would be

	// The state sweep: every instance's state and checks listed.
	StateEvery time.Duration // 0: none (the Reader cannot list states)
	StateAt    time.Time     // when the last one began; zero = none yet
	StateTook  time.Duration // its list
	Listed     int           // instances it listed
	Described  int           // of those, described because new or changed
	Gone       int           // rows it found gone

	// The full sweep: every instance described.
	Every time.Duration
	At    time.Time // zero = none since the first read
	Took  time.Duration
	Read  int
}

// ec2SweepRead is the full sweep's read, timed for EC2SweepStats.
func (s *EC2Source) ec2SweepRead(ctx context.Context) ([]resource.Instance, error) {
	start := time.Now()
	in, err := s.c.Instances(ctx)
	if err == nil {
		s.t.mu.Lock()
		s.t.stats.At, s.t.stats.Took, s.t.stats.Read = start, time.Since(start), len(in)
		s.t.mu.Unlock()
	}
	return in, err
}

// sweepEvery is the interval between two full sweeps of n instances, and
// between two state sweeps (0 without a StateLister): --refresh, or
// longer in a big account when the transitions are followed by a
// TransitionFinder.
func (s *EC2Source) sweepEvery(n int, hasFinder, hasLister bool) (full, state time.Duration) {
	refresh := s.t.sweep.interval()
	full = refresh
	switch {
	case hasLister:
		full = max(refresh, time.Duration(n)*fullSweepPerInstance)
		state = max(refresh, time.Duration(n)*stateSweepPerInstance)
	case hasFinder:
		full = max(refresh, ec2SweepEvery(n))
	}
	s.t.mu.Lock()
	s.t.stats.Every, s.t.stats.StateEvery, s.t.stats.Refresh = full, state, refresh
	s.t.mu.Unlock()
	return full, state
}

// EC2SweepStats reports the sweeps; ok is false before the first tick
// after the first read, or when the source re-reads everything on every
// fetch.
func (s *EC2Source) EC2SweepStats() (st EC2SweepStats, ok bool) {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	return s.t.stats, s.t.r != nil && s.t.stats.Every > 0
}

// Slower is the header's note when the sweep that finds new and vanished
// rows runs less often than --refresh ("ec2 sweep every 3m20s"), "" when
// it keeps to --refresh.
func (st EC2SweepStats) Slower() string {
	every := st.Every
	if st.StateEvery > 0 {
		every = st.StateEvery
	}
	if every <= st.Refresh {
		return ""
	}
	return "ec2 sweep every " + roundDur(every)
}

// Lines is what :stats says of the EC2 sweeps.
func (st EC2SweepStats) Lines(now time.Time) []string {
	var out []string
	if st.StateEvery > 0 {
		if st.StateAt.IsZero() {
			out = append(out, fmt.Sprintf("EC2 state sweep (new, gone, state, checks): every %s; none yet.", roundDur(st.StateEvery)))
		} else {
			out = append(out, fmt.Sprintf("EC2 state sweep (new, gone, state, checks): every %s; %d listed in %s, %d described, %d gone; the last began %s ago.",
				roundDur(st.StateEvery), st.Listed, st.StateTook.Round(100*time.Millisecond), st.Described, st.Gone, now.Sub(st.StateAt).Round(time.Second)))
		}
	}
	if st.At.IsZero() {
		out = append(out, fmt.Sprintf("EC2 full sweep (every field): every %s; none since the first read.", roundDur(st.Every)))
	} else {
		out = append(out, fmt.Sprintf("EC2 full sweep (every field): every %s; %d instances read in %s; the last began %s ago.",
			roundDur(st.Every), st.Read, st.Took.Round(100*time.Millisecond), now.Sub(st.At).Round(time.Second)))
	}
	if max(st.Every, st.StateEvery) > st.Refresh {
		out = append(out,
			fmt.Sprintf("The sweeps run less often than --refresh (%s) here: each decodes every instance (EC2 lists no ids alone), so their intervals grow with the account to keep an idle deckhand's CPU low.", roundDur(st.Refresh)),
			"Rows on screen do not wait: their state and checks are re-read each fast tick and every field each --refresh; launches, stops and terminations anywhere show within the fast interval (DescribeInstances filtered by state).")
	}
	return out
}

// roundDur is d to the second, "5m" for whole minutes.
func roundDur(d time.Duration) string {
	d = d.Round(time.Second)
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	return d.String()
}
