package cloud

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	"deckhand/internal/budget"
	"deckhand/internal/resource"
)

// ec2Targeted is EC2Source's state for targeted polling.
type ec2Targeted struct {
	r      TargetedReader
	sweep  *sweeper[[]resource.Instance] // the full sweep: every instance described
	states *sweeper[ec2Patch]            // the state sweep (ec2_state_sweep.go)
	screen onScreen

	mu     sync.Mutex
	cur    []resource.Instance // nil = read everything next
	have   bool
	readAt map[string]time.Time
	goneAt map[string]time.Time // ids a state sweep found gone, when it began
	// statesDenied: the state sweep's list was refused (no
	// ec2:DescribeInstanceStatus); the full sweep finds changes alone.
	statesDenied bool
	next         int
	behind       int
	stats        EC2SweepStats
	// screenFullAt is when the rows on screen were last described in
	// full; between, a StateReader reads their states and checks only.
	screenFullAt time.Time
}

// SetSweep sets how often every instance is re-read (--refresh).
func (s *EC2Source) SetSweep(every time.Duration) {
	s.t.sweep.setEvery(every)
	s.t.states.setEvery(every)
}

// OnScreen tells the source which instances (ids) are on screen.
func (s *EC2Source) OnScreen(ids []string) { s.t.screen.set(ids) }

// Notify fires when a background sweep has something to merge
// (watch.Notifier); both sweeps share the channel.
func (s *EC2Source) Notify() <-chan struct{} { return s.t.sweep.notify }

// Behind is how many instances in transition the last fetch left for a
// later one, and whether a sweep is running.
func (s *EC2Source) Behind() (n int, sweeping bool) {
	s.t.mu.Lock()
	n = s.t.behind
	s.t.mu.Unlock()
	return n, s.t.sweep.isRunning()
}

