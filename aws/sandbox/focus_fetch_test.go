package sandbox

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// TestFocusFirstReadOfKnownClusters: the first read after a focus starts
// from the clusters the source already knows (cloud's rescopedFetch) and
// lists them again only after the services; whatever the fresh list says,
// the snapshot is the one a source reading from scratch with the same
// focus gives. The sandbox deletes a cluster for real (moto keeps it,
// INACTIVE), which is the case where the known list is out of date.
func TestFocusFirstReadOfKnownClusters(t *testing.T) {
	for _, tc := range []struct {
		name, focus string
		deleteFirst bool   // delete the focused cluster after the source listed it
		refocus     string // focus this cluster while the services are read
		wantScope   int    // clusters expanded in the end
	}{
		{"a cluster still there", "c03", false, "", 1},
		// Deleted: the account is down to AutoClusters clusters, which are
		// all expanded, as a read from scratch would do.
		{"a cluster deleted since the list", "gone", true, "", cloud.AutoClusters},
		// The user opened another cluster meanwhile: this read is stale
		// (the watcher drops it) and must not go on to read that one too.
		{"another focus during the read", "c03", false, "c04", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			a := open(t, newClock())
			if _, err := a.CreateCluster(ctx, "gone", nil); err != nil {
				t.Fatal(err)
			}
			have, err := a.Clusters(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; len(have)+i <= cloud.AutoClusters; i++ {
				if _, err := a.CreateCluster(ctx, fmt.Sprintf("c%02d", i+1), nil); err != nil {
					t.Fatal(err)
				}
			}
			rec := &recorded{Account: a}
			src := cloud.NewECSSource(rec)
			nop := func(resource.Set) {}
			if set, err := src.FetchProgress(ctx, nop); err != nil || set.Owns(resource.KindService) || len(set.Clusters) != cloud.AutoClusters+1 {
				t.Fatalf("first read: err %v, kinds %v, %d clusters; want the %d clusters only", err, set.Kinds, len(set.Clusters), cloud.AutoClusters+1)
			}
			if tc.deleteFirst {
				if err := a.DeleteCluster(ctx, tc.focus); err != nil {
					t.Fatal(err)
				}
			}
			if !src.Focus(tc.focus) {
				t.Fatalf("Focus(%s) did not report a new scope", tc.focus)
			}
			rec.calls = nil
			if tc.refocus != "" {
				rec.during = func() { src.Focus(tc.refocus) }
			}
			got, err := src.FetchProgress(ctx, func(resource.Set) {})
			if err != nil {
				t.Fatal(err)
			}
			// The services first, from the known list; the list after.
			if len(rec.calls) < 2 || rec.calls[0] != "Services" || !slices.Contains(rec.calls[1:], "Clusters") {
				t.Errorf("calls after the focus: %v; want Services first, then Clusters", rec.calls)
			}
			if tc.refocus != "" {
				if n := len(slices.DeleteFunc(slices.Clone(rec.calls), func(c string) bool { return c != "Services" })); n != 1 || len(got.Scope) != 1 {
					t.Errorf("calls %v, scope %v; want one Services call, of the cluster focused when the read began", rec.calls, got.Scope)
				}
				return
			}

			scratch := cloud.NewECSSource(a)
			scratch.Focus(tc.focus)
			want, err := scratch.FetchProgress(ctx, nop)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Scope) != tc.wantScope || len(got.Failed) > 0 || !slices.Equal(got.Kinds, want.Kinds) || !slices.Equal(got.Scope, want.Scope) ||
				!slices.Equal(itemLabels(got.Clusters), itemLabels(want.Clusters)) || !slices.Equal(itemLabels(got.Services), itemLabels(want.Services)) {
				t.Errorf("after the focus: kinds %v, scope %d %v, failed %v, clusters %v, services %v;\nwant what a read from scratch gives: kinds %v, scope %v, clusters %v, services %v",
					got.Kinds, len(got.Scope), got.Scope, got.Failed, itemLabels(got.Clusters), itemLabels(got.Services),
					want.Kinds, want.Scope, itemLabels(want.Clusters), itemLabels(want.Services))
			}
		})
	}
}

// recorded is the sandbox account with the order of its reads noted.
type recorded struct {
	*Account
	mu     sync.Mutex
	calls  []string
	during func() // run once, at the first Services call
}

func (r *recorded) note(op string) {
	r.mu.Lock()
	r.calls = append(r.calls, op)
	r.mu.Unlock()
}

func (r *recorded) Clusters(ctx context.Context) ([]resource.Cluster, error) {
	r.note("Clusters")
	return r.Account.Clusters(ctx)
}

func (r *recorded) Services(ctx context.Context, arn string) ([]resource.Service, error) {
	r.note("Services")
	r.mu.Lock()
	f := r.during
	r.during = nil
	r.mu.Unlock()
	if f != nil {
		f()
	}
	return r.Account.Services(ctx, arn)
}

func itemLabels[T interface{ Label() string }](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.Label()
	}
	return out
}
