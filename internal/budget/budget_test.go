package budget

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when the test says so; After fires
// once Advance passes its deadline.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.timers = append(c.timers, fakeTimer{c.now.Add(d), ch})
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if !t.at.After(c.now) {
			t.ch <- c.now
		} else {
			kept = append(kept, t)
		}
	}
	c.timers = kept
}

func TestBucketArithmetic(t *testing.T) {
	t0 := time.Unix(1000, 0)
	sec := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	tests := []struct {
		name string
		run  func(b *bucket)
		at   time.Time
		prio Priority
		want time.Duration // wait at `at`
		rate float64       // rate at `at`
	}{
		{"full burst serves at once", func(b *bucket) {}, t0, OnScreen, 0, 5},
		{"empty bucket waits one token", func(b *bucket) {
			for range 20 {
				b.take(OnScreen)
			}
		}, t0, OnScreen, 200*time.Millisecond + time.Millisecond, 5},
		{"tokens refill at the rate", func(b *bucket) {
			for range 20 {
				b.take(OnScreen)
			}
		}, sec(0.2), OnScreen, 0, 5},
		{"the burst caps saving", func(b *bucket) { b.refill(sec(100)) }, sec(100), OnScreen, 0, 5},
		{"a sweep of a few calls does not wait", func(b *bucket) {
			for range 3 {
				b.take(Sweep)
			}
		}, t0, Sweep, 0, 5},
		{"the sweep has a share of the rate", func(b *bucket) {
			for range 4 { // its burst: 4 s of its share
				b.take(Sweep)
			}
		}, t0, Sweep, time.Second + time.Millisecond, 5},
		{"a throttle halves the rate and drops the saved tokens", func(b *bucket) { b.throttled(t0) }, t0, OnScreen, 400*time.Millisecond + time.Millisecond, 2.5},
		{"two throttles in one second are one cut", func(b *bucket) { b.throttled(t0); b.throttled(sec(0.5)) }, sec(0.5), OnScreen, 0, 2.5 + 5*recoverPerSec*0.5},
		{"two throttles a second apart halve twice", func(b *bucket) { b.throttled(t0); b.throttled(sec(1)) }, sec(1), OnScreen, perToken((2.5 + 5*recoverPerSec) / 2), (2.5 + 5*recoverPerSec) / 2},
		{"the rate never falls below the floor", func(b *bucket) {
			for i := range 20 {
				b.throttled(sec(float64(i)))
			}
		}, sec(19), OnScreen, time.Duration(float64(time.Second)/(5*floorShare)) + time.Millisecond, 5 * floorShare},
		{"it recovers additively", func(b *bucket) { b.throttled(t0) }, sec(20), OnScreen, 0, 2.5 + 5*recoverPerSec*20},
		{"and fully", func(b *bucket) { b.throttled(t0) }, sec(60), OnScreen, 0, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBucket(5, 20, t0)
			tt.run(b)
			b.refill(tt.at)
			if got := b.rate(tt.at); got < tt.rate-1e-9 || got > tt.rate+1e-9 {
				t.Errorf("rate = %v, want %v", got, tt.rate)
			}
			if got := b.wait(tt.at, tt.prio); got != tt.want {
				t.Errorf("wait = %v, want %v", got, tt.want)
			}
		})
	}
}

// perToken is the wait for one token at rate r from an empty bucket.
func perToken(r float64) time.Duration {
	return time.Duration(1/r*float64(time.Second)) + time.Millisecond
}

func TestFamilyOf(t *testing.T) {
	tests := []struct {
		svc, op string
		want    Family
	}{
		{"EC2", "DescribeInstances", EC2Read},
		{"EC2", "DescribeInstanceStatus", EC2Read},
		{"EC2", "StopInstances", EC2Write},
		{"ECS", "ListServices", ECSService},
		{"ECS", "DescribeServices", ECSService},
		{"ECS", "UpdateService", ECSWrite},
		{"ECS", "ListTasks", ECSTask},
		{"ECS", "DescribeTaskDefinition", ECSTask},
		{"ECS", "DescribeClusters", ECSCluster},
		{"ECS", "ListContainerInstances", ECSCluster},
		{"CloudWatch Logs", "GetLogEvents", Logs},
		{"CloudWatch Logs", "CreateLogGroup", Logs},
		{"STS", "GetCallerIdentity", OtherRead},
		{"IAM", "CreateRole", OtherWrite},
	}
	for _, tt := range tests {
		if got := FamilyOf(tt.svc, tt.op); got != tt.want {
			t.Errorf("FamilyOf(%q, %q) = %q, want %q", tt.svc, tt.op, got, tt.want)
		}
	}
}

