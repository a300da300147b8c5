package sandbox

import (
	"context"
	"errors"
	"os"
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
// file, taken without waiting in step 1 and held until step 4 has saved:
// while one deckhand's worker has a round in flight the others plan none,
// and whichever plans next sees its results in the file. A process that
// dies mid-round loses the lock with it; the containers it started carry
// their labels and are adopted by the next round (runner.go).
type engineWork struct {
	ctx  context.Context // the account's: cancelled by Close
	stop context.CancelFunc

	mu   sync.Mutex
	done chan struct{} // closed when the round in flight ends; nil = idle

	// inflight are the jobs of the round in flight, guarded by Account.mu
	// (set and cleared in the worker's locked steps).
	inflight []*engineJob
	planned  *state // the state inflight's pointers belong to
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
	if !a.syncNeeded(w) || a.eng.ctx.Err() != nil {
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
		defer func() {
			a.eng.mu.Lock()
			a.eng.done = nil
			a.eng.mu.Unlock()
			close(done)
		}()
		a.round(a.eng.ctx)
	}()
}

// round is one round of the worker (see engineWork).
func (a *Account) round(ctx context.Context) {
	f, err := os.OpenFile(a.path+".engine", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	if ok, err := tryLock(f); !ok || err != nil {
		return // another worker's round is in flight
	}
	defer unlockFile(f)
	for again := true; again && ctx.Err() == nil; {
		again = false
		list, listErr := a.runner.List(ctx, a.accountLabel())
		if ctx.Err() != nil {
			return
		}
		var jobs []*engineJob
		err := a.run(ctx, false, func(w *world, _ *region) error {
			jobs = a.plan(w, list, listErr)
			for _, j := range jobs {
				j.ctx, j.cancel = context.WithCancel(ctx)
			}
			a.eng.inflight, a.eng.planned = jobs, w.state
			return nil
		})
		if err != nil {
			return
		}
		a.runJobs(ctx, jobs)
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
			return
		}
		a.mu.Lock()
		again, a.proxy.wanted = a.proxy.wanted, false
		a.mu.Unlock()
		if again {
			// The plan needed the proxy image: build it (once per Account,
			// up to proxyBuildTimeout) outside the lock, and plan again.
			if _, err := a.proxyRef(ctx); err != nil {
				again = false
			}
		}
	}
}

// settle waits until the round in flight, if any, has ended: its results
// are in the state. Tests use it to wait for the engine the way calls no
// longer do.
func (a *Account) settle() {
	a.eng.mu.Lock()
	done := a.eng.done
	a.eng.mu.Unlock()
	if done != nil {
		<-done
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
				j.in, j.ru = in, find(in.Runs, func(ru *instanceRun) bool { return ru.Index == idx })
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
