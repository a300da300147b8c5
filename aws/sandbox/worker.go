package sandbox

import (
	"context"
	"errors"
	"sync"
)

// The engine worker. A call (Account.run) holds the account's mutex and
// file lock only to advance the simulation, answer and save: it never waits
// on the engine. When the state has containers to reconcile (syncNeeded)
// and no engine work is in flight, the call starts the worker, which runs
// one round outside the lock:
//
//  1. list the account's containers on the engine (unlocked);
//  2. plan (sync.go) under the lock: quick, no engine call; what the plan
//     decided from the list (adoptions, vanished containers) is saved;
//  3. carry the planned jobs out (runJobs, a few at a time, unlocked), each
//     with its own context, cancelled when the account is closed or the
//     job is superseded (a start or probe for a task that has since been
//     told to stop);
//  4. apply what the engine did under the lock, as events on the state as
//     it is then, and save, so results persist in the state file as
//     before. A job whose task, instance or listener is gone meanwhile is
//     dropped: the next round's list finds what the engine has.
//
// Calls made meanwhile are answered from the state at once; the round's
// results show from the first call after step 4.
//
// Ownership. Several Accounts (in one process or many) may share a state
// file, and two workers planning from the same state would both start the
// same container. So a round is owned by a lock on a sibling ".engine"
// file, taken in step 1 (waiting for it, outside the account's lock) and
// held until step 4 has saved: while one deckhand's worker has a round in
// flight the others wait, and whichever plans next sees its results in the
// file. A process that dies mid-round loses the lock with it; the
// containers it started carry their labels and are adopted by the next
// round (runner.go).
type engineWork struct {
	ctx  context.Context // the account's: cancelled by Close
	stop context.CancelFunc

	mu   sync.Mutex
	done chan struct{} // closed when the round in flight ends; nil = idle
	// rounds counts the rounds ended, work the engine calls other than
	// health probes that the last one made (Flush).
	rounds, work int

	// inflight are the jobs of the round in flight, guarded by Account.mu
	// (set and cleared in the worker's locked steps).
	inflight []*engineJob
	planned  *state // the state inflight's pointers belong to
	// listed is how many containers of the account the last round found
	// on the engine (guarded by Account.mu): while there are any, every
	// call plans a round, so one whose task or cluster the state has
	// forgotten is removed too.
	listed int
}

// engineEvents runs in every call, under the lock: it supersedes in-flight
// jobs that are no longer wanted and starts a round when one is needed.
func (a *Account) engineEvents(w *world) {
	if a.runner == nil {
		return
	}
	for _, j := range a.eng.inflight {
		if j.t != nil && j.cancel != nil && j.t.DesiredStatus == "STOPPED" && (j.kind == jobStart || j.kind == jobProbe) {
			j.cancel()
		}
	}
	if !a.syncNeeded(w) && !a.images.wanted() || a.eng.ctx.Err() != nil {
		return
	}
	a.eng.mu.Lock()
	defer a.eng.mu.Unlock()
	if a.eng.done != nil {
		return
	}
	done := make(chan struct{})
	a.eng.done = done
	go func() {
		work := 0
		defer func() {
			a.eng.mu.Lock()
			a.eng.done = nil
			a.eng.rounds++
			a.eng.work = work
			a.eng.mu.Unlock()
			close(done)
		}()
		work = a.round(a.eng.ctx)
	}()
}

