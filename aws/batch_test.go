package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("id-%d", i)
	}
	return out
}

func TestChunkBoundaries(t *testing.T) {
	for _, size := range []int{1, 10, 100} {
		for _, n := range []int{0, 1, size - 1, size, size + 1, 2*size - 1, 2 * size, 2*size + 1, 1001} {
			in := ids(n)
			chunks := chunk(in, size)
			if want := (n + size - 1) / size; len(chunks) != want {
				t.Errorf("size %d, n %d: %d chunks, want %d", size, n, len(chunks), want)
			}
			var joined []string
			for _, c := range chunks {
				if len(c) == 0 || len(c) > size {
					t.Errorf("size %d, n %d: chunk of %d", size, n, len(c))
				}
				joined = append(joined, c...)
			}
			if strings.Join(joined, ",") != strings.Join(in, ",") {
				t.Errorf("size %d, n %d: chunks do not rebuild the input", size, n)
			}
		}
	}
	// Appending to a chunk must not overwrite the next one.
	in := ids(20)
	c := chunk(in, 10)
	_ = append(c[0], "x")
	if c[1][0] != "id-10" {
		t.Error("append to a chunk spilled into the next")
	}
}

// TestInBatchesBoundedAndOrdered checks the concurrency bound and that the
// results come back in input order whatever order the batches finish in.
func TestInBatchesBoundedAndOrdered(t *testing.T) {
	var inFlight, peak atomic.Int32
	in := ids(1001)
	got, err := inBatches(context.Background(), in, 10, func(_ context.Context, b []string) ([]string, error) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		inFlight.Add(-1)
		return b, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != strings.Join(in, ",") {
		t.Error("results are not in input order")
	}
	if p := peak.Load(); p > describeConcurrency || p < 2 {
		t.Errorf("peak concurrency %d, want 2..%d", p, describeConcurrency)
	}
}

func TestInBatchesError(t *testing.T) {
	boom := errors.New("boom")
	var calls atomic.Int32
	_, err := inBatches(context.Background(), ids(1000), 10, func(ctx context.Context, b []string) ([]int, error) {
		calls.Add(1)
		if b[0] == "id-0" {
			return nil, boom
		}
		<-ctx.Done() // the others wait to be canceled by the failure
		return nil, ctx.Err()
	})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	if n := calls.Load(); n > describeConcurrency+1 {
		t.Errorf("%d batches started after the failure, want the group to stop", n)
	}
}

func TestDedupe(t *testing.T) {
	got := dedupe([]string{"a", "b", "a", "c", "b"})
	if strings.Join(got, ",") != "a,b,c" {
		t.Errorf("dedupe = %v", got)
	}
	if len(dedupe(nil)) != 0 {
		t.Error("dedupe(nil) not empty")
	}
}

func TestToServicePrimaryAndLastEvent(t *testing.T) {
	t0 := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	s := toService(ecstypes.Service{
		ServiceName: sdkaws.String("api"),
		Deployments: []ecstypes.Deployment{
			{Status: sdkaws.String("ACTIVE"), RolloutState: ecstypes.DeploymentRolloutStateCompleted},
			{Status: sdkaws.String("PRIMARY"), RolloutState: ecstypes.DeploymentRolloutStateInProgress,
				RolloutStateReason: sdkaws.String("ECS deployment ecs-svc/1 in progress.")},
		},
		Events: []ecstypes.ServiceEvent{
			{CreatedAt: sdkaws.Time(t0), Message: sdkaws.String("older")},
			{CreatedAt: sdkaws.Time(t0.Add(time.Minute)), Message: sdkaws.String("newest")},
			{CreatedAt: sdkaws.Time(t0.Add(-time.Minute)), Message: sdkaws.String("oldest")},
		},
	}, "arn:cluster")
	if s.Rollout != "IN_PROGRESS" || s.RolloutReason != "ECS deployment ecs-svc/1 in progress." || s.Deployments != 2 {
		t.Errorf("rollout = %q %q %d", s.Rollout, s.RolloutReason, s.Deployments)
	}
	if s.LastEvent.Message != "newest" || !s.LastEvent.At.Equal(t0.Add(time.Minute)) {
		t.Errorf("LastEvent = %+v", s.LastEvent)
	}
	if s.ClusterARN != "arn:cluster" || !s.Transitional() {
		t.Errorf("service = %+v", s)
	}
	// Every pointer nil.
	if s := toService(ecstypes.Service{}, ""); s.Name != "" || s.Rollout != "" || s.LastEvent.Message != "" {
		t.Errorf("toService(empty) = %+v", s)
	}
}

func TestToTask(t *testing.T) {
	exit := int32(137)
	task := toTask(ecstypes.Task{
		TaskArn:    sdkaws.String("arn:aws:ecs:us-east-1:1:task/prod/abc123"),
		StopCode:   ecstypes.TaskStopCodeEssentialContainerExited,
		Containers: []ecstypes.Container{{Name: sdkaws.String("web"), ExitCode: &exit, Cpu: sdkaws.String("0")}},
	}, "arn:cluster")
	if task.ID != "abc123" || task.ClusterARN != "arn:cluster" || task.StopCode != "EssentialContainerExited" {
		t.Errorf("task = %+v", task)
	}
	exit = 0 // the resource must not share the SDK's memory
	if c := task.Containers[0]; c.TaskARN != task.ARN || c.ExitCode == nil || *c.ExitCode != 137 {
		t.Errorf("container = %+v", c)
	}
	if got := toTask(ecstypes.Task{TaskArn: sdkaws.String("arn:aws:ecs:us-east-1:1:task/old-format-id")}, ""); got.ID != "old-format-id" {
		t.Errorf("old-format ID = %q", got.ID)
	}
	if got := toTask(ecstypes.Task{}, ""); got.ID != "" || got.Containers != nil {
		t.Errorf("toTask(empty) = %+v", got)
	}
}

func TestQuoteContainerNumbers(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{ // moto's DescribeTasks: numbers in containers become strings, the rest stays
			`{"tasks":[{"cpu":"256","createdAt":1700000000.5,"containers":[{"name":"web","cpu":0,"memory":128,"exitCode":0}]}],"failures":[]}`,
			`{"failures":[],"tasks":[{"containers":[{"cpu":"0","exitCode":0,"memory":"128","name":"web"}],"cpu":"256","createdAt":1700000000.5}]}`,
		},
		{ // StopTask/RunTask shape
			`{"task":{"containers":[{"cpu":512}]}}`,
			`{"task":{"containers":[{"cpu":"512"}]}}`,
		},
		{`{"tasks":[{"containers":[{"cpu":"0"}]}]}`, `{"tasks":[{"containers":[{"cpu":"0"}]}]}`}, // already right: untouched
		{`not json`, `not json`},
	} {
		if got := string(quoteContainerNumbers([]byte(tc.in))); got != tc.want {
			t.Errorf("quoteContainerNumbers(%s)\n = %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
