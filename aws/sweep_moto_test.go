package aws

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"golang.org/x/sync/errgroup"

	"deckhand/internal/budget"
	"deckhand/internal/testbed"
	"deckhand/internal/watch"
)

// sweepBound is how long a service created or deleted may take to show
// in the snapshot at --refresh 15 s and the DEFAULT budget: one interval
// (the sweep may have begun just before the change), then the sweep's
// lists and the describe of the new ARN at its share of the budget (1 call
// a second per family: ListClusters and DescribeClusters, ListServices,
// two ListTasks, one DescribeServices; about 3 s), then the fetch that
// merges it (started at once by the sweep's notification), with room for
// moto's answers on this shared, loaded machine (a describe of 10 of
// 2,000 services takes it 0.1–1 s). The full re-read this replaced took
// 200 DescribeServices at 1 a second, over 3 minutes.
const (
	sweepEvery = 15 * time.Second
	sweepBound = 45 * time.Second
)

// sweepFindsChanges is TestTargetedPolling2000's sweep subtest: on the
// 2,000-service cluster, at the default budget, a service created with the
// SDK appears, and deleted ones vanish, each within sweepBound.
func sweepFindsChanges(t *testing.T, f *fixture, proxy *testbed.Proxy, url, cluster, td string) {
	b := budget.New(0, nil)
	src, updates := watchVia(t, url, b, sweepEvery)
	var shown []string
	for i := range 40 {
		shown = append(shown, serviceARN(cluster, i))
	}
	src.OnScreen(shown)
	waitUpdate(t, updates, 3*time.Minute, func(u watch.Update) bool { return len(u.Set.Services) == bigN })
	ctx := context.Background()
	added := cluster[:len(cluster)-len("cluster/big")] + "service/big/svc-added"
	onScreen := serviceARN(cluster, 5)
	for _, tc := range []struct {
		what    string
		arn     string
		present bool
		do      func() error
	}{
		{"created (a new ARN in ListServices)", added, true, func() error {
			// Desired 0: moto completes its rollout, so it is steady,
			// followed by the sweep alone.
			_, err := f.ecs.CreateService(ctx, &ecs.CreateServiceInput{
				Cluster: sdkaws.String(cluster), ServiceName: sdkaws.String("svc-added"),
				TaskDefinition: sdkaws.String(td), DesiredCount: sdkaws.Int32(0),
			})
			return err
		}},
		// AWS lists a deleted service no more; moto lists it on as
		// INACTIVE, so here the sweep's round-robin re-read finds it.
		{"deleted, steady and off screen", added, false, func() error {
			_, err := f.ecs.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: sdkaws.String(cluster), Service: sdkaws.String(added)})
			return err
		}},
		// In transition and on screen: the fast tick re-reads it INACTIVE.
		{"deleted, in transition and on screen", onScreen, false, func() error {
			_, err := f.ecs.DeleteService(ctx, &ecs.DeleteServiceInput{
				Cluster: sdkaws.String(cluster), Service: sdkaws.String(onScreen), Force: sdkaws.Bool(true),
			})
			return err
		}},
	} {
		drain(updates)
		proxy.Reset()
		start := time.Now()
		if err := tc.do(); err != nil {
			t.Fatalf("%s: %v", tc.what, err)
		}
		u := waitUpdate(t, updates, 2*sweepBound, func(u watch.Update) bool {
			return u.Err == nil && (findService(u.Set, tc.arn) != nil) == tc.present
		})
		took := time.Since(start)
		t.Logf("%s: in the snapshot after %v (%d services); calls meanwhile: %v", tc.what, took.Round(100*time.Millisecond), len(u.Set.Services), proxy.Ops())
		if took > sweepBound {
			t.Errorf("%s: shown after %v, want within %v", tc.what, took, sweepBound)
		}
	}
	st, ok := src.SweepStats()
	if !ok || st.Listed < bigN || st.At.IsZero() {
		t.Errorf("SweepStats() = %+v, %v; want a list sweep of the %d services", st, ok, bigN)
	}
	t.Logf("last sweep: %+v", st)
	// What :stats says of it: the one steady service (svc-added) is gone,
	// moto's INACTIVE copy of it is re-read round-robin.
	lines := strings.Join(st.Lines(time.Now()), " ")
	for _, want := range []string{fmt.Sprintf("ECS sweep: %d ARNs listed", bigN+1), "steady rows re-read round-robin", "the least recently read"} {
		if !strings.Contains(lines, want) {
			t.Errorf(":stats says %q, want it to say %q", lines, want)
		}
	}
}

