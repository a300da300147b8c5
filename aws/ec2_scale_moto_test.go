package aws

import (
	"context"
	"slices"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"golang.org/x/sync/errgroup"

	"deckhand/internal/budget"
	"deckhand/internal/cloud"
	"deckhand/internal/resource"
	"deckhand/internal/testbed"
	"deckhand/internal/watch"
)

// TestInstancesAtScale is issue 8's instances page in small (CI keeps it
// under a minute): 2,000 instances in 40 reservations of 50 on moto, read
// through the counting proxy by the binary's adapter, budget, EC2 source
// and watcher at its schedule (2 s fast, 15 s slow and sweep).
//
// moto pages DescribeInstances by reservation, so the page sizes here are
// in reservations: a first page of 1 (50 instances; deckhand asks AWS for
// 50 instances), then pages of 10 (500).
//
// What it checks: the first rows are handed out before the last page has
// been read (a partial snapshot of fewer than 2,000); idle, with rows on
// screen, the watcher keeps the fast pace at a few calls a tick, not the
// account; an instance stopped with the SDK (moto stops it at once: no
// "stopping" to find by state) shows within the fast interval while on
// screen, although nothing was in transition before.
func TestInstancesAtScale(t *testing.T) {
	const n, perRes = 2000, 50
	f := newFixture(t)
	ami := f.ami(t)
	g := errgroup.Group{}
	g.SetLimit(4) // moto is one Python process: more only queue
	for range n / perRes {
		g.Go(func() error {
			_, err := f.ec2.RunInstances(context.Background(), &ec2.RunInstancesInput{
				ImageId: sdkaws.String(ami), InstanceType: ec2types.InstanceTypeT3Micro,
				MinCount: sdkaws.Int32(perRes), MaxCount: sdkaws.Int32(perRes),
			})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	proxy, url := testbed.StartProxy(t, f.m.URL)
	c, err := load(context.Background(), Options{EndpointURL: url, Region: "us-east-1", Budget: budget.New(0, nil)})
	if err != nil {
		t.Fatal(err)
	}
	c.ec2FirstPage, c.ec2PageSize = 1, 10
	src := cloud.NewEC2Source(c)
	src.SetSweep(15 * time.Second)
	updates := watchSource(t, src, 15*time.Second)

	// The first load: a partial of the first page, then the whole. A
	// partial holds the instances read so far, so one of fewer than n was
	// handed out before the last page was read.
	var partials []int
	var shown []string
	var base watch.Update
	for deadline := time.After(time.Minute); base.Set.Instances == nil; {
		select {
		case u := <-updates:
			switch {
			case u.Err != nil:
				t.Fatalf("first load: %v", u.Err)
			case u.Partial:
				partials = append(partials, len(u.Set.Instances))
				if shown == nil {
					// The page renders the first rows and reports
					// them on screen, as the TUI does.
					shown = firstIDs(u.Set, 40)
					src.OnScreen(shown)
				}
			default:
				base = u
			}
		case <-deadline:
			t.Fatalf("no complete first load in a minute (partials so far %v)", partials)
		}
	}
	if len(base.Set.Instances) != n || !base.Baseline {
		t.Fatalf("first complete update: %d instances, baseline %v; want %d, baseline", len(base.Set.Instances), base.Baseline, n)
	}
	if len(partials) == 0 || partials[0] != perRes {
		t.Errorf("partial snapshots %v: want the first page's %d instances first, before the last page", partials, perRes)
	}
	t.Logf("first load of %d: %v; partial snapshots %v", n, base.Took, partials)

	if len(shown) < 8 {
		t.Fatalf("rows on screen from the first partial snapshot: %v", shown)
	}
	target := shown[7]

	// Idle: nothing in transition, yet the watcher keeps the fast pace
	// (the source is a watch.Pacer) at a few calls a tick: the transition
	// finder, the rows on screen by id and their status checks. A full
	// re-read would be 5 DescribeInstances and 1 DescribeInstanceStatus a
	// tick; the sweep (every 15 s) is one of those.
	drain(updates)
	proxy.Reset()
	var slowest time.Duration
	ticks := 0
	for end := time.Now().Add(6 * time.Second); time.Now().Before(end); {
		select {
		case u := <-updates:
			ticks++
			slowest = max(slowest, u.Took)
		case <-time.After(time.Until(end)):
		}
	}
	if ticks < 2 {
		t.Errorf("%d fetches in 6 s idle: want the fast pace (every %v)", ticks, fastEvery)
	}
	if calls := proxy.Total(); calls > int64(3*ticks+6) {
		t.Errorf("%d calls in %d idle fetches, want at most 3 a fetch and one sweep: %v", calls, ticks, proxy.Ops())
	}
	t.Logf("idle 6 s: %d fetches, %d calls %v", ticks, proxy.Total(), proxy.Ops())

	// A stop of one instance on screen: the first fetch that starts after
	// it sees it, within the fast interval of the fetch in flight.
	drain(updates)
	changed := time.Now()
	if _, err := f.ec2.StopInstances(context.Background(), &ec2.StopInstancesInput{InstanceIds: []string{target}}); err != nil {
		t.Fatal(err)
	}
	u := waitUpdate(t, updates, 30*time.Second, func(u watch.Update) bool {
		return u.Err == nil && u.At.Add(-u.Took).After(changed)
	})
	started := u.At.Add(-u.Took)
	if in := findInstance(u.Set, target); in == nil || in.State != "stopped" {
		t.Errorf("the first fetch after the stop (started %v after it) has %s = %+v, want stopped", started.Sub(changed), target, in)
	}
	if d := started.Sub(changed); d > fastEvery+slowest+500*time.Millisecond {
		t.Errorf("the first fetch after the stop started %v after it, want within the fast interval (%v) after the fetch in flight (at most %v)", d, fastEvery, slowest)
	}
	if len(u.Set.Instances) != n {
		t.Errorf("%d instances after the stop, want %d", len(u.Set.Instances), n)
	}

	// The finder's filter, on moto: by state, across the account. moto
	// has no instance pending, stopping or shutting down (its state
	// changes are immediate), so the stopped one stands in.
	got, err := c.instancesInStates(context.Background(), []string{"stopped"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != target {
		t.Errorf("instances in state stopped: %d (%v), want only %s", len(got), got, target)
	}
	if got, err := c.InstancesInTransition(context.Background()); err != nil || len(got) != 0 {
		t.Errorf("InstancesInTransition on moto = %d instances, %v; want none (moto has no transitional state)", len(got), err)
	}
}

// firstIDs is the first n ids of s as the instances page sorts them (name,
// then id; these have no name).
func firstIDs(s resource.Set, n int) []string {
	ids := make([]string, 0, len(s.Instances))
	for _, in := range s.Instances {
		ids = append(ids, in.ID)
	}
	slices.Sort(ids)
	return ids[:min(n, len(ids))]
}

func findInstance(s resource.Set, id string) *resource.Instance {
	i := slices.IndexFunc(s.Instances, func(x resource.Instance) bool { return x.ID == id })
	if i < 0 {
		return nil
	}
	return &s.Instances[i]
}

// watchSource runs src in a watcher at cmd/deckhand's schedule (fast 2 s,
// slow as given), its updates, partial ones too, on the channel.
func watchSource(t *testing.T, src watch.Source, slow time.Duration) <-chan watch.Update {
	t.Helper()
	return runWatcher(t, src, watch.Config{Fast: fastEvery, Slow: slow})
}
