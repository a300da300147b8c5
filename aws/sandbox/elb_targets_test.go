package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/internal/cloud"
)

// Tests of ECS services behind a load balancer (elb_targets.go), on
// simulated tasks; elb_real_test.go checks real containers.

// webDef registers a Fargate task definition whose container "web" maps
// port.
func webDef(t *testing.T, a *Account, family, image string, port int32) string {
	t.Helper()
	arn, err := a.RegisterTaskDefinition(context.Background(), cloud.TaskDefSpec{
		Family: family, CPU: "256", Memory: "512", Fargate: true,
		Containers: []cloud.ContainerSpec{{Name: "web", Image: image, Port: port, Essential: true}},
	})
	mustNil(t, err)
	return arn
}

// lbService is a one-task Fargate service of td behind fx's target group.
func lbService(name, td string, fx albFixture, grace int32) cloud.ServiceSpec {
	return cloud.ServiceSpec{
		Cluster: "demo", Name: name, TaskDefinition: td, Desired: 1, LaunchType: "FARGATE",
		Subnets: fx.subnets, SecurityGroups: []string{fx.sg}, PublicIP: true, CircuitBreaker: true,
		LoadBalancer:     &cloud.ServiceLoadBalancer{TargetGroupARN: fx.tg.ARN, ContainerName: "web", ContainerPort: fx.tg.Port},
		HealthCheckGrace: grace,
	}
}

func TestServiceLoadBalancerChecks(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	fx := alb(t, a, "web", 8080, nil)
	lone, _, err := a.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{Name: "lone", VpcID: fx.vpc, Port: 8080, HealthPath: "/"})
	mustNil(t, err)
	td := webDef(t, a, "web", "nginx:1.27", 8080)
	gone := strings.Replace(fx.tg.ARN, "/web-tg/", "/gone/", 1)
	cases := []struct {
		name string
		lb   cloud.ServiceLoadBalancer
		msg  string
	}{
		{"no listener forwards to the target group", cloud.ServiceLoadBalancer{TargetGroupARN: lone.ARN, ContainerName: "web", ContainerPort: 8080},
			"The target group with targetGroupArn " + lone.ARN + " does not have an associated load balancer."},
		{"unknown target group", cloud.ServiceLoadBalancer{TargetGroupARN: gone, ContainerName: "web", ContainerPort: 8080},
			"Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions."},
		{"unknown container", cloud.ServiceLoadBalancer{TargetGroupARN: fx.tg.ARN, ContainerName: "app", ContainerPort: 8080},
			"The container app does not exist in the task definition."},
		{"port not mapped", cloud.ServiceLoadBalancer{TargetGroupARN: fx.tg.ARN, ContainerName: "web", ContainerPort: 80},
			"The container web did not have a container port 80 defined."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := lbService("svc", td, fx, 0)
			spec.LoadBalancer = &c.lb
			_, err := a.CreateService(ctx, spec)
			var e *cloud.Error
			if !errors.As(err, &e) || e.Service != "ecs" || e.Code != "InvalidParameterException" || e.Message != c.msg {
				t.Errorf("CreateService = %v, want InvalidParameterException %q", err, c.msg)
			}
		})
	}
}

// targets reads the group's targets.
func targets(t *testing.T, a *Account, tgARN string) []cloud.TargetHealth {
	t.Helper()
	caughtUp(a)
	hs, err := a.TargetHealth(context.Background(), tgARN)
	mustNil(t, err)
	return hs
}

// targetLog steps the clock a second at a time for d, and records each
// change of a target of the group (the one with that IP, or the first when
// ip is ""): its state and reason, "" when there is none, with its time.
func targetLog(t *testing.T, clk *clock, a *Account, tgARN, ip string, d time.Duration, log []phase) []phase {
	t.Helper()
	for end := clk.Now().Add(d); clk.Now().Before(end); clk.Advance(time.Second) {
		now := ""
		for _, h := range targets(t, a, tgARN) {
			if ip == "" || h.ID == ip {
				now = h.State + " " + h.Reason
				break
			}
		}
		if len(log) == 0 || log[len(log)-1].to != now {
			log = append(log, phase{now, clk.Now()})
		}
	}
	return log
}

func states(log []phase) []string {
	var out []string
	for _, p := range log {
		out = append(out, p.to)
	}
	return out
}

