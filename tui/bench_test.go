package tui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// instances10k returns a model at 200×50 showing 10,000 instances.
func instances10k(tb testing.TB) *Model {
	m := New(testConfig())
	send(m, tea.WindowSizeMsg{Width: 200, Height: 50})
	states := []string{"running", "pending", "stopping", "stopped", "terminated"}
	xs := make([]resourceInstance, 10000)
	for i := range xs {
		x := instance(fmt.Sprintf("i-%017x", i), fmt.Sprintf("node-%05d", i), states[i%len(states)])
		x.LaunchTime = t0.Add(-time.Duration(i) * time.Minute)
		xs[i] = x
	}
	f := &feed{source: "ec2"}
	send(m, f.update(ec2Set(xs...), t0))
	if got := m.current().table().n(); got != 10000 {
		tb.Fatalf("%d rows, want 10000", got)
	}
	return m
}

// BenchmarkViewInstances10k measures one View of the instances pane with
// 10,000 rows at 200×50; the budget is 2 ms.
func BenchmarkViewInstances10k(b *testing.B) {
	m := instances10k(b)
	press(m, "G") // the cursor at the end exercises the scrolled window
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkUpdateInstances10k measures applying one 10,000-instance
// snapshot with a few transitions (the cost of a refresh).
func BenchmarkUpdateInstances10k(b *testing.B) {
	m := instances10k(b)
	f := &feed{source: "ec2"}
	xs := append([]resourceInstance(nil), m.data.Instances...)
	send(m, f.update(ec2Set(xs...), t0))
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		xs[i%len(xs)].State = "stopping"
		send(m, f.update(ec2Set(xs...), t0))
		i++
	}
}
