package cloud

import (
	"context"
	"errors"
	"time"

	"deckhand/internal/resource"
)

// StateLister is a StateReader that can list the state and checks of
// every instance of the region (the SDK adapter: DescribeInstanceStatus
// with IncludeAllInstances, 1,000 a page). It is the EC2 sweep's list, as
// ListServices is the ECS one's: EC2 has no call that lists ids alone, and
// this one decodes at about a sixth of the cost of describing every
// instance. What it shows new, changed in state, or gone is then described
// by id; the checks it carries are merged as they are.
type StateLister interface {
	AllInstanceStates(ctx context.Context) ([]InstanceState, error)
}

// The sweeps' CPU is what an idle deckhand with many instances spends
// (decoding: about 24 µs an instance listed by state, 145 µs an instance
// described; profiles on moto), so their intervals grow with the account:
// each stays under about 0.15 s of CPU a minute at any size, --refresh
// bounding them from below. With 2,000 instances the state sweep runs
// every 20 s and the full one every 4 min; with 20,000, every 3m20s and
// every 40 min. The rows on screen do not wait for either: they are
// re-read each fast tick (ec2_states.go).
const (
	stateSweepPerInstance = 10 * time.Millisecond
	fullSweepPerInstance  = 120 * time.Millisecond
)

// ec2Patch is what a state sweep found: instances described because they
// are new or changed state, or whose checks changed, and ids gone.
type ec2Patch struct {
	fresh []resource.Instance
	gone  []string
}

func (p ec2Patch) empty() bool { return len(p.fresh) == 0 && len(p.gone) == 0 }

// stateSweep lists every instance's state and compares it with cur, the
// snapshot when the sweep began.
func (s *EC2Source) stateSweep(ctx context.Context, cur []resource.Instance, sl StateLister) (ec2Patch, error) {
	start := time.Now()
	states, err := sl.AllInstanceStates(ctx)
	if err != nil {
		return ec2Patch{}, err
	}
	idx := make(map[string]int, len(cur))
	for i := range cur {
		idx[cur[i].ID] = i
	}
	var p ec2Patch
	var describe []string
	listed := make(map[string]bool, len(states))
	for _, st := range states {
		listed[st.ID] = true
		i, ok := idx[st.ID]
		if !ok || cur[i].State != st.State {
			describe = append(describe, st.ID)
			continue
		}
		if x, changed := st.applyTo(cur[i]); changed {
			p.fresh = append(p.fresh, x)
		}
	}
	// Not listed: gone, or a terminated instance the status list leaves
	// out while DescribeInstances still shows it. A read by id tells.
	for i := range cur {
		if !listed[cur[i].ID] {
			describe = append(describe, cur[i].ID)
		}
	}
	listTook := time.Since(start)
	if len(describe) > 0 {
		got, err := s.t.r.InstancesByID(ctx, describe)
		if err != nil {
			return ec2Patch{}, err
		}
		found := make(map[string]bool, len(got))
		for _, x := range got {
			found[x.ID] = true
		}
		for _, id := range describe {
			if !found[id] {
				p.gone = append(p.gone, id)
			}
		}
		p.fresh = append(p.fresh, got...)
	}
	s.t.mu.Lock()
	s.t.stats.StateAt, s.t.stats.StateTook, s.t.stats.Listed = start, listTook, len(states)
	s.t.stats.Described, s.t.stats.Gone = len(describe)-len(p.gone), len(p.gone)
	s.t.mu.Unlock()
	return p, nil
}

// mergeStateSweeps applies the state sweeps taken since the last fetch to
// t.cur. A row read after a sweep began (a fast tick) keeps that read; the
// rows a sweep changed are marked read at its start, so that a full sweep
// begun before it does not bring their older state back.
func (t *ec2Targeted) mergeStateSweeps() error {
	var sweepErr error
	for _, r := range t.states.take() {
		var ae *Error
		switch {
		case errors.As(r.err, &ae) && ae.AccessDenied():
			// Not an error of the data: without the list the full
			// sweep runs at its own, shorter interval (sweepEvery).
			t.mu.Lock()
			t.statesDenied = true
			t.mu.Unlock()
			continue
		case r.err != nil:
			sweepErr = r.err
			continue
		}
		t.mu.Lock()
		fresh := make(map[string]*resource.Instance, len(r.val.fresh))
		var added []resource.Instance
		for i := range r.val.fresh {
			x := &r.val.fresh[i]
			if at, ok := t.readAt[x.ID]; ok && at.After(r.startAt) {
				continue
			}
			fresh[x.ID] = x
			added = append(added, *x)
			t.readAt[x.ID] = r.startAt
		}
		gone := map[string]bool{}
		for _, id := range r.val.gone {
			if at, ok := t.readAt[id]; !ok || !at.After(r.startAt) {
				gone[id] = true
				t.goneAt[id] = r.startAt
			}
		}
		t.cur = mergeInstances(t.cur, fresh, gone, added)
		t.mu.Unlock()
	}
	return sweepErr
}

// dropGone removes from a full sweep's list (begun at start) the ids a
// later state sweep found gone.
func (t *ec2Targeted) dropGone(in []resource.Instance, start time.Time) []resource.Instance {
	if len(t.goneAt) == 0 {
		return in
	}
	out := in[:0:0]
	for _, x := range in {
		if at, ok := t.goneAt[x.ID]; ok && at.After(start) {
			continue
		}
		out = append(out, x)
	}
	for id, at := range t.goneAt {
		if !at.After(start) {
			delete(t.goneAt, id)
		}
	}
	return out
}
