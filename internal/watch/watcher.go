package watch

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"deckhand/internal/budget"
	"deckhand/internal/resource"
)

// Source is something the watcher can fetch a whole snapshot from.
type Source interface {
	Name() string
	Fetch(ctx context.Context) (resource.Set, error)
}

// Progressive is implemented by sources whose whole snapshot can take
// seconds (an ECS cluster of thousands of services is hundreds of calls):
// FetchProgress calls partial with the snapshot so far as pages arrive, so
// a first screen shows rows long before the fetch ends. The watcher uses
// it only for a baseline fetch (the first of a generation), when there are
// no rows to show yet; later fetches replace rows already on screen and
// use Fetch.
type Progressive interface {
	FetchProgress(ctx context.Context, partial func(resource.Set)) (resource.Set, error)
}

// partialEvery is the least time between two partial updates: enough to
// show rows as they arrive without redrawing for every batch.
const partialEvery = 100 * time.Millisecond

// Notifier is implemented by event-driven sources (the Docker engine): a
// receive on Notify means "something changed, fetch now". Such sources are
// fetched on each notification and otherwise only at the slow interval.
type Notifier interface {
	Notify() <-chan struct{}
}

// Pacer is implemented by sources whose fetch costs the same whatever the
// account's size (the EC2 source with a cheap account-wide transition
// finder): KeepFast true asks for the fast interval even when nothing in
// the snapshot is in transition, so that a change started elsewhere is
// seen within it.
type Pacer interface {
	KeepFast() bool
}

// Update is what the watcher emits after every fetch.
type Update struct {
	Source string
	Gen    uint64
	At     time.Time // when the fetch finished
	Took   time.Duration
	Set    resource.Set // the snapshot; empty when Err is set
	// Transitions since the previous snapshot of this generation; nil for
	// the first snapshot of a generation (the baseline is not news).
	Transitions []Transition
	Baseline    bool
	// Partial marks a baseline fetch still in progress: Set holds what has
	// arrived so far (the kinds it owns may be incomplete), there are no
	// transitions, and the complete baseline follows.
	Partial bool
	Err     error
	Next    time.Duration // when the next fetch is due
}

// Config is the schedule. Zero fields take the defaults.
type Config struct {
	Fast       time.Duration // while something is transitional (default 2s)
	Slow       time.Duration // when all is steady (default 15s)
	MaxBackoff time.Duration // ceiling of the error backoff (default 2m)
	Settle     time.Duration // delay after a notification, to batch bursts (default 50ms)
}

func (c Config) withDefaults() Config {
	if c.Fast <= 0 {
		c.Fast = 2 * time.Second
	}
	if c.Slow <= 0 {
		c.Slow = 15 * time.Second
	}
	if c.Slow < c.Fast {
		c.Slow = c.Fast
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 2 * time.Minute
	}
	if c.Settle <= 0 {
		c.Settle = 50 * time.Millisecond
	}
	return c
}

// Watcher fetches one source on its schedule. One goroutine (Run) does all
// fetching, so two refreshes of one source are never in flight.
type Watcher struct {
	src     Source
	cfg     Config
	emit    func(Update)
	gen     atomic.Uint64
	refresh chan struct{}
	genCtx  genContext // the current generation's fetches (gen_context.go)
}

// New makes a watcher; emit is called from Run's goroutine after each fetch.
func New(src Source, cfg Config, emit func(Update)) *Watcher {
	return &Watcher{src: src, cfg: cfg.withDefaults(), emit: emit, refresh: make(chan struct{}, 1)}
}

// Name is the source's name.
func (w *Watcher) Name() string { return w.src.Name() }

// Refresh asks for a fetch now. It never blocks; requests coalesce.
func (w *Watcher) Refresh() {
	select {
	case w.refresh <- struct{}{}:
	default:
	}
}

// Reset starts a new generation: a fetch in flight is cancelled and
// dropped, and the next snapshot is a new baseline. Call it after changing
// what the source fetches (e.g. which ECS cluster is in scope).
func (w *Watcher) Reset() {
	w.gen.Add(1)
	w.genCtx.cancel()
	w.Refresh()
}

