package sandbox

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// fargate registers a one-container Fargate task definition.
func fargate(t *testing.T, a *Account, family, image string, health bool) string {
	t.Helper()
	c := cloud.ContainerSpec{Name: "app", Image: image, Port: 80, Essential: true}
	if health {
		c.HealthCommand = []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"}
	}
	arn, err := a.RegisterTaskDefinition(context.Background(), cloud.TaskDefSpec{
		Family: family, CPU: "256", Memory: "512", Fargate: true, Containers: []cloud.ContainerSpec{c},
	})
	mustNil(t, err)
	return arn
}

func getTask(t *testing.T, a *Account, arn string) resource.Task {
	t.Helper()
	caughtUp(a)
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

func TestTaskLifecycle(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	td := fargate(t, a, "nginx", "nginx:1.27", false)
	w := watchAll(t, clk, a)

	started := clk.Now()
	ts, err := a.RunTask(ctx, cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: td, Count: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet}})
	mustNil(t, err)
	if len(ts) != 1 || ts[0].LastStatus != "PROVISIONING" || ts[0].DesiredStatus != "RUNNING" || ts[0].Group != "family:nginx" {
		t.Fatalf("RunTask returned %+v", ts)
	}
	arn := ts[0].ARN
	w.poll()
	w.run(time.Minute, time.Second)
	if got := w.path(arn); !slices.Equal(got, []string{"PROVISIONING", "PENDING", "ACTIVATING", "RUNNING"}) {
		t.Fatalf("start path %v", got)
	}
	ph := w.phases(arn)
	within(t, "PROVISIONING → RUNNING", ph[3].at.Sub(started),
		ecsProvisioning.lo+ecsPending.lo+ecsActivating.lo, ecsProvisioning.hi+ecsPending.hi+ecsActivating.hi)
	if got := w.path(arn + "/app"); !slices.Equal(got, []string{"PENDING", "RUNNING"}) {
		t.Errorf("container path %v, want PENDING, RUNNING", got)
	}
	if x := getTask(t, a, arn); x.StartedAt.IsZero() || x.Health != "UNKNOWN" {
		t.Errorf("running task %+v: want StartedAt, health UNKNOWN (no health check)", x)
	}

	stopped := clk.Now()
	mustNil(t, a.StopTask(ctx, "demo", ts[0].ID, "learner stopped it"))
	if x := getTask(t, a, arn); x.DesiredStatus != "STOPPED" || x.LastStatus != "RUNNING" || !x.Transitional() {
		t.Errorf("just after StopTask: %s/%s, want RUNNING with desired STOPPED", x.LastStatus, x.DesiredStatus)
	}
	w.run(time.Minute, time.Second)
	if got := w.path(arn)[4:]; !slices.Equal(got, []string{"DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"}) {
		t.Fatalf("stop path %v", got)
	}
	ph = w.phases(arn)
	within(t, "stop", ph[7].at.Sub(stopped),
		ecsStopRequest.lo+ecsDeactivating.lo+ecsStopping.lo+ecsDeprovisioning.lo,
		ecsStopRequest.hi+ecsDeactivating.hi+ecsStopping.hi+ecsDeprovisioning.hi)
	x := getTask(t, a, arn)
	if x.StopCode != "UserInitiated" || x.StoppedReason != "learner stopped it" || !x.StoppingAt.Equal(stopped) || x.StoppedAt.IsZero() {
		t.Errorf("stopped task %+v", x)
	}
	if c := x.Containers[0]; c.LastStatus != "STOPPED" || c.ExitCode == nil || *c.ExitCode != 0 {
		t.Errorf("stopped container %+v, want STOPPED with exit code 0", c)
	}
	w.run(time.Hour, 10*time.Second)
	if got := w.path(arn); got[len(got)-1] != "" {
		t.Errorf("stopped task still listed after an hour: %v", got)
	}
}

// A shell image's default command ends at once: its essential container
// exits, and the task stops with EssentialContainerExited.
func TestOneShotTask(t *testing.T) {
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	td := fargate(t, a, "once", "alpine:3.20", false)
	ts, err := a.RunTask(context.Background(), cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: td, Count: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet}})
	mustNil(t, err)
	w := watchAll(t, clk, a)
	w.run(2*time.Minute, time.Second)
	if got := w.path(ts[0].ARN); !slices.Equal(got, []string{"PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"}) {
		t.Fatalf("path %v", got)
	}
	x := getTask(t, a, ts[0].ARN)
	if x.StopCode != "EssentialContainerExited" || x.StoppedReason != "Essential container in task exited" ||
		x.Containers[0].ExitCode == nil || *x.Containers[0].ExitCode != 0 {
		t.Errorf("task %+v, want EssentialContainerExited with exit code 0", x)
	}
}

