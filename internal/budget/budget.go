package budget

import (
	"context"
	"slices"
	"sync"
	"time"
)

// DefaultRate is each family's rate in calls per second: well under AWS's
// documented sustained rates for the read families (tens per second per
// account and region), which the rest of the account shares.
const DefaultRate = 5.0

// burstSeconds is a family's burst in seconds of its rate: enough for a
// page opened by hand to load its first screen at once.
const burstSeconds = 4

// Clock is the time source; tests inject a fake one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Budget holds the buckets. It is safe for concurrent use; the zero value
// is not usable, use New.
type Budget struct {
	rate  float64
	clock Clock
	mu    sync.Mutex
	fams  map[Family]*family
	seq   uint64
}

// family is one bucket with its queue of waiting calls and its counters.
type family struct {
	b       *bucket
	queue   []*waiter     // by priority, then arrival
	changed chan struct{} // closed (and replaced) when the queue's head may have changed
	calls   [60]int       // calls per second of the last minute, by unix second % 60
	callSec [60]int64     // which second each slot counts
	total   int64
	thr     int64     // throttling answers
	heldAt  time.Time // when a sweep call last had to wait
	lastErr time.Time // when the last throttling answer came
}

type waiter struct {
	prio Priority
	seq  uint64
}

// New makes a budget of rate calls per second per family (DefaultRate
// when rate <= 0); clock nil is the real clock.
func New(rate float64, clock Clock) *Budget {
	if rate <= 0 {
		rate = DefaultRate
	}
	if clock == nil {
		clock = realClock{}
	}
	return &Budget{rate: rate, clock: clock, fams: map[Family]*family{}}
}

// Rate is the configured rate per family.
func (b *Budget) Rate() float64 { return b.rate }

func (b *Budget) family(f Family, now time.Time) *family {
	fam := b.fams[f]
	if fam == nil {
		fam = &family{b: newBucket(b.rate, max(1, int(b.rate*burstSeconds)), now), changed: make(chan struct{})}
		b.fams[f] = fam
	}
	return fam
}

// Wait blocks until f has a token for a call of ctx's priority, and spends
// it. Calls are served by priority, then in arrival order; none is ever
// dropped: Wait returns an error only when ctx ends, and that error goes
// to the caller like any failed call.
func (b *Budget) Wait(ctx context.Context, f Family) error {
	prio := PriorityOf(ctx)
	b.mu.Lock()
	now := b.clock.Now()
	fam := b.family(f, now)
	b.seq++
	w := &waiter{prio: prio, seq: b.seq}
	fam.enqueue(w)
	for {
		var timer <-chan time.Time
		if fam.queue[0] == w {
			fam.b.refill(now)
			d := fam.b.wait(now, prio)
			if d == 0 {
				fam.b.take(prio)
				fam.dequeue(w)
				fam.count(now)
				b.mu.Unlock()
				return nil
			}
			if prio == Sweep {
				fam.heldAt = now
			}
			timer = b.clock.After(d)
		}
		changed := fam.changed
		b.mu.Unlock()
		select {
		case <-ctx.Done():
			b.mu.Lock()
			fam.dequeue(w)
			b.mu.Unlock()
			return ctx.Err()
		case <-timer:
		case <-changed:
		}
		b.mu.Lock()
		now = b.clock.Now()
	}
}

// Observe reports a call's outcome: a throttling answer cuts f's rate.
func (b *Budget) Observe(f Family, throttled bool) {
	if !throttled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	fam := b.family(f, now)
	fam.thr++
	fam.lastErr = now
	fam.b.throttled(now)
}

// enqueue inserts w after every waiter of its priority or higher, and wakes
// the head so that it re-checks whether it is still the head.
func (f *family) enqueue(w *waiter) {
	i, _ := slices.BinarySearchFunc(f.queue, w, func(a, b *waiter) int {
		if a.prio != b.prio {
			return int(a.prio - b.prio)
		}
		return int(a.seq - b.seq)
	})
	f.queue = slices.Insert(f.queue, i, w)
	f.wake()
}

func (f *family) dequeue(w *waiter) {
	if i := slices.Index(f.queue, w); i >= 0 {
		f.queue = slices.Delete(f.queue, i, i+1)
		f.wake()
	}
}

func (f *family) wake() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *family) count(now time.Time) {
	sec := now.Unix()
	i := sec % 60
	if f.callSec[i] != sec {
		f.callSec[i], f.calls[i] = sec, 0
	}
	f.calls[i]++
	f.total++
}