// TestWaitOrder: with the bucket empty, waiting calls are served by
// priority and, within one priority, in arrival order; none is dropped.
func TestWaitOrder(t *testing.T) {
	clk := newFakeClock()
	b := New(1, clk) // burst 4
	ctx := context.Background()
	for range 4 {
		if err := b.Wait(ctx, ECSService); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	queuedN := 0
	start := func(name string, p Priority) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.Wait(WithPriority(ctx, p), ECSService); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
		}()
		// Until it is queued, so arrival order is the start order.
		queuedN++
		for totalWaiting(b, ECSService) < queuedN {
			time.Sleep(time.Millisecond)
		}
	}
	start("sweep1", Sweep)
	start("trans1", Transition)
	start("screen1", OnScreen)
	start("trans2", Transition)
	start("screen2", OnScreen)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			mu.Lock()
			defer mu.Unlock()
			want := []string{"screen1", "screen2", "trans1", "trans2", "sweep1"}
			if len(order) != len(want) {
				t.Fatalf("served %v, want %v", order, want)
			}
			for i := range want {
				if order[i] != want[i] {
					t.Fatalf("served %v, want %v", order, want)
				}
			}
			if s := b.Snapshot(); len(s) != 1 || s[0].Total != 9 || s[0].PerMinute != 9 {
				t.Errorf("stats %+v, want 9 calls in the minute", s)
			}
			return
		default:
			clk.Advance(100 * time.Millisecond)
			time.Sleep(time.Millisecond)
		}
	}
}

func waiting(b *Budget, f Family, p Priority) int {
	for _, s := range b.Snapshot() {
		if s.Family == f {
			return s.Waiting[p]
		}
	}
	return 0
}

func totalWaiting(b *Budget, f Family) int {
	n := 0
	for p := range nPriorities {
		n += waiting(b, f, p)
	}
	return n
}

// TestWaitCancel: a waiting call whose context ends returns the context's
// error (the caller sees it; nothing is dropped silently) and leaves the
// queue.
func TestWaitCancel(t *testing.T) {
	clk := newFakeClock()
	b := New(0.25, clk) // burst 1
	ctx := context.Background()
	if err := b.Wait(ctx, EC2Read); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error)
	go func() { errc <- b.Wait(cctx, EC2Read) }()
	for waiting(b, EC2Read, OnScreen) == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-errc; err != context.Canceled {
		t.Fatalf("Wait = %v, want context.Canceled", err)
	}
	if n := waiting(b, EC2Read, OnScreen); n != 0 {
		t.Fatalf("%d still waiting", n)
	}
}

// TestThrottleStats: Observe cuts the family's rate, the snapshot says so,
// and the rate grows back.
func TestThrottleStats(t *testing.T) {
	clk := newFakeClock()
	b := New(5, clk)
	b.Observe(ECSService, false)
	b.Observe(ECSService, true)
	s := b.Snapshot()
	if len(s) != 1 || !s[0].Cut || s[0].Rate != 2.5 || s[0].Throttled != 1 {
		t.Fatalf("after a throttle: %+v", s)
	}
	clk.Advance(time.Minute)
	if s := b.Snapshot(); s[0].Cut || s[0].Rate != 5 {
		t.Fatalf("a minute later: %+v", s)
	}
}

// TestSweepHeldBy: the sweep's calls beyond its burst wait for its share,
// and the budget then says it holds the sweep back; the round-robin
// re-reads (Reread) wait for the same share, behind the sweep, without
// saying so: they only fill what the sweep leaves.
func TestSweepHeldBy(t *testing.T) {
	for _, tc := range []struct {
		prio Priority
		held bool
	}{{Sweep, true}, {Reread, false}} {
		t.Run(tc.prio.String(), func(t *testing.T) {
			clk := newFakeClock()
			b := New(5, clk) // the sweep's share: 1/s, burst 4
			ctx := WithPriority(context.Background(), tc.prio)
			for range 4 { // the burst: no wait
				if err := b.Wait(ctx, ECSService); err != nil {
					t.Fatal(err)
				}
			}
			if s := b.Snapshot()[0]; s.SweepHeld {
				t.Errorf("held after the burst alone: %+v", s)
			}
			done := make(chan error, 1)
			go func() { done <- b.Wait(ctx, ECSService) }()
			for totalWaiting(b, ECSService) == 0 {
				time.Sleep(time.Millisecond)
			}
			s := b.Snapshot()[0]
			clk.Advance(time.Second + 2*time.Millisecond)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if s.Waiting[tc.prio] != 1 || s.SweepHeld != tc.held {
				t.Errorf("a %s call beyond the burst: waiting %v, held %v; want 1 waiting, held %v", tc.prio, s.Waiting, s.SweepHeld, tc.held)
			}
		})
	}
}
