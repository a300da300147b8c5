package aws

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/middleware"

	"deckhand/internal/budget"
	"deckhand/internal/cloud"
	"deckhand/internal/resource"
	"deckhand/internal/testbed"
	"deckhand/internal/watch"
)

// TestFocusFirstRowsMoto is issue 8's "5,000 services across 20 clusters:
// first rows on screen within 0.5 s of opening the page" at CI size: 20
// clusters of 25 services on moto (more than cloud.AutoClusters, so a
// cluster's services are read once it is focused, as opening it in the
// TUI does), through the counting proxy, with the binary's adapter,
// budget, source and watcher. Time is not asserted (this machine's load
// decides it); what the first screen waits for is: the calls that reached
// moto when the first rows were handed out. Those rows must come with the
// first DescribeServices, before the cluster's other two and before the
// cluster list is read again or a task is listed; each later partial
// keeps the rows before it in place, and the load ends complete, in name
// order, with the cluster list read once.
func TestFocusFirstRowsMoto(t *testing.T) {
	f := newFixture(t)
	td := f.taskDef(t, "web")
	const nClusters, perCluster = 20, 25
	var clusters []string
	for i := range nClusters {
		clusters = append(clusters, f.cluster(t, fmt.Sprintf("c%02d", i+1)))
		seedServices(t, f, clusters[i], td, perCluster)
	}
	proxy, url := testbed.StartProxy(t, f.m.URL)
	log := &callLog{}
	c, err := load(context.Background(), Options{EndpointURL: url, Region: "us-east-1", Budget: budget.New(0, nil)},
		config.WithAPIOptions([]func(*middleware.Stack) error{log.install}))
	if err != nil {
		t.Fatal(err)
	}
	src := cloud.NewECSSource(c)
	src.SetSweep(time.Hour) // no background sweep: every call counted is the first load's

	// What had reached moto when each update was handed out, counted in
	// the watcher's goroutine as it emits (the partial callback runs
	// before the adapter sends its next call).
	type seen struct {
		u                                       watch.Update
		describes, listClusters, listTasks, all int
	}
	ctx, cancel := context.WithCancel(context.Background())
	updates := make(chan seen, 256)
	w := watch.New(src, watch.Config{Fast: time.Hour, Slow: time.Hour}, func(u watch.Update) {
		s := seen{u, proxy.Count("ECS.DescribeServices"), proxy.Count("ECS.ListClusters"), proxy.Count("ECS.ListTasks"), int(proxy.Total())}
		select {
		case updates <- s:
		case <-ctx.Done():
		}
	})
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	// next collects one generation's updates: its partials and the
	// complete one that ends it.
	next := func(t *testing.T, gen uint64) (partials []seen, final seen) {
		t.Helper()
		for deadline := time.After(60 * time.Second); ; {
			select {
			case s := <-updates:
				if s.u.Err != nil {
					t.Fatalf("fetch failed: %v", s.u.Err)
				}
				if s.u.Gen != gen {
					continue
				}
				if !s.u.Partial {
					return partials, s
				}
				partials = append(partials, s)
			case <-deadline:
				t.Fatalf("generation %d did not end within 60 s (%d partials)", gen, len(partials))
			}
		}
	}
	if _, base := next(t, 0); !slices.Equal(base.u.Set.Kinds, []resource.Kind{resource.KindCluster}) || len(base.u.Set.Clusters) != nClusters {
		t.Fatalf("first snapshot: kinds %v, %d clusters; want the %d clusters only", base.u.Set.Kinds, len(base.u.Set.Clusters), nClusters)
	}

	for i, tc := range []struct {
		name, focus string
		cluster     int
	}{
		{"the first cluster", clusters[0], 0},
		{"one in the middle", clusters[9], 9},
		{"the last, by name", "c20", 19},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxy.Reset()
			listsBefore := len(log.ops("ListServices"))
			if !src.Focus(tc.focus) {
				t.Fatalf("Focus(%s) with %d clusters did not report a new scope", tc.focus, nClusters)
			}
			w.Reset()
			partials, final := next(t, uint64(i+1))
			arn := clusters[tc.cluster]

			first := slices.IndexFunc(partials, func(s seen) bool { return len(s.u.Set.Services) > 0 })
			if first < 0 {
				t.Fatalf("no partial update with services before the whole snapshot (%d partials)", len(partials))
			}
			p := partials[first]
			if p.describes != 1 || p.listClusters != 0 || p.listTasks != 0 || len(p.u.Set.Services) != 10 {
				t.Errorf("first rows came after %d DescribeServices, %d ListClusters, %d ListTasks (%d calls) with %d services; want after the first DescribeServices only, with its 10",
					p.describes, p.listClusters, p.listTasks, p.all, len(p.u.Set.Services))
			}
			if ls := log.ops("ListServices")[listsBefore:]; len(ls) == 0 || ls[0].Max != 10 {
				t.Errorf("first ListServices of the focus: %+v; want maxResults 10 (one describe batch)", ls)
			}
			// Rows never move while the rest arrives: each partial's
			// services begin with the previous partial's.
			var prev []resource.Service
			for j, s := range partials {
				got := s.u.Set.Services
				if len(got) < len(prev) || !slices.EqualFunc(prev, got[:len(prev)], func(a, b resource.Service) bool { return a.ARN == b.ARN }) {
					t.Errorf("partial %d: %s; want it to begin with the previous %s", j, serviceNames(s.u.Set), serviceNames(resource.Set{Services: prev}))
				}
				for _, x := range got {
					if x.ClusterARN != arn {
						t.Errorf("partial %d has %s of cluster %s, want only %s's", j, x.Name, x.ClusterARN, arn)
					}
				}
				prev = got
			}

			set := final.u.Set
			var want []string
			for k := range perCluster {
				want = append(want, fmt.Sprintf("svc-%05d", k))
			}
			var names []string
			for _, x := range set.Services {
				names = append(names, x.Name)
				if x.ClusterARN != arn {
					t.Errorf("final snapshot has %s of cluster %s, want only %s's", x.Name, x.ClusterARN, arn)
				}
			}
			if !final.u.Baseline || !set.Owns(resource.KindService) || !slices.Equal(names, want) || len(set.Clusters) != nClusters {
				t.Errorf("final snapshot: baseline %v, kinds %v, %d clusters, services %v; want the baseline with %v, the %d clusters",
					final.u.Baseline, set.Kinds, len(set.Clusters), names, want, nClusters)
			}
			// 25 services: the first batch alone, then 10 and 5; the
			// cluster list once, after the first rows.
			if final.describes != 3 || final.listClusters != 1 {
				t.Errorf("whole load: %d DescribeServices, %d ListClusters; want 3 and 1 (calls: %v)", final.describes, final.listClusters, proxy.Ops())
			}
		})
	}
	log.check(t)
}
