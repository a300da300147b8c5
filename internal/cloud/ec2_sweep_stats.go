package cloud

import (
	"context"
	"fmt"
	"time"

	"deckhand/internal/resource"
)

// EC2SweepStats is what the last full EC2 sweep did, for :stats and the
// header: EC2 has no call that lists instance ids cheaply, so each sweep
// decodes every instance, and with a TransitionFinder the sweep runs less
// often than --refresh in a big account (ec2SweepEvery). The user is told.
type EC2SweepStats struct {
	At      time.Time     // when the last sweep began; zero = none yet
	Took    time.Duration // how long it took
	Read    int           // instances it read
	Every   time.Duration // the interval between sweeps at this size
	Refresh time.Duration // --refresh, what the interval would be
}

// ec2SweepRead is the sweep's full read, timed for EC2SweepStats.
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

// sweepEvery is the interval between two full sweeps of n instances: the
// --refresh interval, or longer with a TransitionFinder in a big account.
func (s *EC2Source) sweepEvery(n int, hasFinder bool) time.Duration {
	every := s.t.sweep.interval()
	if hasFinder {
		every = max(every, ec2SweepEvery(n))
	}
	s.t.mu.Lock()
	s.t.stats.Every, s.t.stats.Refresh = every, s.t.sweep.interval()
	s.t.mu.Unlock()
	return every
}

// EC2SweepStats reports the last sweep; ok is false before the first one
// or when the source re-reads everything on every fetch.
func (s *EC2Source) EC2SweepStats() (st EC2SweepStats, ok bool) {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	return s.t.stats, s.t.r != nil && s.t.stats.Every > 0
}

// Slower is the header's note when the sweep runs less often than
// --refresh ("ec2 sweep every 5m"), "" otherwise.
func (st EC2SweepStats) Slower() string {
	if st.Every <= st.Refresh {
		return ""
	}
	return "ec2 sweep every " + roundDur(st.Every)
}

// Lines is what :stats says of the EC2 sweep.
func (st EC2SweepStats) Lines(now time.Time) []string {
	var out []string
	if st.At.IsZero() {
		out = append(out, fmt.Sprintf("EC2 sweep: every %s; none since the first read.", roundDur(st.Every)))
	} else {
		out = append(out, fmt.Sprintf("EC2 sweep: %d instances read in %s, every %s; the last began %s ago.",
			st.Read, st.Took.Round(100*time.Millisecond), roundDur(st.Every), now.Sub(st.At).Round(time.Second)))
	}
	if st.Every > st.Refresh {
		out = append(out,
			fmt.Sprintf("It runs less often than --refresh (%s): each sweep decodes every instance (EC2 lists no ids alone), about 15 ms of sweep interval per instance keeps it under 0.5 s of CPU a minute.", roundDur(st.Refresh)),
			"Launches, stops and terminations still show within the fast interval (one DescribeInstances filtered by state each tick), and the rows on screen are re-read each tick; the sweep alone finds other changes of rows off screen.")
	}
	return out
}

// roundDur is d to the second below a minute, else to the minute and
// second ("5m0s" reads "5m").
func roundDur(d time.Duration) string {
	d = d.Round(time.Second)
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	return d.String()
}