func (s *EC2Source) targetedFetch(ctx context.Context, partial func(resource.Set)) (resource.Set, error) {
	t := &s.t
	now := time.Now()
	// The instances are handed out as they are, never changed in place
	// afterwards (replace makes a new slice), so that an unchanged fetch
	// hands out the same slice again (resource.Unchanged).
	mk := func(in []resource.Instance) resource.Set {
		return resource.Set{Kinds: []resource.Kind{resource.KindInstance}, Instances: in}
	}
	t.mu.Lock()
	have := t.have
	t.mu.Unlock()
	if !have {
		// Like ECS's first read (targeted_ecs.go): the next sweep is an
		// interval after this read ends, not after it began.
		in, err := s.firstRead(budget.WithPriority(ctx, budget.OnScreen), partial)
		if err != nil {
			return resource.Set{}, err
		}
		end := time.Now()
		t.sweep.started(end)
		t.states.started(end)
		t.mu.Lock()
		t.cur, t.have, t.readAt, t.goneAt = in, true, map[string]time.Time{}, map[string]time.Time{}
		t.mu.Unlock()
		return mk(in), nil
	}
	var sweepErr error
	for _, r := range t.sweep.take() {
		if r.err != nil {
			sweepErr = fmt.Errorf("sweep: %w", r.err)
		} else {
			t.mu.Lock()
			fresh := map[string]*resource.Instance{}
			var late []resource.Instance // launched after the sweep listed
			for i := range t.cur {
				if at, ok := t.readAt[t.cur[i].ID]; ok && at.After(r.startAt) {
					fresh[t.cur[i].ID] = &t.cur[i]
					late = append(late, t.cur[i])
				}
			}
			t.cur = mergeInstances(t.dropGone(r.val, r.startAt), fresh, nil, late)
			for k, at := range t.readAt {
				if !at.After(r.startAt) {
					delete(t.readAt, k)
				}
			}
			t.mu.Unlock()
		}
	}
	if err := t.mergeStateSweeps(); err != nil {
		sweepErr = fmt.Errorf("state sweep: %w", err)
	}
	finder, hasFinder := s.c.(TransitionFinder)
	lister, hasLister := s.c.(StateLister)
	t.mu.Lock()
	hasLister = hasLister && hasFinder && !t.statesDenied
	n, snap := len(t.cur), t.cur
	t.mu.Unlock()
	fullEvery, stateEvery := s.sweepEvery(n, hasFinder, hasLister)
	if t.sweep.sinceStart(now) >= fullEvery {
		t.sweep.maybeStart(ctx, now, s.ec2SweepRead)
	}
	if hasLister && t.states.sinceStart(now) >= stateEvery {
		t.states.maybeStart(ctx, now, func(ctx context.Context) (ec2Patch, error) { return s.stateSweep(ctx, snap, lister) })
	}

	// With a TransitionFinder, one account-wide call finds every instance
	// in transition, including a launch or a stop someone else started:
	// those are fresh without a read by id. By id are then read the rows
	// on screen (a change that began and ended between two ticks, the
	// status checks; moto stops an instance at once) and the instances
	// that were in transition and are no longer (their end state).
	fresh := map[string]*resource.Instance{}
	var moving []resource.Instance
	if hasFinder {
		var err error
		if moving, err = finder.InstancesInTransition(budget.WithPriority(ctx, budget.Transition)); err != nil {
			return resource.Set{}, err
		}
		for i := range moving {
			fresh[moving[i].ID] = &moving[i]
		}
	}

	t.mu.Lock()
	cur := t.cur
	var ids []string
	for i := range cur { // by index: copying each of 20,000 instances was 40 of the 230 ms profiled in an idle minute
		if cur[i].Transitional() && fresh[cur[i].ID] == nil {
			ids = append(ids, cur[i].ID)
		}
	}
	if hasFinder {
		n := len(ids)
		ids = t.screen.addMissing(ids, fresh)
		if sr, ok := s.c.(StateReader); ok && len(ids) > n && !t.screenFullDue(now) {
			shownIDs := ids[n:len(ids):len(ids)]
			ids = ids[:n:n]
			t.mu.Unlock()
			more, err := screenStates(ctx, sr, cur, shownIDs, fresh)
			if err != nil {
				// Not read by state (an IAM policy without
				// ec2:DescribeInstanceStatus is common): described
				// in full, as before there was a StateReader, and
				// their checks then say why they are missing.
				more = shownIDs
			}
			t.mu.Lock()
			ids = append(ids, more...)
		}
	}
	shown := countShown(ids, t.screen.has)
	screen, rest, behind := pick(ids, t.screen.has, max(0, tickEC2Calls-calls(shown, 100))*100, &t.next)
	t.mu.Unlock()

	gone := map[string]bool{}
	for _, b := range []struct {
		ids  []string
		prio budget.Priority
	}{{screen, budget.OnScreen}, {rest, budget.Transition}} {
		if len(b.ids) == 0 {
			continue
		}
		got, err := s.t.r.InstancesByID(budget.WithPriority(ctx, b.prio), b.ids)
		if err != nil {
			return resource.Set{}, err
		}
		for _, id := range b.ids {
			gone[id] = true // unless returned: an id not returned is gone
		}
		for i := range got {
			fresh[got[i].ID] = &got[i]
			delete(gone, got[i].ID)
		}
	}
	cur = mergeInstances(cur, fresh, gone, moving)
	t.mu.Lock()
	for k := range fresh {
		t.readAt[k] = now
	}
	t.cur, t.behind = cur, behind
	t.mu.Unlock()
	return mk(cur), sweepErr
}

// Targeted reports whether the source polls by id (its Reader is a
// TargetedReader) rather than re-reading everything on every fetch.
func (s *EC2Source) Targeted() bool { return s.t.r != nil }

// differsScan is differs without an index: a walk that stops once every
// re-read item has been compared.
func differsScan[T resource.Item](xs []T, fresh map[string]*T) bool {
	seen := 0
	for _, x := range xs {
		if seen == len(fresh) {
			break
		}
		if f, ok := fresh[x.Key()]; ok {
			if !reflect.DeepEqual(*f, x) {
				return true
			}
			seen++
		}
	}
	return seen < len(fresh)
}
