package main

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"deckhand/aws/sandbox"
	"deckhand/internal/budget"
	"deckhand/internal/cloud"
	"deckhand/internal/resource"
	"deckhand/internal/watch"
	"deckhand/tui"
)

// fixedClock is a budget clock that does not move: the figures on the
// page stay exactly what the test made them.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                         { return c.t }
func (c fixedClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// fastClock runs factor times faster than real time, for the budget and
// the sandbox alike, so that a recovery AWS paces over a minute takes
// seconds; the ratios between rates, which decide who throttles whom,
// stay those of real time.
type fastClock struct {
	start  time.Time
	factor float64
}

func (c fastClock) Now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.start)) * c.factor))
}

func (c fastClock) After(d time.Duration) <-chan time.Time {
	return time.After(time.Duration(float64(d) / c.factor))
}

// waitFrame waits until the last frame satisfies ok.
func (f *frames) waitFrame(t *testing.T, d time.Duration, what string, ok func(string) bool) string {
	t.Helper()
	var last string
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if last, _ = f.last.Load().(string); ok(last) {
			return last
		}
	}
	t.Fatalf("screen never showed %s within %v; last frame:\n%s", what, d, last)
	return ""
}

// TestStatsPage: :stats shows, per family, the calls of the minute, the
// throttles, the rate against the configured one and the cut, with the
// totals and each source's data age, from a real budget's counters
// through apiStats, as deckhand runs it.
func TestStatsPage(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	b := budget.New(5, fixedClock{now})
	ctx := context.Background()
	for range 7 {
		if err := b.Wait(ctx, budget.ECSService); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		if err := b.Wait(ctx, budget.EC2Read); err != nil {
			t.Fatal(err)
		}
	}
	b.Observe(budget.ECSService, true)
	cfg := tui.Config{Region: "us-east-1", Sandbox: true, Now: func() time.Time { return now },
		APIStats: func() tui.APIStats { return apiStats(b) }}
	f := &frames{Model: tui.New(cfg)}
	tm := teatest.NewTestModel(t, f, teatest.WithInitialTermSize(130, 30))
	tm.Send(watch.Update{Source: "ecs", At: now.Add(-3 * time.Second), Baseline: true,
		Set: resource.Set{Kinds: []resource.Kind{resource.KindCluster}, Clusters: []resource.Cluster{{ARN: "arn:aws:ecs:us-east-1:000000000000:cluster/demo", Name: "demo", Status: "ACTIVE"}}}})
	tm.Send(watch.Update{Source: "ec2", At: now.Add(-10 * time.Second), Next: 30 * time.Second,
		Err: &cloud.Error{Service: "ec2", Operation: "DescribeInstances", Code: "RequestLimitExceeded", Message: "Request limit exceeded."}})
	f.waitScreen(t, 5*time.Second, "api 10/min (ecs-service 7)", "THROTTLED, rate cut")
	press(tm, ":stats", "enter")
	screen := f.waitScreen(t, 5*time.Second, "API calls by family", "Data age")
	tests := []struct{ prefix, want string }{
		{"ec2 ", "ec2 3 0 0 5.00/s 5.00/s ok"},
		{"ecs-service ", "ecs-service 7 0 1 2.50/s 5.00/s THROTTLED: rate cut, growing back"},
		{"total ", "total 10 0 1"},
		{"AWS refused", "AWS refused calls as throttled: deckhand halved that family's rate (AIMD); it grows back slowly."},
		{"ecs ", "ecs 3s ago"},
		{"ec2 FAILED", "ec2 FAILED 10s ago (retrying in 20s)"},
	}
	for _, tt := range tests {
		if got := pageLine(screen, tt.prefix); got != tt.want {
			t.Errorf("the stats page's %q line is %q, want %q:\n%s", tt.prefix, got, tt.want, screen)
		}
	}
	press(tm, "esc")
	f.waitFrame(t, 5*time.Second, "the page left", func(s string) bool { return !strings.Contains(s, "API calls by family") })
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestSandboxThrottlingStorm: deckhand's ECS watcher against the sandbox,
// while another caller on the same account (a CI job, a second
// deckhand) drains the ECS service-read bucket. deckhand's calls come back
// ThrottlingException: the budget halves the family's rate, the header
// says THROTTLED and the services stay on screen, marked STALE with the
// next retry; when the storm ends the fetches succeed again and the rate
// grows back to the configured one.
func TestSandboxThrottlingStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for several seconds")
	}
	clk := fastClock{start: time.Now(), factor: 20}
	path := filepath.Join(t.TempDir(), "sandbox.json")
	b := budget.New(5, clk)
	// The sandbox at 10 calls/s per bucket: above deckhand's 5, so
	// deckhand alone is never throttled.
	box, err := sandbox.Open(sandbox.Options{Path: path, Clock: clk, Throttle: true, APIRate: 10, Budget: b})
	if err != nil {
		t.Fatal(err)
	}
	defer box.Close()
	other, err := sandbox.Open(sandbox.Options{Path: path, Clock: clk, Throttle: true, APIRate: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	ecs := cloud.NewECSSource(box)
	cfg := tui.Config{Region: box.Region(), Sandbox: true, APIStats: func() tui.APIStats { return apiStats(b, ecs) }}
	f := &frames{Model: tui.New(cfg)}
	tm := teatest.NewTestModel(t, f, teatest.WithInitialTermSize(160, 30))
	var mu sync.Mutex
	var last watch.Update
	throttled := 0 // updates that carried a throttling answer, whole or for some kinds
	w := watch.New(ecs, watch.Config{Fast: 100 * time.Millisecond, Slow: 100 * time.Millisecond, MaxBackoff: 400 * time.Millisecond},
		func(u watch.Update) {
			mu.Lock()
			last = u
			if watch.IsThrottle(u.Err) || watch.IsThrottle(u.Set.Failed[resource.KindService]) {
				throttled++
			}
			mu.Unlock()
			tm.Send(u)
		})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	press(tm, "3") // the services
	f.waitScreen(t, 20*time.Second, "broken-worker", "web")
	if s := apiStats(b, ecs); s.Cut {
		t.Fatalf("throttled before the storm: %+v", s)
	}

	// The storm: the other caller drains the bucket as fast as it refills.
	storm, stop := context.WithCancel(ctx)
	var refused int
	done := make(chan struct{})
	go func() {
		defer close(done)
		for storm.Err() == nil {
			_, err := other.Services(storm, "demo")
			if budget.IsThrottle(err) {
				refused++
			}
			time.Sleep(time.Millisecond)
		}
	}()
	// The services call fails while the clusters still read: the services
	// pane keeps its rows and says they are stale, and why.
	screen := f.waitScreen(t, 20*time.Second, "THROTTLED, rate cut", "STALE", "ThrottlingException")
	for _, want := range []string{"broken-worker", "web"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the services left the screen under throttling (%q missing):\n%s", want, screen)
		}
	}
	s := apiStats(b, ecs)
	fam := family(s, "ecs-service")
	if !s.Cut || !fam.Cut || fam.Throttled == 0 || fam.Rate >= fam.Configured/2+0.5 {
		t.Fatalf("under the storm: %+v, want ecs-service cut to half or less", fam)
	}
	mu.Lock()
	if throttled == 0 {
		t.Errorf("no update of the watcher carried the ThrottlingException")
	}
	mu.Unlock()
	// :stats says which family was cut, while the storm lasts.
	press(tm, ":stats", "enter")
	f.waitFrame(t, 10*time.Second, "ecs-service cut on :stats", func(s string) bool {
		return strings.HasPrefix(pageLine(s, "ecs-service "), "ecs-service ") && strings.Contains(pageLine(s, "ecs-service "), "THROTTLED: rate cut")
	})
	press(tm, "esc")
	stop()
	<-done
	if refused == 0 {
		t.Fatal("the storm was never refused: it did not drain the bucket")
	}

	// Over: the fetches succeed again, and the rate grows back in full.
	f.waitFrame(t, 30*time.Second, "the services fresh again, not throttled", func(s string) bool {
		return strings.Contains(s, "broken-worker") && !strings.Contains(s, "STALE") && !strings.Contains(s, "THROTTLED")
	})
	mu.Lock()
	if last.Err != nil || len(last.Set.Failed) > 0 {
		t.Errorf("after the storm the watcher still fails: %v %v", last.Err, last.Set.Failed)
	}
	mu.Unlock()
	if fam := family(apiStats(b, ecs), "ecs-service"); fam.Cut || fam.Rate != fam.Configured {
		t.Errorf("after recovery: %+v", fam)
	}
	cancel()
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// pageLine is the first line of the screen's body that starts (after its
// indent) with prefix, its fields joined by single spaces.
func pageLine(screen, prefix string) string {
	for _, l := range strings.Split(screen, "\n")[3:] {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, prefix) {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return ""
}

func family(s tui.APIStats, name string) tui.APIFamily {
	for _, f := range s.Families {
		if f.Name == name {
			return f
		}
	}
	return tui.APIFamily{}
}