// round is one round of the worker (see engineWork). It returns how many
// engine calls other than health probes it made.
func (a *Account) round(ctx context.Context) (work int) {
	// Another worker's round (this process's or another's) is waited for,
	// not skipped: this round then plans from the state it left.
	unlock, err := lockFile(ctx, a.path+".engine")
	if err != nil {
		return work
	}
	defer unlock()
	for again := true; again && ctx.Err() == nil; {
		again = false
		a.images.checkWanted(ctx, a.runner)
		list, listErr := a.runner.List(ctx, a.accountLabel())
		if ctx.Err() != nil {
			return work
		}
		var jobs []*engineJob
		err := a.run(ctx, false, func(w *world, _ *region) error {
			jobs = a.plan(w, list, listErr)
			a.eng.listed = len(list)
			for _, j := range jobs {
				j.ctx, j.cancel = context.WithCancel(ctx)
			}
			a.eng.inflight, a.eng.planned = jobs, w.state
			return nil
		})
		if err != nil {
			return work
		}
		a.runJobs(ctx, jobs)
		for _, j := range jobs {
			if j.kind != jobProbe {
				work++
			}
		}
		err = a.run(ctx, false, func(w *world, _ *region) error {
			stale := w.state != a.eng.planned
			for _, j := range jobs {
				j.cancel()
				if errors.Is(j.err, context.Canceled) || stale && !w.rebind(j) {
					continue
				}
				w.apply(j)
			}
			a.eng.inflight, a.eng.planned = nil, nil
			return nil
		})
		if err != nil {
			a.mu.Lock()
			a.eng.inflight, a.eng.planned = nil, nil
			a.mu.Unlock()
			return work
		}
		a.mu.Lock()
		proxy := a.proxy.wanted
		a.proxy.wanted = false
		a.mu.Unlock()
		if proxy {
			// The plan needed the proxy image: build it (once per Account,
			// up to proxyBuildTimeout) outside the lock, and plan again.
			_, err := a.proxyRef(ctx)
			again = err == nil
		}
		// A plan (an instance's user data) or the last advance wanted an
		// image: ask, and plan again with the answer.
		again = again || a.images.wanted()
	}
	return work
}

// settle waits until the round in flight, if any, has ended: its results
// are in the state.
func (a *Account) settle() { _ = a.settleCtx(context.Background()) }

func (a *Account) settleCtx(ctx context.Context) error {
	a.eng.mu.Lock()
	done := a.eng.done
	a.eng.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Flush brings the engine in line with the state as it is now and waits
// for it (or for ctx): the round in flight ends, and rounds are planned
// from the state each left until one has nothing to do but health probes
// (a container stopped in one round is removed in the next, once its
// output is copied). A one-shot command calls it before it exits, so that
// what its last call decided is done now rather than when deckhand next
// opens this account.
func (a *Account) Flush(ctx context.Context) error {
	if a.runner == nil {
		return nil
	}
	for {
		if err := a.settleCtx(ctx); err != nil {
			return err
		}
		a.eng.mu.Lock()
		before := a.eng.rounds
		a.eng.mu.Unlock()
		if err := a.run(ctx, false, func(*world, *region) error { return nil }); err != nil {
			return err
		}
		if err := a.settleCtx(ctx); err != nil {
			return err
		}
		a.eng.mu.Lock()
		idle := a.eng.rounds == before || a.eng.work == 0
		a.eng.mu.Unlock()
		if idle || a.eng.ctx.Err() != nil {
			return nil
		}
	}
}

// Close stops the engine worker: engine calls in flight are cancelled,
// and Close returns once the worker has stopped. The account's containers
// stay as they are; the next Account on the file reconciles them.
func (a *Account) Close() error {
	a.eng.stop()
	a.settle()
	return nil
}

// rebind points j at the resources of w's state that it was planned for
// on an older copy of the state (another process wrote the file since);
// false when they are gone.
func (w *world) rebind(j *engineJob) bool {
	if j.r == nil && j.in == nil && j.l == nil {
		return true // a leftover's removal: nothing to record
	}
	if j.r != nil {
		if j.r = w.Regions[j.r.Name]; j.r == nil {
			return false
		}
	}
	if j.c != nil {
		j.c = find(j.r.Clusters, func(c *cluster) bool { return c.ARN == j.c.ARN })
		if j.c == nil {
			return false
		}
		arn := j.t.ARN
		if j.t = find(j.c.Tasks, func(t *task) bool { return t.ARN == arn }); j.t == nil {
			j.t = find(j.c.Stopped, func(t *task) bool { return t.ARN == arn })
		}
		if j.t == nil {
			return false
		}
		if j.ct != nil {
			if j.ct = j.t.container(j.ct.Name); j.ct == nil {
				return false
			}
		}
	}
	if j.in != nil {
		id, idx := j.in.ID, j.ru.Index
		j.in, j.ru = nil, nil
		for _, r := range w.Regions {
			if in := find(r.Instances, func(in *instance) bool { return in.ID == id }); in != nil {
				j.in, j.ru = in, in.run(idx)
			}
		}
		if j.ru == nil {
			return false
		}
	}
	if j.l != nil {
		arn := j.l.ARN
		j.l = nil
		for _, r := range w.Regions {
			for _, lb := range r.LoadBalancers {
				if l := find(lb.Listeners, func(l *listener) bool { return l.ARN == arn }); l != nil {
					j.l = l
				}
			}
		}
		if j.l == nil {
			return false
		}
	}
	return true
}
