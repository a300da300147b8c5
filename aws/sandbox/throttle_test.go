package sandbox

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"deckhand/internal/budget"
	"deckhand/internal/cloud"
)

// throttleCalls are the calls the bucket tests make, each the sandbox
// method for one AWS operation.
var throttleCalls = map[string]func(ctx context.Context, a *Account, cluster string) error{
	"DescribeServices": func(ctx context.Context, a *Account, cl string) error { _, err := a.Services(ctx, cl); return err },
	"DescribeTasks":    func(ctx context.Context, a *Account, cl string) error { _, err := a.Tasks(ctx, cl); return err },
	"DescribeClusters": func(ctx context.Context, a *Account, _ string) error { _, err := a.Clusters(ctx); return err },
	"DescribeInstances": func(ctx context.Context, a *Account, _ string) error {
		_, err := a.Instances(ctx)
		return err
	},
	"DescribeSecurityGroups": func(ctx context.Context, a *Account, _ string) error {
		_, err := a.SecurityGroups(ctx)
		return err
	},
	"GetLogEvents": func(ctx context.Context, a *Account, _ string) error {
		_, err := a.RecentLogEvents(ctx, "/ecs/none", "", 1)
		var ce *cloud.Error
		if errors.As(err, &ce) && ce.Code == "ResourceNotFoundException" {
			return nil // answered, not throttled
		}
		return err
	},
}

// TestSandboxBuckets: each bucket serves its burst, then refuses with the
// service's throttling code; it refills at its rate; buckets are per
// category (ECS) or per action (EC2); they are shared by every Account on
// the state file; --sandbox-api-rate lowers them; off, nothing is refused.
func TestSandboxBuckets(t *testing.T) {
	type step struct {
		advance time.Duration
		acct    int    // which of the two Accounts on the file calls
		op      string // a key of throttleCalls
		ok      int    // calls that must be answered
		then    string // the code of the next call; "" = make none
	}
	tests := []struct {
		name     string
		throttle bool
		rate     float64
		steps    []step
	}{
		{"ECS service reads: a burst of 100, then ThrottlingException", true, 0, []step{
			{op: "DescribeServices", ok: 100, then: "ThrottlingException"},
		}},
		{"ECS refills 20 a second", true, 0, []step{
			{op: "DescribeServices", ok: 100, then: "ThrottlingException"},
			{advance: 500 * time.Millisecond, op: "DescribeServices", ok: 10, then: "ThrottlingException"},
			{advance: time.Hour, op: "DescribeServices", ok: 100, then: "ThrottlingException"}, // full, not more
		}},
		{"ECS categories have buckets of their own", true, 0, []step{
			{op: "DescribeServices", ok: 100, then: "ThrottlingException"},
			{op: "DescribeTasks", ok: 100, then: "ThrottlingException"},
			{op: "DescribeClusters", ok: 50, then: "ThrottlingException"},
		}},
		{"EC2 describes: 100, then RequestLimitExceeded, per action", true, 0, []step{
			{op: "DescribeInstances", ok: 100, then: "RequestLimitExceeded"},
			{op: "DescribeSecurityGroups", ok: 100, then: "RequestLimitExceeded"},
			{advance: time.Second, op: "DescribeInstances", ok: 20, then: "RequestLimitExceeded"},
		}},
		{"services the sandbox does not throttle", true, 0, []step{
			{op: "GetLogEvents", ok: 300},
		}},
		{"the buckets are shared by the Accounts on one file", true, 0, []step{
			{acct: 0, op: "DescribeServices", ok: 60},
			{acct: 1, op: "DescribeServices", ok: 40, then: "ThrottlingException"},
			{acct: 0, then: "ThrottlingException", op: "DescribeServices"},
		}},
		{"a lowered rate scales the burst alike", true, 2, []step{
			{op: "DescribeServices", ok: 10, then: "ThrottlingException"}, // 100 at 20/s is 5 s of burst
			{op: "DescribeClusters", ok: 5, then: "ThrottlingException"},  // 50 at 20/s is 2.5 s
			{advance: time.Second, op: "DescribeServices", ok: 2, then: "ThrottlingException"},
		}},
		{"off: nothing is refused", false, 0, []step{
			{op: "DescribeServices", ok: 300},
			{op: "DescribeInstances", ok: 300},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			path := filepath.Join(t.TempDir(), "sandbox.json")
			opt := func(o *Options) { o.Path, o.Throttle, o.APIRate = path, tt.throttle, tt.rate }
			accts := []*Account{open(t, clk, opt), open(t, clk, opt)}
			// The cluster to read, asked of an unthrottled Account.
			free := open(t, clk, func(o *Options) { o.Path = path })
			cls, err := free.Clusters(ctx)
			if err != nil || len(cls) == 0 {
				t.Fatalf("clusters: %v %v", cls, err)
			}
			cl := cls[0].ARN
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				a, call := accts[s.acct], throttleCalls[s.op]
				for n := range s.ok {
					if err := call(ctx, a, cl); err != nil {
						t.Fatalf("step %d: call %d of %s: %v", i, n+1, s.op, err)
					}
				}
				if s.then == "" {
					continue
				}
				err := call(ctx, a, cl)
				var ce *cloud.Error
				if !errors.As(err, &ce) || ce.Code != s.then || ce.Operation != s.op {
					t.Fatalf("step %d: call %d of %s = %v, want %s", i, s.ok+1, s.op, err, s.then)
				}
				if !budget.IsThrottle(err) {
					t.Fatalf("step %d: %v is not a throttling answer to the budget", i, err)
				}
			}
		})
	}
}

// TestSandboxThrottleCutsBudget: deckhand's client budget reacts to the
// sandbox's throttling as to AWS's: the family's rate is halved (AIMD)
// and the throttle counted; calls the sandbox does not refuse cut nothing.
func TestSandboxThrottleCutsBudget(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	b := budget.New(50, nil) // far above the sandbox's 1/s: the sandbox is what refuses
	a := open(t, clk, func(o *Options) { o.Throttle, o.APIRate, o.Budget = true, 1, b })
	cls, err := a.Clusters(ctx) // cluster reads: a burst of 2 at 1/s
	if err != nil {
		t.Fatal(err)
	}
	for range 5 { // service reads: a burst of 5
		if _, err := a.Services(ctx, cls[0].ARN); err != nil {
			t.Fatal(err)
		}
	}
	stats := func(f budget.Family) budget.Stats {
		for _, s := range b.Snapshot() {
			if s.Family == f {
				return s
			}
		}
		t.Fatalf("no stats for %s in %+v", f, b.Snapshot())
		return budget.Stats{}
	}
	if s := stats(budget.ECSService); s.Cut || s.Throttled != 0 || s.Total != 5 {
		t.Fatalf("before any throttling: %+v", s)
	}
	_, err = a.Services(ctx, cls[0].ARN)
	if !budget.IsThrottle(err) {
		t.Fatalf("6th service read = %v, want ThrottlingException", err)
	}
	s := stats(budget.ECSService)
	if !s.Cut || s.Throttled != 1 || s.Rate > 25.01 || s.Rate < 24.99 || s.Configured != 50 {
		t.Fatalf("after a ThrottlingException: %+v, want the rate halved to 25", s)
	}
	if c := stats(budget.ECSCluster); c.Cut || c.Throttled != 0 || c.Total != 1 {
		t.Fatalf("the cluster family was cut too: %+v", c)
	}
}
