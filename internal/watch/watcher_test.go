package watch

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"deckhand/internal/resource"
)

// scripted is a Source whose snapshots the test sets; it is the scheduler
// under test here, not any backend.
type scripted struct {
	mu       sync.Mutex
	state    string
	err      error
	block    chan struct{} // when non-nil, Fetch waits on it
	inFlight atomic.Int32
	maxSeen  atomic.Int32
	fetches  atomic.Int32
	notify   chan struct{}
}

func (s *scripted) Name() string { return "test" }

func (s *scripted) Fetch(ctx context.Context) (resource.Set, error) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	if n > s.maxSeen.Load() {
		s.maxSeen.Store(n)
	}
	s.fetches.Add(1)
	s.mu.Lock()
	state, err, block := s.state, s.err, s.block
	s.mu.Unlock()
	if block != nil {
		<-block
	}
	return resource.Set{Kinds: []resource.Kind{resource.KindInstance}, Instances: []resource.Instance{{ID: "i-1", State: state}}}, err
}

func (s *scripted) set(state string, err error) {
	s.mu.Lock()
	s.state, s.err = state, err
	s.mu.Unlock()
}

type notifying struct{ *scripted }

func (n notifying) Notify() <-chan struct{} { return n.notify }

func run(t *testing.T, src Source, cfg Config) (*Watcher, <-chan Update) {
	t.Helper()
	ch := make(chan Update, 100)
	w := New(src, cfg, func(u Update) { ch <- u })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return w, ch
}

func next(t *testing.T, ch <-chan Update) Update {
	t.Helper()
	select {
	case u := <-ch:
		return u
	case <-time.After(5 * time.Second):
		t.Fatal("no update within 5s")
	}
	return Update{}
}

func TestWatcherSchedule(t *testing.T) {
	src := &scripted{state: "pending"}
	_, ch := run(t, src, Config{Fast: 20 * time.Millisecond, Slow: time.Hour})

	u := next(t, ch)
	if !u.Baseline || u.Transitions != nil || u.Next != 20*time.Millisecond {
		t.Fatalf("first update: baseline=%v transitions=%v next=%v; want a baseline, fast next", u.Baseline, u.Transitions, u.Next)
	}
	src.set("running", nil)
	for {
		u = next(t, ch)
		if len(u.Transitions) > 0 {
			break
		}
	}
	if tr := u.Transitions[0]; tr.From != "pending" || tr.To != "running" {
		t.Fatalf("transition %+v, want pending → running", tr)
	}
	if u.Next != time.Hour {
		t.Fatalf("steady state next = %v, want the slow interval", u.Next)
	}
}

type codeErr string

func (c codeErr) Error() string     { return string(c) }
func (c codeErr) ErrorCode() string { return string(c) }

func TestWatcherBacksOffOnErrorsAndRecovers(t *testing.T) {
	src := &scripted{state: "running", err: codeErr("ThrottlingException")}
	w, ch := run(t, src, Config{Fast: 10 * time.Millisecond, Slow: time.Hour, MaxBackoff: 40 * time.Millisecond})
	for i := 0; i < 4; i++ {
		u := next(t, ch)
		if u.Err == nil || !IsThrottle(u.Err) {
			t.Fatalf("update %d: err = %v, want the throttling error", i, u.Err)
		}
		if u.Next > 40*time.Millisecond || u.Next < 5*time.Millisecond {
			t.Fatalf("backoff %v outside [5ms, 40ms]", u.Next)
		}
	}
	src.set("running", nil)
	w.Refresh()
	for {
		u := next(t, ch)
		if u.Err == nil {
			if !u.Baseline {
				t.Fatal("first good snapshot after errors only must be the baseline")
			}
			break
		}
	}
}

func TestBackoffGrowsAndCaps(t *testing.T) {
	for n := 1; n <= 10; n++ {
		d := Backoff(time.Second, 8*time.Second, n, false)
		want := time.Second << (n - 1)
		if want > 8*time.Second {
			want = 8 * time.Second
		}
		if d < want/2 || d > want {
			t.Errorf("failure %d: %v not in [%v, %v]", n, d, want/2, want)
		}
	}
}

