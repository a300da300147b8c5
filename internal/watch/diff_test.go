package watch

import (
	"fmt"
	"testing"
	"time"

	"deckhand/internal/resource"
)

func inst(id, state string) resource.Instance { return resource.Instance{ID: id, State: state} }

func TestDiff(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name       string
		prev, next []resource.Instance
		want       []string // "key:from>to"
	}{
		{"nothing", nil, nil, nil},
		{"added", nil, []resource.Instance{inst("i-1", "pending")}, []string{"i-1:>pending"}},
		{"unchanged", []resource.Instance{inst("i-1", "running")}, []resource.Instance{inst("i-1", "running")}, nil},
		{"changed", []resource.Instance{inst("i-1", "running")}, []resource.Instance{inst("i-1", "stopping")}, []string{"i-1:running>stopping"}},
		{"removed", []resource.Instance{inst("i-1", "terminated"), inst("i-2", "running")}, []resource.Instance{inst("i-2", "running")}, []string{"i-1:terminated>"}},
		{"added and removed at once", []resource.Instance{inst("i-1", "running")}, []resource.Instance{inst("i-2", "pending")}, []string{"i-2:>pending", "i-1:running>"}},
		{"reordered", []resource.Instance{inst("i-1", "running"), inst("i-2", "stopped")}, []resource.Instance{inst("i-2", "stopped"), inst("i-1", "running")}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, base := Diff(resource.KindInstance, nil, tc.prev, at)
			got, nb := Diff(resource.KindInstance, base, tc.next, at)
			var keys []string
			for _, tr := range got {
				if tr.At != at || tr.Kind != resource.KindInstance {
					t.Errorf("transition %+v: wrong time or kind", tr)
				}
				keys = append(keys, tr.Key+":"+tr.From+">"+tr.To)
			}
			if fmt.Sprint(keys) != fmt.Sprint(tc.want) {
				t.Errorf("transitions = %v, want %v", keys, tc.want)
			}
			if len(nb) != len(tc.next) {
				t.Errorf("baseline has %d entries, want %d", len(nb), len(tc.next))
			}
		})
	}
}

func TestDiffKeepsLabelOfRemoved(t *testing.T) {
	at := time.Now()
	_, base := Diff(resource.KindInstance, nil, []resource.Instance{{ID: "i-1", Name: "web", State: "terminated"}}, at)
	got, _ := Diff[resource.Instance](resource.KindInstance, base, nil, at)
	if len(got) != 1 || got[0].Label != "web (i-1)" || !got[0].Removed() {
		t.Fatalf("got %+v, want web (i-1) removed", got)
	}
}

func TestDiffSetOnlyOwnedKinds(t *testing.T) {
	b := Baselines{}
	at := time.Now()
	DiffSet(b, resource.Set{Kinds: []resource.Kind{resource.KindDocker}, Docker: []resource.DockerContainer{{ID: "c1", State: "running"}}}, at)
	ts := DiffSet(b, resource.Set{Kinds: []resource.Kind{resource.KindDocker}, Docker: []resource.DockerContainer{{ID: "c1", State: "exited"}}}, at)
	if len(ts) != 1 || ts[0].From != "running" || ts[0].To != "exited" || ts[0].Kind != resource.KindDocker {
		t.Fatalf("got %+v", ts)
	}
	if _, ok := b[resource.KindInstance]; ok {
		t.Fatal("a kind the set does not own got a baseline")
	}
}

func snapshot(n int, state func(i int) string) []resource.Instance {
	out := make([]resource.Instance, n)
	for i := range out {
		out[i] = resource.Instance{ID: fmt.Sprintf("i-%017d", i), Name: fmt.Sprintf("web-%d", i), State: state(i)}
	}
	return out
}

// BenchmarkDiff10k diffs a 10,000-instance snapshot against the previous
// one, with 1% of the instances changing state (the usual refresh).
func BenchmarkDiff10k(b *testing.B) {
	prev := snapshot(10000, func(int) string { return "running" })
	next := snapshot(10000, func(i int) string {
		if i%100 == 0 {
			return "stopping"
		}
		return "running"
	})
	_, base := Diff(resource.KindInstance, nil, prev, time.Now())
	at := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Diff(resource.KindInstance, base, next, at)
	}
}

// BenchmarkDiffSet20000: what the watcher does with each changed snapshot
// of 20,000 instances, the diff and the transitional check, walking the
// set through Refs (before: Items, a boxed copy of every instance each).
func BenchmarkDiffSet20000(b *testing.B) {
	set := resource.Set{Kinds: []resource.Kind{resource.KindInstance}, Instances: snapshot(20000, func(int) string { return "running" })}
	base := Baselines{}
	DiffSet(base, set, time.Now())
	b.ReportAllocs()
	for b.Loop() {
		DiffSet(base, set, time.Now())
		AnyTransitional(set)
	}
}
