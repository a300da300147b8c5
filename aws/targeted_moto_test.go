package aws

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"golang.org/x/sync/errgroup"

	"deckhand/internal/budget"
	"deckhand/internal/cloud"
	"deckhand/internal/resource"
	"deckhand/internal/testbed"
	"deckhand/internal/watch"
)

// The schedule cmd/deckhand runs the watchers at.
const (
	fastEvery = 2 * time.Second
	bigN      = 2000
)

// TestTargetedPolling2000 is issue 8's behaviour against moto: one cluster
// of 2,000 services, seeded once (desired 1: moto keeps every rollout
// IN_PROGRESS, so all 2,000 are in transition, as in the idle benchmark),
// read through a loopback proxy that counts the calls and can answer
// ThrottlingException. The adapter, the budget, the ECS source and the
// watcher are the binary's own, at its schedule.
func TestTargetedPolling2000(t *testing.T) {
	f := newFixture(t)
	cluster := f.cluster(t, "big")
	td := f.taskDef(t, "web")
	seedServices(t, f, cluster, td, bigN)
	proxy, url := testbed.StartProxy(t, f.m.URL)

	// At the default budget: what the user runs.
	t.Run("default budget", func(t *testing.T) {
		b := budget.New(0, nil)
		src, updates := watchVia(t, url, b, 15*time.Second)
		// The first screen: the 40 first services by name, as the
		// services page reports them.
		var shown []string
		for i := range 40 {
			shown = append(shown, serviceARN(cluster, i))
		}
		src.OnScreen(shown)
		base := waitUpdate(t, updates, 3*time.Minute, func(u watch.Update) bool { return true })
		if !base.Baseline || len(base.Set.Services) != bigN {
			t.Fatalf("first complete update: baseline %v, %d services; want the %d", base.Baseline, len(base.Set.Services), bigN)
		}

		// Idle: at most 250 calls a minute (issue 8's target), with the
		// services in transition that are not on screen said to be
		// followed at a slower pace.
		proxy.Reset()
		var slowest time.Duration // the longest fetch while idle
		for end := time.Now().Add(30 * time.Second); time.Now().Before(end); {
			select {
			case u := <-updates:
				slowest = max(slowest, u.Took)
			case <-time.After(time.Until(end)):
			}
		}
		if n := proxy.Total(); n > 125 {
			t.Errorf("%d calls in 30 s idle, want at most 125 (250 a minute): %v", n, proxy.Ops())
		}
		if behind, _ := src.Behind(); behind < bigN-len(shown)-50 {
			t.Errorf("Behind() = %d, want about %d (the off-screen services in transition)", behind, bigN-len(shown))
		}

		// A transition of one service on screen: the first fetch that
		// starts after it sees it, and that fetch starts within the fast
		// interval of the end of the fetch in flight when it happened.
		drain(updates)
		name := fmt.Sprintf("svc-%05d", 7)
		changed := time.Now()
		if _, err := f.ecs.UpdateService(context.Background(), &ecs.UpdateServiceInput{
			Cluster: sdkaws.String(cluster), Service: sdkaws.String(name), DesiredCount: sdkaws.Int32(3),
		}); err != nil {
			t.Fatal(err)
		}
		u := waitUpdate(t, updates, 30*time.Second, func(u watch.Update) bool {
			return u.Err == nil && u.At.Add(-u.Took).After(changed)
		})
		started := u.At.Add(-u.Took)
		if s := findService(u.Set, serviceARN(cluster, 7)); s == nil || s.Desired != 3 {
			t.Errorf("the first fetch after the update (started %v after it) has %s = %+v, want desired 3", started.Sub(changed), name, s)
		}
		if d := started.Sub(changed); d > fastEvery+slowest+500*time.Millisecond {
			t.Errorf("the first fetch after the update started %v after it, want within the fast interval (%v) after the fetch in flight (at most %v)", d, fastEvery, slowest)
		}

		// A throttling storm: every call answered ThrottlingException
		// for 10 s. The call rate drops and the budget says it cut the
		// rate (the header's "THROTTLED, rate cut"); a fetch that fails
		// meanwhile is reported as throttling with its next retry (the
		// panes' error line; the SDK's retries, each waiting for the cut
		// budget, may outlast the storm, so one is not required); then it
		// recovers with the data whole.
		proxy.Reset()
		time.Sleep(10 * time.Second)
		before := proxy.Total()
		drain(updates)
		proxy.SetThrottle(true)
		proxy.Reset()
		var failed []watch.Update
		stormEnd := time.Now().Add(10 * time.Second)
		for time.Now().Before(stormEnd) {
			select {
			case u := <-updates:
				if u.Err != nil {
					failed = append(failed, u)
				}
			case <-time.After(time.Until(stormEnd)):
			}
		}
		during := proxy.Total()
		proxy.SetThrottle(false)
		time.Sleep(200 * time.Millisecond) // answers already on their way
		cut := family(b, budget.ECSService)
		if during >= before {
			t.Errorf("%d calls in the 10 s of the storm, %d in the 10 s before: want fewer", during, before)
		}
		if !cut.Cut || cut.Throttled == 0 {
			t.Errorf("after the storm the ecs-service family is %+v, want its rate cut", cut)
		}
		u = waitUpdate(t, updates, 2*time.Minute, func(u watch.Update) bool {
			if u.Err != nil {
				failed = append(failed, u)
			}
			return u.Err == nil
		})
		for _, f := range failed {
			if !watch.IsThrottle(f.Err) || f.Next <= 0 {
				t.Errorf("a fetch failed in the storm with %v, next retry in %v: want the throttling and when it retries", f.Err, f.Next)
			}
		}
		if len(u.Set.Services) != bigN || u.Baseline {
			t.Errorf("after the storm: %d services, baseline %v; want the %d, kept (no new baseline)", len(u.Set.Services), u.Baseline, bigN)
		}
		time.Sleep(3 * time.Second)
		if later := family(b, budget.ECSService); later.Rate <= cut.Rate {
			t.Errorf("rate %.2f/s 3 s after the storm, %.2f/s at its end: want it growing back", later.Rate, cut.Rate)
		}
	})

	// A service added and ones deleted are found within about one sweep
	// interval, at the default budget (sweep_moto_test.go). The sweep used
	// to re-read all 2,000 (200 DescribeServices: 200 s at its share of
	// the default budget), so this subtest ran at --api-rate 50 and waited
	// 90 s; it now lists the ARNs and describes only the new ones.
	t.Run("sweep finds added and deleted", func(t *testing.T) {
		sweepFindsChanges(t, f, proxy, url, cluster, td)
	})
}

