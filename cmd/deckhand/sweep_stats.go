package main

import (
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
	return st.Lines(now)
}
