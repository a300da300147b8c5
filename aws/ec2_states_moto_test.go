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
