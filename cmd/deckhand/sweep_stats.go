package main

import (
	"time"

	"deckhand/internal/cloud"
)

// sweepLines is what :stats says of a source's sweep, nil when it has
// none: for ECS the list sweep's cost (lists, then only what is new) and
// how stale the steady rows it re-reads round-robin may be
// (internal/cloud/sweep_ecs.go); for EC2 how long the full sweep takes and
// how often it runs. slower is the header's note when a sweep runs less
// often than --refresh.
func sweepLines(src any, now time.Time) (lines []string, slower string) {
	if sw, ok := src.(interface {
		SweepStats() (cloud.SweepStats, bool)
	}); ok {
		if st, ok := sw.SweepStats(); ok && !st.At.IsZero() {
			lines = st.Lines(now)
		}
	}
	if sw, ok := src.(interface {
		EC2SweepStats() (cloud.EC2SweepStats, bool)
	}); ok {
		if st, ok := sw.EC2SweepStats(); ok {
			lines, slower = append(lines, st.Lines(now)...), st.Slower()
		}
	}
	return lines, slower
}