func TestWatcherResetDropsStaleResult(t *testing.T) {
	block := make(chan struct{})
	src := &scripted{state: "old", block: block}
	w, ch := run(t, src, Config{Fast: time.Hour, Slow: time.Hour})
	for src.inFlight.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	w.Reset() // the scope changes while the first fetch is in flight
	src.mu.Lock()
	src.state, src.block = "new", nil
	src.mu.Unlock()
	close(block)
	u := next(t, ch)
	if u.Gen != 1 || u.Set.Instances[0].State != "new" || !u.Baseline {
		t.Fatalf("got gen %d state %q baseline %v; want the new generation's baseline only", u.Gen, u.Set.Instances[0].State, u.Baseline)
	}
}

func TestWatcherNotifierAndNoOverlap(t *testing.T) {
	src := notifying{&scripted{state: "running", notify: make(chan struct{}, 1)}}
	_, ch := run(t, src, Config{Fast: time.Hour, Slow: time.Hour, Settle: time.Millisecond})
	next(t, ch)
	src.set("exited", nil)
	src.notify <- struct{}{}
	u := next(t, ch)
	if len(u.Transitions) != 1 || u.Transitions[0].To != "exited" {
		t.Fatalf("after notify: %+v", u.Transitions)
	}
	if src.maxSeen.Load() != 1 {
		t.Fatalf("%d fetches ran at once, want 1", src.maxSeen.Load())
	}
}

func TestIsThrottle(t *testing.T) {
	for code, want := range map[string]bool{"RequestLimitExceeded": true, "ThrottlingException": true, "AccessDenied": false} {
		if got := IsThrottle(codeErr(code)); got != want {
			t.Errorf("%s: %v", code, got)
		}
	}
	if IsThrottle(errors.New("plain")) {
		t.Error("plain error is not throttling")
	}
}

// paged is a Progressive source that delivers its instances in pages,
// with a pause between them.
type paged struct {
	scripted
	pages       [][]string
	pause       time.Duration
	progressive atomic.Int32 // FetchProgress calls
}

func (p *paged) FetchProgress(ctx context.Context, partial func(resource.Set)) (resource.Set, error) {
	p.progressive.Add(1)
	set := resource.Set{Kinds: []resource.Kind{resource.KindInstance}}
	for _, page := range p.pages {
		for _, id := range page {
			set.Instances = append(set.Instances, resource.Instance{ID: id, State: "running"})
		}
		partial(resource.Set{Kinds: set.Kinds, Instances: append([]resource.Instance(nil), set.Instances...)})
		time.Sleep(p.pause)
	}
	return set, nil
}

func TestWatcherProgressiveBaseline(t *testing.T) {
	src := &paged{pages: [][]string{{"i-1", "i-2"}, {"i-3"}, {"i-4"}}, pause: 150 * time.Millisecond}
	w, ch := run(t, src, Config{Fast: time.Hour, Slow: time.Hour})
	var partials []int
	u := next(t, ch)
	for u.Partial {
		if u.Baseline || u.Transitions != nil {
			t.Fatalf("a partial update is neither a baseline nor news: %+v", u)
		}
		partials = append(partials, len(u.Set.Instances))
		u = next(t, ch)
	}
	if !u.Baseline || len(u.Set.Instances) != 4 {
		t.Fatalf("final update: baseline %v, %d instances; want the whole baseline", u.Baseline, len(u.Set.Instances))
	}
	if len(partials) < 2 || partials[0] != 2 {
		t.Fatalf("partial sizes %v; want the first page at once and more as pages arrive", partials)
	}
	// A later fetch is not a baseline: plain Fetch, no partials.
	w.Refresh()
	if u = next(t, ch); u.Partial || u.Baseline {
		t.Fatalf("second fetch: partial %v baseline %v; want a plain update", u.Partial, u.Baseline)
	}
	if n := src.progressive.Load(); n != 1 {
		t.Fatalf("FetchProgress ran %d times, want once (the baseline)", n)
	}
	// A new generation (the scope changed) is a baseline again.
	w.Reset()
	if u = next(t, ch); !u.Partial || u.Gen != 1 {
		t.Fatalf("after Reset: partial %v gen %d; want partial updates of generation 1", u.Partial, u.Gen)
	}
}