// TestServiceBehindLoadBalancer: a task is registered while ACTIVATING,
// stays initial while the load balancer provisions, is healthy two checks
// after it is active, and only then is the service steady; a stopped task
// drains for the deregistration delay before it stops; deleting the
// service deregisters the rest.
func TestServiceBehindLoadBalancer(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	fx := alb(t, a, "web", 8080, nil)
	td := webDef(t, a, "web", "nginx:1.27", 8080)
	s, err := a.CreateService(ctx, lbService("shop", td, fx, 0))
	mustNil(t, err)
	if !slices.Equal(s.TargetGroups, []string{fx.tg.ARN}) {
		t.Errorf("service TargetGroups = %v", s.TargetGroups)
	}
	log := targetLog(t, clk, a, fx.tg.ARN, "", time.Minute, nil)
	live, _ := serviceTasks(t, a, "shop")
	if len(live) != 1 || live[0].LastStatus != "RUNNING" {
		t.Fatalf("tasks %+v", live)
	}
	task := live[0]
	if got := states(log); !slices.Equal(got, []string{"", "initial Elb.RegistrationInProgress"}) {
		t.Fatalf("while the load balancer provisions: %q", got)
	}
	hs := targets(t, a, fx.tg.ARN)
	if ip, err := netip.ParseAddr(hs[0].ID); err != nil || !netip.MustParsePrefix("172.31.0.0/16").Contains(ip) || hs[0].Port != 8080 ||
		hs[0].Description != "Target registration is in progress" {
		t.Errorf("target %+v: want the task's private IP and the container port", hs[0])
	}
	if evs := events(t, a, "shop"); hasEvent(evs, "(service shop) registered 1 targets in (target-group "+fx.tg.ARN+")") != 1 {
		t.Errorf("events %q", evs)
	}
	if got := getService(t, a, "shop"); got.Rollout != "IN_PROGRESS" {
		t.Errorf("service %s before its target is healthy, want IN_PROGRESS", got.Rollout)
	}

	active := clk.Now().Add(untilActive(t, clk, a, "web"))
	log = targetLog(t, clk, a, fx.tg.ARN, "", time.Minute, nil)
	want := []string{"initial Elb.RegistrationInProgress", "initial Elb.InitialHealthChecking", "healthy "}
	if got := states(log); !slices.Equal(got, want) {
		t.Fatalf("after the load balancer is active: %q, want %q", got, want)
	}
	within(t, "healthy after active", log[2].at.Sub(active), healthyThreshold*healthInterval, healthyThreshold*healthInterval)
	if got := getService(t, a, "shop"); got.Rollout != "COMPLETED" || !strings.HasSuffix(got.LastEvent.Message, "has reached a steady state.") ||
		got.LastEvent.At.Before(log[2].at.Add(-time.Second)) {
		t.Errorf("service once healthy: %+v", got)
	}

	// The targets are in the state file: another process sees them.
	b, err := Open(Options{Path: a.Path(), Clock: clk})
	mustNil(t, err)
	if got, want := targets(t, b, fx.tg.ARN), targets(t, a, fx.tg.ARN); !slices.Equal(got, want) || len(got) != 1 || got[0].State != "healthy" {
		t.Errorf("targets after reopening: %+v, want %+v", got, want)
	}

	// A stopped task drains for the deregistration delay while it is
	// DEACTIVATING, then stops.
	ip := targets(t, a, fx.tg.ARN)[0].ID
	mustNil(t, a.StopTask(ctx, "demo", task.ARN, ""))
	log = targetLog(t, clk, a, fx.tg.ARN, ip, 40*time.Second, nil)
	if got := states(log); !slices.Equal(got, []string{"healthy ", "draining Target.DeregistrationInProgress", ""}) {
		t.Fatalf("after StopTask: %q", got)
	}
	within(t, "stop request", log[1].at.Sub(log[0].at), ecsStopRequest.lo, ecsStopRequest.hi)
	within(t, "draining", log[2].at.Sub(log[1].at), deregistrationDelay, deregistrationDelay)
	if x := getTask(t, a, task.ARN); x.LastStatus == "RUNNING" || x.LastStatus == "DEACTIVATING" || x.StoppingAt.IsZero() {
		t.Errorf("drained task is %s, want past DEACTIVATING", x.LastStatus)
	}
	evs := events(t, a, "shop")
	for _, e := range []string{"(service shop) has begun draining connections on 1 tasks.", "(service shop) deregistered 1 targets in (target-group " + fx.tg.ARN + ")"} {
		if hasEvent(evs, e) != 1 {
			t.Errorf("no event %q in %q", e, evs)
		}
	}

	// Once the listener forwards to another group, the replacement's
	// target is unused; deleting the service deregisters it.
	targetLog(t, clk, a, fx.tg.ARN, "", time.Minute, nil)
	green, _, err := a.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{Name: "green", VpcID: fx.vpc, Port: 8080, HealthPath: "/"})
	mustNil(t, err)
	_, _, err = a.EnsureListener(ctx, cloud.ListenerSpec{LoadBalancerARN: fx.lb.ARN, Port: 80, TargetGroupARN: green.ARN})
	mustNil(t, err)
	if hs := targets(t, a, fx.tg.ARN); len(hs) != 1 || hs[0].State != "unused" || hs[0].Reason != "Target.NotInUse" ||
		hs[0].Description != "Target group is not configured to receive traffic from the load balancer" {
		t.Errorf("targets of a group nothing forwards to: %+v", hs)
	}
	mustNil(t, a.DeleteService(ctx, "demo", "shop"))
	targetLog(t, clk, a, fx.tg.ARN, "", 10*time.Second, nil)
	if evs := events(t, a, "shop"); hasEvent(evs, "deregistered 1 targets in") != 2 {
		t.Errorf("events of the service being deleted: %q", evs)
	}
	targetLog(t, clk, a, fx.tg.ARN, "", 2*time.Minute, nil)
	if hs := targets(t, a, fx.tg.ARN); len(hs) != 0 {
		t.Errorf("targets after the service is deleted: %+v", hs)
	}
}

