package aws

import (
	"deckhand/internal/cloud"

	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"deckhand/internal/resource"
	"deckhand/internal/watch"
)

// runWatcher runs a watcher over src at cfg's schedule until the test
// ends and returns its updates, partial ones too.
func runWatcher(t *testing.T, src watch.Source, cfg watch.Config) <-chan watch.Update {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	updates := make(chan watch.Update, 256)
	w := watch.New(src, cfg, func(u watch.Update) {
		select {
		case updates <- u:
		case <-ctx.Done():
		}
	})
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return updates
}

// every200ms is the short schedule of the tests here.
var every200ms = watch.Config{Fast: 200 * time.Millisecond, Slow: 200 * time.Millisecond}

// nextUpdate waits for the next update and fails on a fetch error.
// nextUpdate returns the next complete update, skipping the partial ones
// of a first load (TestECSSourcePartialFirstLoad checks those).
func nextUpdate(t *testing.T, updates <-chan watch.Update) watch.Update {
	t.Helper()
	for {
		select {
		case u := <-updates:
			if u.Err != nil {
				t.Fatalf("fetch failed: %v", u.Err)
			}
			if u.Partial {
				continue
			}
			return u
		case <-time.After(30 * time.Second):
			t.Fatal("no update from the watcher in 30s")
		}
	}
}

// waitTransitions collects transitions of kind until done says it has seen
// enough, and returns them all.
func waitTransitions(t *testing.T, updates <-chan watch.Update, kind resource.Kind, done func(map[string][]watch.Transition) bool) map[string][]watch.Transition {
	t.Helper()
	byKey := map[string][]watch.Transition{}
	for !done(byKey) {
		u := nextUpdate(t, updates)
		for _, tr := range u.Transitions {
			if tr.Kind == kind {
				byKey[tr.Key] = append(byKey[tr.Key], tr)
			}
		}
	}
	return byKey
}

func TestEC2SourceWatch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, _ := f.client(t)
	ami := f.ami(t)
	stop := f.instances(t, ami, "to-stop", 1)[0]
	term := f.instances(t, ami, "to-terminate", 1)[0]
	keep := f.instances(t, ami, "keep", 1)[0]

	src := cloud.NewEC2Source(c)
	if src.Name() != "ec2" {
		t.Errorf("Name() = %q", src.Name())
	}
	updates := runWatcher(t, src, every200ms)
	base := nextUpdate(t, updates)
	if !base.Baseline || len(base.Set.Instances) != 3 || !slices.Equal(base.Set.Kinds, []resource.Kind{resource.KindInstance}) {
		t.Fatalf("baseline = %+v", base)
	}

	if _, err := f.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{stop}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{term}}); err != nil {
		t.Fatal(err)
	}
	got := waitTransitions(t, updates, resource.KindInstance, func(m map[string][]watch.Transition) bool {
		return len(m[stop]) > 0 && len(m[term]) > 0
	})

	// AWS walks running → stopping → stopped and running → shutting-down →
	// terminated over tens of seconds. moto changes state at once, so the
	// watcher sees a single step each.
	if tr := got[stop]; len(tr) != 1 || tr[0].From != "running" || tr[0].To != "stopped" || tr[0].Label != "to-stop ("+stop+")" {
		t.Errorf("stopped instance transitions = %+v", tr)
	}
	if tr := got[term]; len(tr) != 1 || tr[0].From != "running" || tr[0].To != "terminated" {
		t.Errorf("terminated instance transitions = %+v", tr)
	}
	if tr := got[keep]; len(tr) != 0 {
		t.Errorf("untouched instance changed: %+v", tr)
	}
}

func TestECSSourceWatch(t *testing.T) {
	f := newFixture(t)
	// Without pinning, moto would walk every task to STOPPED by itself over
	// four fetches (see TestMotoWalksDescribedTasks).
	f.pinTasks(t)
	ctx := context.Background()
	c, _ := f.client(t)
	cluster := f.cluster(t, "watch")
	td := f.taskDef(t, "app")
	f.services(t, cluster, td, "app", 1)
	tasks := f.runTasks(t, cluster, td, "service:app-0000", 2)

	src := cloud.NewECSSource(c)
	if src.Name() != "ecs" {
		t.Errorf("Name() = %q", src.Name())
	}
	updates := runWatcher(t, src, every200ms)
	base := nextUpdate(t, updates)
	wantKinds := []resource.Kind{resource.KindCluster, resource.KindService, resource.KindTask, resource.KindContainer}
	if !slices.Equal(base.Set.Kinds, wantKinds) || len(base.Set.Clusters) != 1 || len(base.Set.Services) != 1 ||
		len(base.Set.Tasks) != 2 || len(base.Set.Containers) != 2 {
		t.Fatalf("baseline set = %+v", base.Set)
	}

	if _, err := f.ecs.StopTask(ctx, &ecs.StopTaskInput{Cluster: sdkaws.String(cluster), Task: sdkaws.String(tasks[0])}); err != nil {
		t.Fatal(err)
	}
	got := waitTransitions(t, updates, resource.KindTask, func(m map[string][]watch.Transition) bool {
		return len(m[tasks[0]]) > 0
	})
	// The stopped task moves from the desiredStatus=RUNNING list to the
	// STOPPED one; it must show as a change, not as removed and added.
	if tr := got[tasks[0]]; len(tr) != 1 || tr[0].From != "RUNNING" || tr[0].To != "STOPPED" {
		t.Errorf("stopped task transitions = %+v", tr)
	}
	if tr := got[tasks[1]]; len(tr) != 0 {
		t.Errorf("running task changed: %+v", tr)
	}
}

func TestECSSourceScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, _ := f.client(t)
	td := f.taskDef(t, "svc")
	// Same-width names: see the ListTasks note on TestScale.
	a, b := f.cluster(t, "c-a"), f.cluster(t, "c-b")
	f.services(t, a, td, "a", 2)
	f.services(t, b, td, "b", 3)
	f.runTasks(t, b, td, "", 2)
	src := cloud.NewECSSource(c)

	// Two clusters: both are expanded, services in cluster then name order.
	set, err := src.Fetch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !set.Owns(resource.KindService) || serviceNames(set) != "a-0000 a-0001 b-0000 b-0001 b-0002" ||
		len(set.Tasks) != 2 || len(set.Containers) != 2 {
		t.Fatalf("auto scope: services %q, %d tasks, %d containers", serviceNames(set), len(set.Tasks), len(set.Containers))
	}
	// With every cluster expanded, a focus changes nothing (the watcher
	// keeps its baseline, so no transition is lost to a drill-down).
	if src.Focus(a) {
		t.Error("Focus with few clusters reported a new scope")
	}
	if set, _ := src.Fetch(ctx); serviceNames(set) != "a-0000 a-0001 b-0000 b-0001 b-0002" {
		t.Errorf("focus with few clusters narrowed the scope: %q", serviceNames(set))
	}
	src.Focus("")

	// Eleven clusters: too many to expand without a focus.
	for i := range cloud.AutoClusters - 1 {
		f.cluster(t, fmt.Sprintf("c-%c", 'c'+i))
	}
	// New clusters are found by the sweep (targeted polling re-reads only
	// what is in transition): with a sweep on every fetch, the fetch after
	// the sweep lands sees them.
	src.SetSweep(time.Millisecond)
	for deadline := time.Now().Add(30 * time.Second); ; {
		set, err = src.Fetch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(set.Clusters) == cloud.AutoClusters+1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(set.Clusters) != cloud.AutoClusters+1 || !slices.Equal(set.Kinds, []resource.Kind{resource.KindCluster}) || len(set.Services) != 0 {
		t.Fatalf("over AutoClusters: kinds %v, %d clusters, %d services", set.Kinds, len(set.Clusters), len(set.Services))
	}

	for _, tc := range []struct {
		focus, services string
		tasks           int
	}{
		{b, "b-0000 b-0001 b-0002", 2},
		{"c-a", "a-0000 a-0001", 0}, // a name works too
		{"arn:aws:ecs:us-east-1:123456789012:cluster/gone", "", 0},
	} {
		if !src.Focus(tc.focus) {
			t.Errorf("Focus(%s) with many clusters did not report a new scope", tc.focus)
		}
		if src.Focused() != tc.focus {
			t.Errorf("Focused() = %q", src.Focused())
		}
		set, err := src.Fetch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !set.Owns(resource.KindService) || !set.Owns(resource.KindTask) || serviceNames(set) != tc.services || len(set.Tasks) != tc.tasks {
			t.Errorf("focus %s: kinds %v, services %q, %d tasks", tc.focus, set.Kinds, serviceNames(set), len(set.Tasks))
		}
	}
}

// TestECSSourceFocusRace changes the focus while fetches run (for -race).
func TestECSSourceFocusRace(t *testing.T) {
	f := newFixture(t)
	c, _ := f.client(t)
	a := f.cluster(t, "r-a")
	src := cloud.NewECSSource(c)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			src.Focus([]string{a, ""}[i%2])
		}
	}()
	for range 5 {
		if _, err := src.Fetch(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	<-done
}

func serviceNames(s resource.Set) string {
	var names []string
	for _, x := range s.Services {
		names = append(names, x.Name)
	}
	return strings.Join(names, " ")
}

// TestECSSourcePartialFirstLoad: a first load of a cluster of 250
// services reports the clusters, then the services batch by batch, before
// the whole snapshot; every partial holds
// only what the final one has. A fetch that is not a first load reports
// nothing partial.
func TestECSSourcePartialFirstLoad(t *testing.T) {
	f := newFixture(t)
	c, _ := f.client(t)
	cluster := f.cluster(t, "paged")
	f.services(t, cluster, f.taskDef(t, "app"), "app", 250)
	src := cloud.NewECSSource(c)

	var sizes []int
	var partials []resource.Set
	set, err := src.FetchProgress(context.Background(), func(s resource.Set) {
		partials = append(partials, s)
		sizes = append(sizes, len(s.Services))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Services) != 250 {
		t.Fatalf("final set has %d services, want 250", len(set.Services))
	}
	// The clusters first, then every DescribeServices batch of 10 as it
	// returns (moto lists all 250 in one ListServices page; AWS gives 100
	// a page, each described as it comes).
	want := []int{0}
	for n := 10; n <= 250; n += 10 {
		want = append(want, n)
	}
	if !slices.Equal(sizes, want) {
		t.Errorf("partial service counts = %v, want %v", sizes, want)
	}
	final := map[string]bool{}
	for _, s := range set.Services {
		final[s.ARN] = true
	}
	for i, p := range partials {
		if len(p.Clusters) != 1 || slices.Contains(p.Kinds, resource.KindTask) {
			t.Errorf("partial %d: %d clusters, kinds %v; want the cluster, and tasks only in the whole snapshot", i, len(p.Clusters), p.Kinds)
		}
		for _, s := range p.Services {
			if !final[s.ARN] {
				t.Errorf("partial %d has %s, which the final snapshot lacks", i, s.ARN)
			}
		}
	}
	if _, err := src.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
}
