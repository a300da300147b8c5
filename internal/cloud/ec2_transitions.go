package cloud

import (
	"context"
	"time"

	"deckhand/internal/resource"
)

// TransitionFinder is a Reader that can list, in one cheap call, every
// instance of the region in a transitional state (pending, stopping,
// shutting-down): the SDK adapter's DescribeInstances filtered by
// instance-state-name. With it, an EC2Source sees a transition anywhere in
// an account of 20,000 instances at the fast interval without re-reading
// them (EC2 has no call that lists only ids), and so asks its watcher to
// keep the fast pace (KeepFast) whatever its snapshot holds.
type TransitionFinder interface {
	InstancesInTransition(ctx context.Context) ([]resource.Instance, error)
}

// KeepFast tells the watcher to fetch at the fast interval even when no
// instance is in transition (watch.Pacer), once instances have been on
// screen: with a TransitionFinder a tick costs one call for the account
// plus one for the rows on screen, not the account's size, and this is
// what lets a stop started in the console show within the fast interval.
// A user who never opens the instances page pays for none of it (the slow
// interval's finder call only).
func (s *EC2Source) KeepFast() bool {
	_, ok := s.c.(TransitionFinder)
	return ok && s.t.r != nil && s.t.screen.any()
}

// any reports whether any key has been on screen.
func (o *onScreen) any() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.keys) > 0
}

// sweepPerInstance is how much sweep interval each instance adds when a
// TransitionFinder follows the transitions: decoding one instance of
// DescribeInstances costs about 115 µs of CPU (the idle profile of 20,000
// on moto: 2.3 s a sweep), so one sweep per n×15 ms keeps the sweep under
// half a second of CPU a minute (issue 8's idle target) at any size.
const sweepPerInstance = 15 * time.Millisecond

// ec2SweepEvery is the least time between two full sweeps of n instances
// when a TransitionFinder follows the transitions: --refresh up to about
// 1,000 instances, 5 minutes at 20,000. What the sweep alone finds then
// waits longer (the status checks and addresses of rows not on screen, a
// terminated instance leaving the list an hour later); a launch, a stop
// or a termination goes through a state the finder reads every fast tick.
func ec2SweepEvery(n int) time.Duration { return time.Duration(n) * sweepPerInstance }

// sinceStart is how long ago the last sweep (or the first read) began.
func (w *sweeper[T]) sinceStart(now time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return now.Sub(w.startAt)
}

// mergeInstances applies a tick's reads to cur: the fresh ones replace
// theirs, the gone ones are dropped and the instances of moving that cur
// does not hold (launched since the last sweep) are appended. When nothing
// differs it returns cur itself, so that the watcher sees the same
// snapshot (resource.Unchanged) and walks none of 20,000 instances; an id
// asked for that cur no longer holds (a row still on screen) is no change.
func mergeInstances(cur []resource.Instance, fresh map[string]*resource.Instance, gone map[string]bool, moving []resource.Instance) []resource.Instance {
	added := newIDs(cur, moving)
	if len(added) == 0 && !holdsAny(cur, gone) && !differsScan(cur, fresh) {
		return cur
	}
	out := make([]resource.Instance, 0, len(cur)+len(added))
	for _, x := range cur {
		if gone[x.ID] {
			continue
		}
		if f, ok := fresh[x.ID]; ok {
			x = *f
		}
		out = append(out, x)
	}
	return append(out, added...)
}

// holdsAny reports whether xs holds an instance whose id is in ids.
func holdsAny(xs []resource.Instance, ids map[string]bool) bool {
	if len(ids) == 0 {
		return false
	}
	for i := range xs {
		if ids[xs[i].ID] {
			return true
		}
	}
	return false
}

// newIDs is the instances of moving that xs does not hold yet (a launch
// found by the TransitionFinder before a sweep lists it), each once.
func newIDs(xs []resource.Instance, moving []resource.Instance) []resource.Instance {
	if len(moving) == 0 {
		return nil
	}
	known := make(map[string]bool, len(moving))
	for _, m := range moving {
		known[m.ID] = false
	}
	for _, x := range xs {
		if _, ok := known[x.ID]; ok {
			known[x.ID] = true
		}
	}
	var out []resource.Instance
	for _, m := range moving {
		if !known[m.ID] {
			known[m.ID] = true
			out = append(out, m)
		}
	}
	return out
}

// addMissing appends to ids the keys on screen that are neither in ids nor
// in skip.
func (o *onScreen) addMissing(ids []string, skip map[string]*resource.Instance) []string {
	in := make(map[string]bool, len(ids))
	for _, k := range ids {
		in[k] = true
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for k := range o.keys {
		if !in[k] && skip[k] == nil {
			ids = append(ids, k)
		}
	}
	return ids
}