// Run fetches until ctx ends.
func (w *Watcher) Run(ctx context.Context) {
	var notify <-chan struct{}
	if n, ok := w.src.(Notifier); ok {
		notify = n.Notify()
	}
	var (
		base     Baselines
		baseGen  uint64
		failures int
		prev     resource.Set // the last snapshot, to spot an unchanged one
		moving   bool         // whether prev has anything in transition
		timer    = time.NewTimer(0)
	)
	defer timer.Stop()
	defer w.genCtx.cancel()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-w.refresh:
		case <-notify:
			if !sleep(ctx, w.cfg.Settle) {
				return
			}
		}
		gen := w.gen.Load()
		fctx := w.genCtx.of(ctx, gen)
		if w.gen.Load() != gen {
			continue // Reset between the two loads: its Refresh is pending
		}
		start := time.Now()
		set, err := w.fetch(fctx, gen, start, base == nil || baseGen != gen)
		if ctx.Err() != nil {
			return
		}
		if w.gen.Load() != gen {
			w.Refresh() // stale: the scope changed while we fetched
			continue
		}
		u := Update{Source: w.src.Name(), Gen: gen, At: time.Now(), Took: time.Since(start), Err: err}
		if err != nil {
			failures++
			u.Next = Backoff(w.cfg.Fast, w.cfg.MaxBackoff, failures, IsThrottle(err))
		} else {
			failures = 0
			switch {
			case base == nil || baseGen != gen:
				base, baseGen, u.Baseline = Baselines{}, gen, true
				DiffSet(base, set, u.At)
				moving = AnyTransitional(set)
			case resource.Unchanged(prev, set):
				// The source handed out its last snapshot again: no
				// transition, and no walk over thousands of items.
			default:
				u.Transitions = DiffSet(base, set, u.At)
				moving = AnyTransitional(set)
			}
			prev = set
			u.Set = set
			u.Next = w.cfg.Slow
			if p, ok := w.src.(Pacer); moving || ok && p.KeepFast() {
				u.Next = w.cfg.Fast
			}
		}
		w.emit(u)
		resetTimer(timer, u.Next)
	}
}

// fetch takes a snapshot; a baseline fetch of a Progressive source emits
// partial updates on the way, at most one per partialEvery (the first at
// once, and the first that owns more kinds than the last one emitted),
// none once the generation has moved on.
func (w *Watcher) fetch(ctx context.Context, gen uint64, start time.Time, baseline bool) (resource.Set, error) {
	p, ok := w.src.(Progressive)
	if !ok || !baseline {
		return w.src.Fetch(ctx)
	}
	var last time.Time
	kinds := 0 // how many kinds the last partial emitted owned
	return p.FetchProgress(ctx, func(set resource.Set) {
		// The first rows at once, then at most one update per
		// partialEvery, or per a quarter of the time spent so far when
		// that is longer (up to a second): each partial update re-renders
		// every row so far, and a 40 s first load of 2,000 services at
		// 100 ms was 400 of them (issue 8: most of the first minute's CPU).
		// A partial that brings a kind the last did not own (the first
		// services after the clusters-only one) is the first rows of its
		// pane, and goes at once too: held back, it waited for the next
		// batch up to partialEvery later.
		now := time.Now()
		every := min(max(partialEvery, now.Sub(start)/4), time.Second)
		if w.gen.Load() != gen || (now.Sub(last) < every && len(set.Kinds) <= kinds) {
			return
		}
		last, kinds = now, len(set.Kinds)
		w.emit(Update{Source: w.src.Name(), Gen: gen, At: now, Took: now.Sub(start), Set: set, Partial: true})
	})
}

// Backoff is the delay after the n-th consecutive failure: exponential from
// base, capped, with jitter so that many clients do not retry in step.
// Throttling starts one step further back.
func Backoff(base, max time.Duration, n int, throttled bool) time.Duration {
	if throttled {
		n++
	}
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	// Equal jitter: between d/2 and d.
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// IsThrottle reports whether err carries an AWS throttling error code (the
// budget's list: one list for the middleware, the sandbox and the watcher).
func IsThrottle(err error) bool { return budget.IsThrottle(err) }

func resetTimer(t *time.Timer, d time.Duration) {
	t.Stop()
	select {
	case <-t.C:
	default:
	}
	t.Reset(d)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
