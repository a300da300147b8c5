package tui

import (
	"errors"
	"testing"
	"time"
)

func TestAgeStep(t *testing.T) {
	tests := []struct {
		age, want time.Duration
	}{
		{0, time.Second},
		{3400 * time.Millisecond, 600 * time.Millisecond},
		{59*time.Minute + 59*time.Second, time.Second},
		{time.Hour, time.Minute},
		{time.Hour + 90*time.Second, 30 * time.Second},
		{25 * time.Hour, time.Hour},
	}
	for _, tc := range tests {
		if got := ageStep(tc.age); got != tc.want {
			t.Errorf("ageStep(%v) = %v, want %v", tc.age, got, tc.want)
		}
	}
}

// TestNextAgeTick: the header ticks for the youngest age shown, on the
// clock's next whole second whatever fraction of a second each source was
// read at (so several sources cost one redraw a second, not one each), and
// not at all when no age is shown, so an idle deckhand with nothing loaded
// costs no wake-ups.
func TestNextAgeTick(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 300*int(time.Millisecond), time.UTC)
	tests := []struct {
		name string
		src  map[string]*sourceStatus
		want time.Duration
	}{
		{"nothing loaded", map[string]*sourceStatus{}, 0},
		{"loading", map[string]*sourceStatus{srcEC2: {loading: true, updates: 1, okAt: now}}, 0},
		{"youngest wins, on the next whole second", map[string]*sourceStatus{
			srcEC2:    {updates: 1, okAt: now.Add(-2 * time.Hour)},
			srcDocker: {updates: 1, okAt: now.Add(-2500 * time.Millisecond)},
		}, 1700 * time.Millisecond}, // "<5s" (3 s by the clock) becomes "5s"
		{"sources read at different fractions tick together", map[string]*sourceStatus{
			srcEC2:    {updates: 1, okAt: now.Add(-100 * time.Millisecond)},
			srcECS:    {updates: 1, okAt: now.Add(-1250 * time.Millisecond)},
			srcDocker: {updates: 1, okAt: now.Add(-3900 * time.Millisecond)},
		}, 700 * time.Millisecond},
		{"an age in minutes waits for its next minute", map[string]*sourceStatus{
			srcEC2: {updates: 1, okAt: now.Add(-2*time.Hour - 20*time.Minute - 10*time.Second)},
		}, 49*time.Second + 700*time.Millisecond},
		{"failed first fetch ages from the error", map[string]*sourceStatus{
			srcECS: {updates: 1, errAt: now.Add(-1200 * time.Millisecond)},
		}, 3700 * time.Millisecond},
		{"a retry countdown moves every second", map[string]*sourceStatus{
			srcECS: {updates: 1, errAt: now.Add(-1200 * time.Millisecond), err: errors.New("boom"), retryAt: now.Add(8 * time.Second)},
		}, 700 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := &Model{src: tc.src}
			if got := m.nextAgeTick(now); got != tc.want {
				t.Errorf("nextAgeTick = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestFetchErrorIsNeverHidden: after ctrl+r the "refreshing ecs…" flash ends
// when ECS answers, so its error shows, with when the next try is.
func TestFetchErrorIsNeverHidden(t *testing.T) {
	cfg := testConfig()
	cfg.Refresh = func(string) {}
	m := New(cfg)
	send(m, windowSize(100, 24))
	f := &feed{source: "ecs"}
	press(m, "2", "ctrl+r")
	mustContain(t, screen(m), "refreshing ecs…")

	denied := errors.New("ecs:ListClusters: AccessDeniedException: not authorized (needs IAM permission ecs:ListClusters)")
	u := f.fail(denied, fixedNow())
	u.Next = 8 * time.Second
	send(m, u)
	s := screen(m)
	mustNotContain(t, s, "refreshing ecs…")
	mustContain(t, s, "ecs:ListClusters", "needs IAM permission ecs:ListClusters", "(retrying in 8s)")
}

// TestFmtAgo: the header's coarse ages, and when each next changes.
func TestFmtAgo(t *testing.T) {
	tests := []struct {
		age      time.Duration
		text     string
		nextStep time.Duration
	}{
		{0, "<5s", 5 * time.Second},
		{4 * time.Second, "<5s", time.Second},
		{5 * time.Second, "5s", 5 * time.Second},
		{59 * time.Second, "55s", time.Second},
		{time.Minute, "1m", time.Minute},
		{9*time.Minute + 55*time.Second, "9m", 5 * time.Second},
		{5*time.Hour + 2*time.Minute + 30*time.Second, "5h2m", 30 * time.Second},
		{30 * time.Hour, "1d6h", time.Hour},
	}
	for _, tc := range tests {
		if got := fmtAgo(tc.age); got != tc.text {
			t.Errorf("fmtAgo(%v) = %q, want %q", tc.age, got, tc.text)
		}
		if got := agoStep(tc.age); got != tc.nextStep {
			t.Errorf("agoStep(%v) = %v, want %v", tc.age, got, tc.nextStep)
		}
	}
}

// TestStatsTicksBeforeTheFirstLoad: :stats counts the first load's calls
// while it runs, so it redraws every second although no source has
// answered yet; the instances page, with nothing loaded, does not tick.
func TestStatsTicksBeforeTheFirstLoad(t *testing.T) {
	m := New(testConfig())
	send(m, windowSize(100, 24))
	now := fixedNow().Add(250 * time.Millisecond)
	if got := m.nextAgeTick(now); got != 0 {
		t.Errorf("nothing loaded, instances page: nextAgeTick = %v, want 0", got)
	}
	press(m, ":")
	typeText(m, "stats")
	press(m, "enter")
	if _, ok := m.current().(*statsPage); !ok {
		t.Fatalf("the page is %T, want the stats page", m.current())
	}
	if got := m.nextAgeTick(now); got != 750*time.Millisecond {
		t.Errorf("nothing loaded, :stats: nextAgeTick = %v, want 750ms", got)
	}
}