// failing makes the first target of the group fail its health checks, as
// sync records a failed probe of a real container; it reports whether
// there was a target that passed.
func failing(t *testing.T, a *Account, tgARN string) bool {
	t.Helper()
	hit := false
	mustNil(t, a.update(context.Background(), func(w *world, r *region) error {
		for _, c := range r.Clusters {
			for _, x := range c.Tasks {
				if x.Target != nil && x.Target.TargetGroup == tgARN && x.Target.Failing == "" && x.Target.State != "draining" {
					w.observeTarget(r, x, "Target.ResponseCodeMismatch", "Health checks failed with these codes: [500]")
					hit = true
				}
			}
		}
		return nil
	}))
	return hit
}

// TestUnhealthyTargetStopsTask: a target that fails its checks is
// unhealthy after three of them; ECS stops its task once the grace period
// is over, writes why, and counts it for the circuit breaker, which fails
// the deployment after three.
func TestUnhealthyTargetStopsTask(t *testing.T) {
	for _, grace := range []int32{0, 90} {
		t.Run(fmt.Sprintf("grace %ds", grace), func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			a := open(t, clk)
			fx := alb(t, a, "web", 8080, nil)
			untilActive(t, clk, a, "web")
			td := webDef(t, a, "web", "nginx:1.27", 8080)
			_, err := a.CreateService(ctx, lbService("shop", td, fx, grace))
			mustNil(t, err)
			var failed []time.Time // when each target began to fail
			for end := clk.Now().Add(15 * time.Minute); clk.Now().Before(end) && getService(t, a, "shop").Rollout != "FAILED"; clk.Advance(time.Second) {
				if failing(t, a, fx.tg.ARN) {
					failed = append(failed, clk.Now())
				}
			}
			if got := getService(t, a, "shop"); got.Rollout != "FAILED" {
				t.Fatalf("service %+v, want its deployment FAILED by the circuit breaker", got)
			}
			_, stopped := serviceTasks(t, a, "shop")
			if len(stopped) != breakerThreshold(1) || len(failed) != len(stopped) {
				t.Fatalf("%d stopped tasks, %d failing targets; want %d", len(stopped), len(failed), breakerThreshold(1))
			}
			x := stopped[0]
			reason := "Task failed ELB health checks in (target-group " + fx.tg.ARN + ")"
			if x.StopCode != "ServiceSchedulerInitiated" || x.StoppedReason != reason {
				t.Errorf("stopped task %+v", x)
			}
			// Unhealthy three checks after it began to fail; stopped then
			// or when the grace period ends, whichever is later.
			want := failed[0].Add(unhealthyThreshold * healthInterval)
			if end := x.StartedAt.Add(time.Duration(grace) * time.Second); end.After(want) {
				want = end
			}
			within(t, "stopping", x.StoppingAt.Sub(want), 0, 0)
			evs := events(t, a, "shop")
			if hasEvent(evs, "(service shop) (task "+x.ID+") failed ELB health checks in (target-group "+fx.tg.ARN+")") != 1 ||
				hasEvent(evs, "deployment failed: tasks failed to start.") != 1 {
				t.Errorf("events %q", evs)
			}
		})
	}
}
