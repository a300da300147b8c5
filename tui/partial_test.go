package tui

import (
	tea "charm.land/bubbletea/v2"

	"testing"

	"deckhand/internal/resource"
	"deckhand/internal/watch"
)

// TestPartialFirstLoad: while a first ECS load is still arriving, the
// services that have arrived are on screen and the header says the source
// is loading; the complete baseline then replaces them, and neither
// records a change in the Events pane.
func TestPartialFirstLoad(t *testing.T) {
	m := New(testConfig())
	send(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	full := ecsSet(2, "RUNNING")
	part := resource.Set{Kinds: []resource.Kind{resource.KindCluster, resource.KindService}, Clusters: full.Clusters, Services: full.Services[:1]}
	send(m, watch.Update{Source: "ecs", At: t0, Set: part, Partial: true})
	press(m, "3")
	s := screen(m)
	mustContain(t, s, "ecs loading…", "services ["+itoa(1)+"]", full.Services[0].Name)
	send(m, watch.Update{Source: "ecs", At: t0, Set: full, Baseline: true})
	s = screen(m)
	mustNotContain(t, s, "ecs loading…")
	mustContain(t, s, "services ["+itoa(int32(len(full.Services)))+"]", full.Services[1].Name)
	press(m, "6")
	mustContain(t, screen(m), "No changes seen yet")
}
