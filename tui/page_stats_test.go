package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestStatsWrapsItsProse: what :stats says of the sweeps and the budget is
// wrapped at the screen's width, not cut, at 80 and at 200 columns.
func TestStatsWrapsItsProse(t *testing.T) {
	long := "The sweeps run less often than --refresh (15s) here: each decodes every instance (EC2 lists no ids alone), so their intervals grow with the account to keep an idle deckhand's CPU low."
	for _, w := range []int{80, 200} {
		cfg := testConfig()
		cfg.APIStats = func() APIStats {
			return APIStats{PerMinute: 21, Held: true, Families: []APIFamily{{Name: "ec2", PerMinute: 21, Rate: 5, Configured: 5}},
				Sweep: []string{long}}
		}
		m := New(cfg)
		send(m, windowSize(w, 24))
		ls := m.statsLines(fixedNow())
		var words []string
		for _, l := range ls {
			plain := ansi.Strip(l)
			if got := ansi.StringWidth(plain); got > w {
				t.Errorf("width %d: line of %d columns: %q", w, got, plain)
			}
			words = append(words, strings.Fields(plain)...)
		}
		if text := strings.Join(words, " "); !strings.Contains(text, long) {
			t.Errorf("width %d: the sweep line is not all there:\n%s", w, strings.Join(ls, "\n"))
		}
	}
}

// TestBudgetSegFits: the header's budget notes go in order of urgency and
// only whole; throttling is said even when nothing else fits.
func TestBudgetSegFits(t *testing.T) {
	stats := APIStats{PerMinute: 21, Busiest: "ec2", BusiestCalls: 18, Slower: []string{"ec2 sweep every 3m20s"}}
	cut := stats
	cut.Cut = true
	for _, c := range []struct {
		name string
		s    APIStats
		room int
		want string
	}{
		{"room for all", stats, 80, "api 21/min (ec2 18) · ec2 sweep every 3m20s"},
		{"no room for the sweep note", stats, 30, "api 21/min (ec2 18)"},
		{"throttled, room", cut, 80, "api 21/min (ec2 18) · THROTTLED, rate cut · ec2 sweep every 3m20s"},
		{"throttled, narrow", cut, 30, "api 21/min · THROTTLED, rate cut"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.APIStats = func() APIStats { return c.s }
			m := New(cfg)
			if got, _ := m.budgetSeg(c.room); got != c.want {
				t.Errorf("budgetSeg(%d) = %q, want %q", c.room, got, c.want)
			}
		})
	}
}
