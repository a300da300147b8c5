package aws

import (
	"context"
	"slices"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// TestScreenReadByState: between two full descriptions (one per --refresh)
// the rows on screen are re-read by their states and checks only
// (DescribeInstanceStatus), which costs a sixth of describing them; one
// whose state changed is described in full at once, and an id EC2 no
// longer knows does not fail the read.
func TestScreenReadByState(t *testing.T) {
	f := newFixture(t)
	out, err := f.ec2.RunInstances(context.Background(), &ec2.RunInstancesInput{
		ImageId: sdkaws.String(f.ami(t)), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: sdkaws.Int32(5), MaxCount: sdkaws.Int32(5),
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, in := range out.Instances {
		ids = append(ids, sdkaws.ToString(in.InstanceId))
	}
	c, log := f.client(t)
	defer log.check(t)
	ctx := context.Background()

	// The adapter: states and checks by id; an unknown id is not an error.
	states, err := c.InstanceStates(ctx, ids)
	if err != nil || len(states) != len(ids) {
		t.Fatalf("InstanceStates(%d ids) = %d states, %v", len(ids), len(states), err)
	}
	for _, s := range states {
		if s.State != "running" || s.StatusCheck == "" {
			t.Errorf("state of %s = %+v, want running with its checks", s.ID, s)
		}
	}
	if got, err := c.InstanceStates(ctx, []string{"i-00000000000000000"}); err != nil || len(got) != 0 {
		t.Errorf("InstanceStates(unknown id) = %v, %v; want nothing and no error (the caller describes it)", got, err)
	}

	src := cloud.NewEC2Source(c)
	src.SetSweep(time.Minute) // no sweep and one full screen read in this test
	fetch := func() resource.Set {
		t.Helper()
		s, err := src.Fetch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	fetch() // the first read
	src.OnScreen(ids)
	mark := len(log.ops("DescribeInstances"))
	fetch() // the screen's first full description
	if got := described(log.ops("DescribeInstances")[mark:]); !sameIDs(got, ids) {
		t.Errorf("first fetch with rows on screen described %v, want the rows on screen %v", got, ids)
	}

	for _, c := range []struct {
		name        string
		stop        string   // an instance to stop before the fetch
		wantDescrib []string // ids described in full
	}{
		{"idle: states only", "", nil},
		{"a stop on screen: that one in full", ids[2], []string{ids[2]}},
		{"idle again", "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.stop != "" {
				if _, err := f.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{c.stop}}); err != nil {
					t.Fatal(err)
				}
			}
			di, st := len(log.ops("DescribeInstances")), len(log.ops("DescribeInstanceStatus"))
			s := fetch()
			if got := described(log.ops("DescribeInstances")[di:]); !sameIDs(got, c.wantDescrib) {
				t.Errorf("described in full %v, want %v", got, c.wantDescrib)
			}
			if got := log.ops("DescribeInstanceStatus")[st:]; len(got) != 1 || !sameIDs(got[0].IDs, ids) {
				t.Errorf("DescribeInstanceStatus calls %+v, want one for the rows on screen", got)
			}
			if c.stop != "" {
				if in := findInstance(s, c.stop); in == nil || in.State != "stopped" {
					t.Errorf("%s after the stop: %+v, want stopped", c.stop, in)
				}
			}
		})
	}
}

// described is the ids the DescribeInstances calls asked for by id.
func described(calls []call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.IDs...)
	}
	return out
}

func sameIDs(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestStateSweep: off screen, a launch that skipped every transitional
// state (moto's are immediate), a stop and a termination are found by the
// state sweep, which lists every instance's state (DescribeInstanceStatus)
// and describes by id only what changed, long before the full sweep that
// would describe all of them. 50 instances: the state sweep every 0.5 s,
// the full one every 6 s.
func TestStateSweep(t *testing.T) {
	f := newFixture(t)
	ami := sdkaws.String(f.ami(t))
	run := func(n int32) []string {
		t.Helper()
		out, err := f.ec2.RunInstances(context.Background(), &ec2.RunInstancesInput{
			ImageId: ami, InstanceType: ec2types.InstanceTypeT3Micro, MinCount: sdkaws.Int32(n), MaxCount: sdkaws.Int32(n)})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, in := range out.Instances {
			ids = append(ids, sdkaws.ToString(in.InstanceId))
		}
		return ids
	}
	ids := run(50)
	c, log := f.client(t)
	defer log.check(t)
	ctx := context.Background()
	src := cloud.NewEC2Source(c)
	src.SetSweep(100 * time.Millisecond)
	if _, err := src.Fetch(ctx); err != nil { // the first read
		t.Fatal(err)
	}
	mark := len(log.calls)
	launched := run(1)[0]
	if _, err := f.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids[1:2]}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids[2:3]}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{launched: "running", ids[1]: "stopped", ids[2]: "terminated"}
	var s resource.Set
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var err error
		if s, err = src.Fetch(ctx); err != nil {
			t.Fatal(err)
		}
		done := len(s.Instances) == 51
		for id, state := range want {
			if in := findInstance(s, id); in == nil || in.State != state {
				done = false
			}
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("in 5 s, %d instances and %v; want 51 and %v", len(s.Instances), statesOf(s, want), want)
		}
	}
	log.mu.Lock()
	calls := slices.Clone(log.calls[mark:])
	log.mu.Unlock()
	var full, lists int
	var byID []string
	for _, c := range calls {
		switch {
		case c.Op == "DescribeInstances" && c.Max > 0:
			full++ // a page of every instance
		case c.Op == "DescribeInstances":
			byID = append(byID, c.IDs...)
		case c.Op == "DescribeInstanceStatus" && len(c.IDs) == 0:
			lists++
		}
	}
	if lists == 0 || !sameIDs(byID, []string{launched, ids[1], ids[2]}) {
		t.Errorf("state sweep: %d lists, described by id %v; want a list and the three changed instances only", lists, byID)
	}
	if st, ok := src.EC2SweepStats(); !ok || st.Listed != 51 || st.Described != 3 {
		t.Errorf("EC2SweepStats = %+v, %v; want 51 listed, 3 described", st, ok)
	}
	t.Logf("calls after the changes: %d full-sweep pages, %d state lists, by id %v", full, lists, byID)
}

func statesOf(s resource.Set, ids map[string]string) map[string]string {
	out := map[string]string{}
	for id := range ids {
		if in := findInstance(s, id); in != nil {
			out[id] = in.State
		}
	}
	return out
}
