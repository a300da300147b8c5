package cloud

import (
	"context"
	"sync"
	"time"

	"deckhand/internal/budget"
)

// DefaultSweep is how often a targeted source re-reads everything (the
// --refresh interval) when SetSweep is not called.
const DefaultSweep = 15 * time.Second

// Per fast tick, how many describe calls a targeted source spends on
// resources in transition: on-screen ones always (a screen is a few dozen
// rows), the rest round-robin in what is left of these. At deckhand's 3 s
// fast interval, 5 calls a tick is 100 a minute, a third of one family's
// default budget; the sweep's share (budget.SweepShare) fits in the rest.
const (
	tickServiceCalls = 5
	tickTaskCalls    = 2
	tickEC2Calls     = 2
)

// sweeper runs a source's full read in the background, at most one at a
// time and one per interval, at the budget's Sweep priority, so that the
// fast, targeted reads go on while a big account is swept (and the sweep's
// calls are spread by the budget rather than sent in one burst).
type sweeper[T any] struct {
	mu      sync.Mutex
	every   time.Duration
	running bool
	startAt time.Time         // of the running or the last sweep
	gen     uint64            // bumped by reset: a sweep of an older scope is dropped
	done    []*sweepResult[T] // published, not yet taken, oldest first
	notify  chan struct{}
}

type sweepResult[T any] struct {
	val     T
	err     error
	startAt time.Time
}

func newSweeper[T any]() *sweeper[T] {
	return &sweeper[T]{every: DefaultSweep, notify: make(chan struct{}, 1)}
}

func (w *sweeper[T]) setEvery(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if d > 0 {
		w.every = d
	}
}

// started records a full read done in the caller's own goroutine (the
// first one, which the user waits for).
func (w *sweeper[T]) started(at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.startAt = at
}

// reset forgets a running sweep's result (the scope changed).
func (w *sweeper[T]) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.gen++
	w.done = nil
}

// maybeStart starts read in a goroutine when the last sweep began an
// interval ago and none is running. ctx is the fetch's, which the watcher
// cancels when it stops or when Reset changes the scope (watch's
// gen_context.go): the sweep ends with it, and a sweep of an old scope
// is dropped by its generation anyway.
func (w *sweeper[T]) maybeStart(ctx context.Context, now time.Time, read func(context.Context) (T, error)) {
	w.maybeRun(ctx, now, func(ctx context.Context, _ func(T)) (T, error) { return read(ctx) })
}

// maybeRun is maybeStart for a sweep in steps: read publishes a step's
// result as soon as it has it (the ECS sweep's lists and new rows), so
// that the watcher merges a new row without waiting for the rest of the
// sweep (its round-robin re-reads), whose result read returns.
func (w *sweeper[T]) maybeRun(ctx context.Context, now time.Time, read func(ctx context.Context, publish func(T)) (T, error)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running || now.Sub(w.startAt) < w.every {
		return
	}
	w.running, w.startAt = true, now
	gen := w.gen
	put := func(r *sweepResult[T], end bool) {
		// A result with nothing to merge is dropped: the fetch it would
		// wake costs the fast tick's calls again (measured: 40 of the
		// idle minute's 191 calls on 2,000 services), for nothing.
		e, ok := any(r.val).(interface{ empty() bool })
		news := r.err != nil || !ok || !e.empty()
		w.mu.Lock()
		if end {
			w.running = false
		}
		if gen == w.gen && news {
			w.done = append(w.done, r)
		}
		w.mu.Unlock()
		if news {
			select { // the watcher fetches now, to merge it
			case w.notify <- struct{}{}:
			default:
			}
		}
	}
	go func() {
		v, err := read(budget.WithPriority(ctx, budget.Sweep), func(v T) { put(&sweepResult[T]{val: v, startAt: now}, false) })
		put(&sweepResult[T]{val: v, err: err, startAt: now}, true)
	}()
}

// interval is how often a sweep starts.
func (w *sweeper[T]) interval() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.every
}

// take returns the results published since the last take, oldest first.
func (w *sweeper[T]) take() []*sweepResult[T] {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.done
	w.done = nil
	return r
}

// Running reports whether a sweep is in progress.
func (w *sweeper[T]) isRunning() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.running
}

// onScreen is the set of keys the UI shows now.
type onScreen struct {
	mu   sync.Mutex
	keys map[string]bool
}

func (o *onScreen) set(keys []string) {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	o.mu.Lock()
	o.keys = m
	o.mu.Unlock()
}

func (o *onScreen) has(k string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.keys[k]
}

// pick splits the transitional keys into the on-screen ones (all of them)
// and, from the others, the next quota, round-robin from *cursor; behind is
// how many others wait for a later tick.
func pick(keys []string, shown func(string) bool, quota int, cursor *int) (screen, rest []string, behind int) {
	var others []string
	for _, k := range keys {
		if shown(k) {
			screen = append(screen, k)
		} else {
			others = append(others, k)
		}
	}
	if len(others) == 0 {
		return screen, nil, 0
	}
	n := min(max(quota, 0), len(others))
	start := *cursor % len(others)
	for i := range n {
		rest = append(rest, others[(start+i)%len(others)])
	}
	*cursor = start + n
	return screen, rest, len(others) - n
}