// TestSweepHeld: the header's "budget holding the sweep back" (the
// budget's SweepHeld) is said when the budget does hold the sweep back,
// not while the sweep keeps its interval. At the default budget the ECS
// list sweep of a small cluster is five calls in three families, within
// the sweep's burst: never held. At --api-rate 0.5 the sweep's share is a
// call every 10 s: its second ecs-cluster call (DescribeClusters after
// ListClusters) waits, and the budget says so.
func TestSweepHeld(t *testing.T) {
	f := newFixture(t)
	cluster := f.cluster(t, "held")
	f.services(t, cluster, f.taskDef(t, "app"), "app", 3)
	for _, tc := range []struct {
		name string
		rate float64
		held bool
	}{
		{"default budget: the sweep keeps its interval", 0, false},
		{"--api-rate 0.5: the sweep waits for its share", 0.5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := budget.New(tc.rate, nil)
			_, updates := watchVia(t, f.m.URL, b, 2*time.Second)
			waitUpdate(t, updates, time.Minute, func(u watch.Update) bool { return len(u.Set.Services) == 3 })
			var held []budget.Family
			for end := time.Now().Add(20 * time.Second); time.Now().Before(end) && len(held) == 0; time.Sleep(200 * time.Millisecond) {
				for _, s := range b.Snapshot() {
					if s.SweepHeld {
						held = append(held, s.Family)
					}
				}
			}
			if (len(held) > 0) != tc.held {
				t.Errorf("families said to hold the sweep back within 20 s: %v; want held %v", held, tc.held)
			}
		})
	}
}

// TestSweepFollowsTasks: a task that appears (a deployment or a scale done
// elsewhere starts tasks) makes the sweep re-read its service at once,
// not when the round-robin gets to it. 300 steady services at the default
// budget: the round-robin re-reads about 130 a sweep, in ARN order after
// the first load, so the last one (app-0299) would wait for the third
// sweep, about 45 s; through its new task it is re-read by the first.
func TestSweepFollowsTasks(t *testing.T) {
	const n = 300
	f := newFixture(t)
	f.pinTasks(t)
	cluster := f.cluster(t, "follow")
	td := f.taskDef(t, "app")
	g := errgroup.Group{}
	g.SetLimit(4)
	for i := range n {
		g.Go(func() error {
			_, err := f.ecs.CreateService(context.Background(), &ecs.CreateServiceInput{
				Cluster: sdkaws.String(cluster), ServiceName: sdkaws.String(fmt.Sprintf("app-%04d", i)),
				TaskDefinition: sdkaws.String(td), DesiredCount: sdkaws.Int32(0), // steady on moto
			})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	_, updates := watchVia(t, f.m.URL, budget.New(0, nil), sweepEvery)
	base := waitUpdate(t, updates, 2*time.Minute, func(u watch.Update) bool { return len(u.Set.Services) == n })
	last := base.Set.Services[n-1]
	if last.Name != "app-0299" || last.Transitional() {
		t.Fatalf("the last service is %s (in transition: %v), want a steady app-0299", last.Name, last.Transitional())
	}
	// Scaled elsewhere: the desired count changes and a task starts.
	changed := time.Now()
	if _, err := f.ecs.UpdateService(context.Background(), &ecs.UpdateServiceInput{
		Cluster: sdkaws.String(cluster), Service: sdkaws.String(last.ARN), DesiredCount: sdkaws.Int32(1),
	}); err != nil {
		t.Fatal(err)
	}
	f.runTasks(t, cluster, td, "service:app-0299", 1)
	u := waitUpdate(t, updates, 2*time.Minute, func(u watch.Update) bool {
		s := findService(u.Set, last.ARN)
		return u.Err == nil && s != nil && s.Desired == 1
	})
	took := time.Since(changed)
	t.Logf("app-0299's new desired count in the snapshot after %v (%d tasks)", took.Round(100*time.Millisecond), len(u.Set.Tasks))
	if bound := sweepEvery + 10*time.Second; took > bound {
		t.Errorf("app-0299 re-read %v after its task started, want within one sweep (%v)", took, bound)
	}
}