// seedServices creates n services svc-00000… with desired 1, four calls
// in flight (moto is one Python process: more only queue).
func seedServices(t *testing.T, f *fixture, cluster, td string, n int) {
	t.Helper()
	g := errgroup.Group{}
	g.SetLimit(4)
	for i := range n {
		g.Go(func() error {
			_, err := f.ecs.CreateService(context.Background(), &ecs.CreateServiceInput{
				Cluster: sdkaws.String(cluster), ServiceName: sdkaws.String(fmt.Sprintf("svc-%05d", i)),
				TaskDefinition: sdkaws.String(td), DesiredCount: sdkaws.Int32(1),
			})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// serviceARN is the ARN moto gives svc-0000i of the cluster clusterARN.
func serviceARN(clusterARN string, i int) string {
	prefix := clusterARN[:len(clusterARN)-len("cluster/big")]
	return fmt.Sprintf("%sservice/big/svc-%05d", prefix, i)
}

// watchVia runs an ECS source over an adapter at url with budget b, its
// sweep every sweep, in a watcher at cmd/deckhand's schedule.
func watchVia(t *testing.T, url string, b *budget.Budget, sweep time.Duration) (*cloud.ECSSource, <-chan watch.Update) {
	t.Helper()
	c, err := Load(context.Background(), Options{EndpointURL: url, Region: "us-east-1", Budget: b})
	if err != nil {
		t.Fatal(err)
	}
	src := cloud.NewECSSource(c)
	src.SetSweep(sweep)
	return src, runWatcher(t, src, watch.Config{Fast: fastEvery, Slow: sweep})
}

// waitUpdate returns the first complete update (not partial) that ok
// accepts, failing after timeout.
func waitUpdate(t *testing.T, updates <-chan watch.Update, timeout time.Duration, ok func(watch.Update) bool, why ...func() string) watch.Update {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case u := <-updates:
			if !u.Partial && ok(u) {
				return u
			}
		case <-deadline:
			for _, w := range why {
				t.Log(w())
			}
			t.Fatalf("no such update in %v", timeout)
		}
	}
}

func drain(updates <-chan watch.Update) {
	for {
		select {
		case <-updates:
		default:
			return
		}
	}
}

func findService(s resource.Set, arn string) *resource.Service {
	i := slices.IndexFunc(s.Services, func(x resource.Service) bool { return x.ARN == arn })
	if i < 0 {
		return nil
	}
	return &s.Services[i]
}

func family(b *budget.Budget, f budget.Family) budget.Stats {
	for _, s := range b.Snapshot() {
		if s.Family == f {
			return s
		}
	}
	return budget.Stats{Family: f}
}
