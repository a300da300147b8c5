package sandbox

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// Reads never wait on the engine, on the real engine: a task's container
// ignores SIGTERM, so stopping it (docker stop) is in flight for stopGrace
// until the engine kills it. Once the container has said it got the SIGTERM
// (the stop has begun), DescribeTasks, DescribeServices, DescribeInstances
// and ListClusters answer, and only then is the container asked about: it
// must still run, so every read returned before the stop completed. A read
// that waited for the engine would find it dead. Then, once the worker's
// round has ended, the container is dead and the state says STOPPED.
func TestReadsDoNotWaitForTheEngine(t *testing.T) {
	ctx := context.Background()
	e := engine(t)
	ref := ecrRef("inflight")
	fixtureImage(t, e, ref)
	clk := newClock()
	a := openDocker(t, clk, e)
	ids := lookup(t, a)
	td := serverDef(t, a, "stubborn", ref, map[string]string{"IGNORE_TERM": "1"})
	ts, err := a.RunTask(ctx, cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: td, Count: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet}})
	mustNil(t, err)
	arn := ts[0].ARN
	until(t, clk, arn, 2*time.Minute, func(x resource.Task) bool {
		return x.LastStatus == "RUNNING" && len(x.Containers) == 1 && len(x.Containers[0].NetworkBindings) == 1
	}, a)
	cs := taskContainers(t, e, a, arn)
	if len(cs) != 1 {
		t.Fatalf("task containers %+v, want one", cs)
	}
	id := cs[0].ID
	mustNil(t, a.StopTask(ctx, "demo", arn, "test"))

	// Step the simulation (reads only, no settle) until the worker's stop
	// has reached the container.
	termed := func() bool {
		lines, err := e.TimedLogs(ctx, id, 50)
		mustNil(t, err)
		return slices.ContainsFunc(lines, func(l dockerops.LogLine) bool { return strings.Contains(l.Text, "ignoring SIGTERM") })
	}
	for end := clk.Now().Add(2 * time.Minute); !termed(); clk.Advance(time.Second) {
		if !clk.Now().Before(end) {
			t.Fatalf("the container got no SIGTERM\n%s", diagnose(a, arn))
		}
		if _, err := a.Tasks(ctx, "demo"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond) // real time for the engine: the clock is driven
	}

	// The stop is in flight: the engine holds the container until SIGKILL.
	var x resource.Task
	for _, read := range []func() error{
		func() error { x = getTaskNoSettle(t, a, arn); return nil },
		func() error { _, err := a.Services(ctx, "demo"); return err },
		func() error { _, err := a.Instances(ctx); return err },
		func() error { _, err := a.Clusters(ctx); return err },
	} {
		mustNil(t, read())
	}
	info, err := e.InspectContainer(ctx, id)
	mustNil(t, err)
	if info.State != "running" {
		t.Fatalf("after the reads the container is %s: a read waited for docker stop", info.State)
	}
	if x.ARN != arn {
		t.Fatalf("read %+v", x)
	}

	// The stop's result reaches the state as an event.
	a.settle()
	info, err = e.InspectContainer(ctx, id)
	mustNil(t, err)
	if info.State == "running" {
		t.Fatalf("the container still runs after the stop")
	}
	x = getTaskNoSettle(t, a, arn)
	if x.Containers[0].LastStatus != "STOPPED" {
		t.Fatalf("after the stop the container is %s\n%s", x.Containers[0].LastStatus, diagnose(a, arn))
	}
}

// getTaskNoSettle reads the task without waiting for the engine.
func getTaskNoSettle(t *testing.T, a *Account, arn string) resource.Task {
	t.Helper()
	ts, err := a.Tasks(context.Background(), "demo")
	mustNil(t, err)
	for _, x := range ts {
		if x.ARN == arn {
			return x
		}
	}
	t.Fatalf("task %s not listed", arn)
	return resource.Task{}
}
