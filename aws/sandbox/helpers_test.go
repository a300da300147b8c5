package sandbox

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
	"deckhand/internal/watch"
)

// clock is a clock the test drives.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// open opens a fresh, seeded account in a temporary directory.
func open(t *testing.T, clk *clock, mod ...func(*Options)) *Account {
	t.Helper()
	o := Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Clock: clk}
	for _, m := range mod {
		m(&o)
	}
	a, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() }) // before its directory goes
	return a
}

// watcher observes a source the way watch.Watcher does (Fetch, then
// DiffSet), stepping the driven clock one second at a time, and records
// every transition with its time.
type watcher struct {
	t    *testing.T
	clk  *clock
	a    *Account
	srcs []watch.Source
	base []watch.Baselines
	seen []watch.Transition
}

// caughtUp does what a read once did before it answered: it brings the
// engine in line with the state as it is now (Flush). Reads no longer wait
// for the engine (worker.go); a test that checks what the engine did on
// its next read calls this first.
func caughtUp(a *Account) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = a.Flush(ctx)
}

func watchAll(t *testing.T, clk *clock, a *Account) *watcher {
	w := &watcher{t: t, clk: clk, a: a, srcs: []watch.Source{cloud.NewEC2Source(a), cloud.NewECSSource(a)}}
	for range w.srcs {
		w.base = append(w.base, watch.Baselines{})
	}
	w.poll()
	w.seen = nil // the baseline is not news
	return w
}

func (w *watcher) poll() resource.Set {
	w.t.Helper()
	var all resource.Set
	for i, s := range w.srcs {
		caughtUp(w.a)
		set, err := s.Fetch(context.Background())
		if err != nil {
			w.t.Fatal(err)
		}
		w.seen = append(w.seen, watch.DiffSet(w.base[i], set, w.clk.Now())...)
		all.Instances = append(all.Instances, set.Instances...)
		all.Clusters = append(all.Clusters, set.Clusters...)
		all.Services = append(all.Services, set.Services...)
		all.Tasks = append(all.Tasks, set.Tasks...)
		all.Containers = append(all.Containers, set.Containers...)
	}
	return all
}

// run steps the clock by step until d has passed, polling after each step.
func (w *watcher) run(d, step time.Duration) resource.Set {
	var set resource.Set
	for end := w.clk.Now().Add(d); w.clk.Now().Before(end); {
		w.clk.Advance(step)
		set = w.poll()
	}
	return set
}

// phases are the phases a resource went through, with the time each began.
type phase struct {
	to string
	at time.Time
}

func (w *watcher) phases(key string) []phase {
	var out []phase
	for _, tr := range w.seen {
		if tr.Key == key {
			out = append(out, phase{tr.To, tr.At})
		}
	}
	return out
}

func (w *watcher) path(key string) []string {
	var out []string
	for _, p := range w.phases(key) {
		out = append(out, p.to)
	}
	return out
}

// awsCode is the AWS error code of err, or "".
func awsCode(err error) string {
	var e *cloud.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// seeded holds IDs of the seeded account that tests refer to.
type seeded struct {
	ami, subnet, group string
	instances          map[string]resource.Instance // by Name
}

func lookup(t *testing.T, a *Account) seeded {
	t.Helper()
	var s seeded
	mustNil(t, a.view(context.Background(), func(w *world, r *region) error {
		s.ami, s.subnet, s.group = r.Images[0].ID, r.Subnets[0].ID, r.SecurityGroups[0].ID
		return nil
	}))
	ins, err := a.Instances(context.Background())
	mustNil(t, err)
	s.instances = map[string]resource.Instance{}
	for _, in := range ins {
		s.instances[in.Name] = in
	}
	return s
}

// within checks that d lies in [lo, hi] give or take the 1 s polling step.
func within(t *testing.T, what string, d, lo, hi time.Duration) {
	t.Helper()
	if d < lo-time.Second || d > hi+time.Second {
		t.Errorf("%s took %v, want %v–%v", what, d, lo, hi)
	}
}