func getService(t *testing.T, a *Account, name string) resource.Service {
	t.Helper()
	ss, err := a.Services(context.Background(), "arn:aws:ecs:us-east-1:"+AccountID+":cluster/demo")
	mustNil(t, err)
	for _, s := range ss {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("service %s not listed", name)
	return resource.Service{}
}

func events(t *testing.T, a *Account, name string) []string {
	t.Helper()
	var out []string
	mustNil(t, a.view(context.Background(), func(w *world, r *region) error {
		for _, e := range r.cluster("demo").service(name).Events {
			out = append(out, e.Message)
		}
		return nil
	}))
	slices.Reverse(out) // oldest first
	return out
}

// serviceTasks are a service's tasks that still should run, by lastStatus.
func serviceTasks(t *testing.T, a *Account, name string) (live []resource.Task, stopped []resource.Task) {
	t.Helper()
	caughtUp(a)
	ts, err := a.Tasks(context.Background(), "demo")
	mustNil(t, err)
	for _, x := range ts {
		switch {
		case x.Service() != name:
		case x.DesiredStatus == "RUNNING":
			live = append(live, x)
		default:
			stopped = append(stopped, x)
		}
	}
	return live, stopped
}

func hasEvent(evs []string, substr string) int {
	n := 0
	for _, e := range evs {
		if strings.Contains(e, substr) {
			n++
		}
	}
	return n
}

// TestServiceScheduler follows a service through creation, a stopped task,
// scaling, a rolling deployment, a failed deployment rolled back by the
// circuit breaker, and deletion.
func TestServiceScheduler(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	v1 := fargate(t, a, "api", "nginx:1.27", true)
	w := watchAll(t, clk, a)
	spec := cloud.ServiceSpec{Cluster: "demo", Name: "api", TaskDefinition: v1, Desired: 2, LaunchType: "FARGATE",
		Subnets: []string{ids.subnet}, SecurityGroups: []string{ids.group}, CircuitBreaker: true}
	s, err := a.CreateService(ctx, spec)
	mustNil(t, err)
	if s.Status != "ACTIVE" || s.Rollout != "IN_PROGRESS" || s.Pending != 2 || s.Desired != 2 {
		t.Fatalf("created service %+v", s)
	}
	w.poll()
	w.run(2*time.Minute, time.Second)
	if got := w.path(s.ARN); !slices.Equal(got, []string{"ACTIVE IN_PROGRESS 0/2", "ACTIVE IN_PROGRESS 1/2", "ACTIVE IN_PROGRESS 2/2", "ACTIVE COMPLETED 2/2"}) &&
		!slices.Equal(got, []string{"ACTIVE IN_PROGRESS 0/2", "ACTIVE IN_PROGRESS 2/2", "ACTIVE COMPLETED 2/2"}) {
		t.Fatalf("service path %v", got)
	}
	evs := events(t, a, "api")
	if !strings.HasPrefix(evs[0], "(service api) has started 2 tasks: (task ") || !strings.HasSuffix(evs[len(evs)-1], "(service api) has reached a steady state.") ||
		hasEvent(evs, ") deployment completed.") != 1 {
		t.Fatalf("events %q", evs)
	}
	live, _ := serviceTasks(t, a, "api")
	for _, x := range live {
		if x.Health != "HEALTHY" || x.LastStatus != "RUNNING" {
			t.Errorf("task %s is %s/%s, want RUNNING and HEALTHY", x.ID, x.LastStatus, x.Health)
		}
	}

	// A stopped task is replaced.
	mustNil(t, a.StopTask(ctx, "demo", live[0].ARN, ""))
	w.run(2*time.Minute, time.Second)
	if got := getTask(t, a, live[0].ARN); got.StopCode != "UserInitiated" || got.StoppedReason != "Task stopped by user" {
		t.Errorf("stopped task %+v", got)
	}
	if live, _ = serviceTasks(t, a, "api"); len(live) != 2 || hasEvent(events(t, a, "api"), "has started 1 tasks: (task ") != 1 {
		t.Fatalf("after a stop: %d live tasks, events %q", len(live), events(t, a, "api"))
	}

	// Scaling in stops a task for the scheduler's reasons.
	_, err = a.UpdateService(ctx, "demo", "api", 1, "")
	mustNil(t, err)
	w.run(time.Minute, time.Second)
	live, stopped := serviceTasks(t, a, "api")
	last := stopped[len(stopped)-1]
	if len(live) != 1 || last.StopCode != "ServiceSchedulerInitiated" || !strings.HasPrefix(last.StoppedReason, "Scaling activity initiated by (deployment ecs-svc/") {
		t.Fatalf("after scaling in: %d live, last stopped %+v", len(live), last)
	}
	if got := getService(t, a, "api"); got.Running != 1 || got.Rollout != "COMPLETED" || !strings.HasPrefix(got.LastEvent.Message, "(service api) has reached a steady state") {
		t.Errorf("scaled service %+v", got)
	}

	// A new task definition rolls: two deployments, then the old one's task
	// stops once the new one is healthy.
	v2 := fargate(t, a, "api", "nginx:1.28", true)
	s, err = a.UpdateService(ctx, "demo", "api", 1, "api")
	mustNil(t, err)
	if s.Deployments != 2 || s.TaskDefinition != v2 || s.Rollout != "IN_PROGRESS" {
		t.Fatalf("updated service %+v", s)
	}
	w.run(2*time.Minute, time.Second)
	if got := getService(t, a, "api"); got.Deployments != 1 || got.Rollout != "COMPLETED" || got.Running != 1 {
		t.Fatalf("after the rollout %+v", got)
	}
	if live, _ := serviceTasks(t, a, "api"); len(live) != 1 || live[0].TaskDefinition != v2 {
		t.Fatalf("live tasks after the rollout: %+v", live)
	}

	// An image that cannot be pulled trips the circuit breaker after 3
	// failed tasks (desired 1), and the service rolls back to v2.
	fargate(t, a, "api", "nginx:missing", true)
	_, err = a.UpdateService(ctx, "demo", "api", 1, "api")
	mustNil(t, err)
	w.run(5*time.Minute, time.Second)
	got := getService(t, a, "api")
	if got.TaskDefinition != v2 || got.Rollout != "COMPLETED" || got.Deployments != 1 || got.Running != 1 {
		t.Fatalf("after the failed deployment: %+v, want rolled back to %s and COMPLETED", got, v2)
	}
	evs = events(t, a, "api")
	if hasEvent(evs, ") deployment failed: tasks failed to start.") != 1 {
		t.Errorf("events %q", evs)
	}
	if !slices.Contains(w.path(s.ARN), "ACTIVE IN_PROGRESS 1/1") {
		t.Errorf("service path %v: the rollback should show IN_PROGRESS", w.path(s.ARN))
	}
	_, stopped = serviceTasks(t, a, "api")
	failed := 0
	for _, x := range stopped {
		if x.StopCode == "TaskFailedToStart" {
			failed++
		}
	}
	if failed != breakerThreshold(1) {
		t.Errorf("%d tasks failed to start, want the threshold %d", failed, breakerThreshold(1))
	}

	// Deleting drains the service, then it is gone.
	mustNil(t, a.DeleteService(ctx, "demo", "api"))
	if got := getService(t, a, "api"); got.Status != "DRAINING" || got.Desired != 0 {
		t.Errorf("deleted service %+v, want DRAINING with desired 0", got)
	}
	w.run(2*time.Minute, time.Second)
	if p := w.path(s.ARN); p[len(p)-1] != "" {
		t.Errorf("service still listed: %v", p)
	}
}

// Without the circuit breaker a service whose tasks cannot start retries
// forever, the service throttle logic spacing its attempts out to 27
// minutes, and its deployment stays IN_PROGRESS.
func TestServiceThrottle(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	td := fargate(t, a, "flaky", "ghcr.io/example/does-not-exist:1", false)
	_, err := a.CreateService(ctx, cloud.ServiceSpec{Cluster: "demo", Name: "flaky", TaskDefinition: td, Desired: 1,
		LaunchType: "FARGATE", Subnets: []string{ids.subnet}})
	mustNil(t, err)
	clk.Advance(4 * time.Hour)
	got := getService(t, a, "flaky")
	if got.Rollout != "IN_PROGRESS" || got.Running != 0 {
		t.Errorf("service %+v, want IN_PROGRESS with nothing running", got)
	}
	var starts []time.Time
	mustNil(t, a.view(ctx, func(w *world, r *region) error {
		for _, e := range r.cluster("demo").service("flaky").Events {
			if strings.Contains(e.Message, "has started 1 tasks") {
				starts = append([]time.Time{e.At}, starts...)
			}
		}
		return nil
	}))
	if n := hasEvent(events(t, a, "flaky"), "is unable to consistently start tasks successfully."); n != 1 {
		t.Errorf("%d throttle events, want 1", n)
	}
	var gaps []time.Duration
	for i := 1; i < len(starts); i++ {
		gaps = append(gaps, starts[i].Sub(starts[i-1]))
	}
	// Immediate retries, then waits that grow to 27 minutes (plus the
	// failing task's own ~15–35 s).
	for i := 1; i < len(gaps); i++ {
		if gaps[i] < gaps[i-1]-time.Minute || gaps[i] > throttleMax+time.Minute {
			t.Fatalf("launch gaps %v: want them growing, capped at %v", gaps, throttleMax)
		}
	}
	t.Logf("launch gaps: %v", gaps)
	if len(gaps) < 8 || gaps[len(gaps)-1] < throttleMax {
		t.Errorf("launch gaps %v: want the 27-minute cap reached within 4 hours", gaps)
	}
}
