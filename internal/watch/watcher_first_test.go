package watch

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"deckhand/internal/resource"
)

// kindSteps is a Progressive source whose first read reports one partial
// per step, with no pause between them: a step is the kinds it owns
// (each with one item per step so far).
type kindSteps struct {
	scripted
	steps [][]resource.Kind
}

func (k *kindSteps) FetchProgress(_ context.Context, partial func(resource.Set)) (resource.Set, error) {
	var set resource.Set
	for i, kinds := range k.steps {
		set = resource.Set{Kinds: kinds}
		for range i + 1 {
			if slices.Contains(kinds, resource.KindCluster) {
				set.Clusters = append(set.Clusters, resource.Cluster{ARN: "c", Status: "ACTIVE"})
			}
			if slices.Contains(kinds, resource.KindService) {
				set.Services = append(set.Services, resource.Service{ARN: "s" + string(rune('a'+len(set.Services)))})
			}
			if slices.Contains(kinds, resource.KindInstance) {
				set.Instances = append(set.Instances, resource.Instance{ID: "i-" + string(rune('a'+len(set.Instances))), State: "running"})
			}
		}
		partial(set)
	}
	return set, nil
}

// TestWatcherPartialNewKindAtOnce: partials are held to one per
// partialEvery, except the first and the first that owns a kind the last
// one emitted did not (the first services after the clusters-only
// partial of an ECS first load: held back, the first rows waited for the
// next batch). Steps come faster than partialEvery, so what follows the
// asserted ones may or may not be emitted; only those are checked.
func TestWatcherPartialNewKindAtOnce(t *testing.T) {
	cs := []resource.Kind{resource.KindCluster, resource.KindService}
	for _, tc := range []struct {
		name  string
		steps [][]resource.Kind
		want  []int // the steps (0-based) that must be emitted first, in order
	}{
		{"clusters, then services", [][]resource.Kind{{resource.KindCluster}, cs, cs, cs}, []int{0, 1}},
		{"services from the first partial", [][]resource.Kind{cs, cs, cs}, []int{0}},
		{"pages of one kind", [][]resource.Kind{{resource.KindInstance}, {resource.KindInstance}}, []int{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &kindSteps{steps: tc.steps}
			_, ch := run(t, src, Config{Fast: time.Hour, Slow: time.Hour})
			var got []int // the step of each emitted partial, by its item count
			for u := next(t, ch); u.Partial; u = next(t, ch) {
				got = append(got, max(len(u.Set.Clusters), len(u.Set.Instances))-1)
			}
			if len(got) < len(tc.want) || !slices.Equal(got[:len(tc.want)], tc.want) {
				t.Errorf("emitted partials of steps %v; want them to begin with %v", got, tc.want)
			}
		})
	}
}

// stuck is a source whose first fetch ends only when its context does
// (a first load of a scope the user has left, waiting on the budget).
type stuck struct{ calls atomic.Int32 }

func (s *stuck) Name() string { return "test" }

func (s *stuck) Fetch(ctx context.Context) (resource.Set, error) {
	if s.calls.Add(1) == 1 {
		<-ctx.Done()
		return resource.Set{}, ctx.Err()
	}
	return resource.Set{Kinds: []resource.Kind{resource.KindInstance}}, nil
}

// TestWatcherResetCancelsFetch: Reset cancels the fetch in flight, so the
// new generation's fetch starts at once rather than after the old one.
func TestWatcherResetCancelsFetch(t *testing.T) {
	src := &stuck{}
	w, ch := run(t, src, Config{Fast: time.Hour, Slow: time.Hour})
	for src.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	w.Reset()
	if u := next(t, ch); u.Err != nil || u.Gen != 1 || !u.Baseline {
		t.Fatalf("after Reset: gen %d, baseline %v, err %v; want generation 1's baseline (the stuck fetch cancelled and dropped)", u.Gen, u.Baseline, u.Err)
	}
}
