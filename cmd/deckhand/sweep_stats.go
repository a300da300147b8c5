package main

import (
	"fmt"
	"time"

	"deckhand/internal/cloud"
)

// sweepLines is what :stats says of a source's list sweep (the ECS one,
// internal/cloud/sweep_ecs.go), nil when it has none or has not swept
// yet: what the sweep costs (lists, then only what is new), and how stale
// the steady rows it re-reads round-robin may be.
func sweepLines(src any, now time.Time) []string {
	sw, ok := src.(interface {
		SweepStats() (cloud.SweepStats, bool)
	})
	if !ok {
		return nil
	}
	st, ok := sw.SweepStats()
	if !ok || st.At.IsZero() {
		return nil
	}
	out := []string{fmt.Sprintf("ECS sweep: %d ARNs listed in %s; %d new or changed described, %d gone.",
		st.Listed, st.Lists.Round(100*time.Millisecond), st.New, st.Gone)}
	if st.Steady == 0 {
		return append(out, "No steady row to re-read: the fast ticks follow the rest.")
	}
	return append(out, fmt.Sprintf("%d steady rows re-read round-robin (%d last sweep); the least recently read, %s ago.",
		st.Steady, st.Reread, now.Sub(st.OldestAt).Round(time.Second)))
}
