package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"deckhand/internal/cloud"
)

// TestRealTargetHealth: the load balancer checks targets whose container
// runs on the real engine through their published port (on the driven
// clock; only the engine and the probes run in real time). The fixture
// answers on 8080: a service mapping 8080 gets a healthy target; one that
// maps 8081, where nothing listens, gets an unhealthy one
// (Target.FailedHealthChecks), and ECS stops its task.
func TestRealTargetHealth(t *testing.T) {
	ctx := context.Background()
	e := engine(t)
	ref := ecrRef("elb")
	fixtureImage(t, e, ref)
	clk := newClock()
	a := openDocker(t, clk, e)
	fx := alb(t, a, "real", 8080, nil)
	untilActive(t, clk, a, "real")
	bad, _, err := a.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{Name: "real-bad", VpcID: fx.vpc, Port: 8081, HealthPath: "/health"})
	mustNil(t, err)
	_, _, err = a.EnsureListener(ctx, cloud.ListenerSpec{LoadBalancerARN: fx.lb.ARN, Port: 8081, TargetGroupARN: bad.ARN})
	mustNil(t, err)
	_, err = a.CreateService(ctx, lbService("good", webDef(t, a, "good", ref, 8080), fx, 0))
	mustNil(t, err)
	badFx := fx
	badFx.tg = bad
	_, err = a.CreateService(ctx, lbService("bad", webDef(t, a, "bad", ref, 8081), badFx, 0))
	mustNil(t, err)

	var healthy bool
	var badSeen []string // the bad target's states
	for end := clk.Now().Add(5 * time.Minute); clk.Now().Before(end); clk.Advance(time.Second) {
		hs := targets(t, a, fx.tg.ARN)
		healthy = len(hs) == 1 && hs[0].State == "healthy"
		if hs := targets(t, a, bad.ARN); len(hs) > 0 {
			if s := hs[0].State + " " + hs[0].Reason; len(badSeen) == 0 || badSeen[len(badSeen)-1] != s {
				badSeen = append(badSeen, s)
			}
		}
		if _, stopped := serviceTasks(t, a, "bad"); healthy && len(stopped) > 0 {
			break
		}
	}
	if !healthy {
		live, _ := serviceTasks(t, a, "good")
		t.Fatalf("good target %+v\n%s", targets(t, a, fx.tg.ARN), diagnose(a, live[0].ARN))
	}
	_, stopped := serviceTasks(t, a, "bad")
	if len(stopped) == 0 || stopped[0].StoppedReason != "Task failed ELB health checks in (target-group "+bad.ARN+")" {
		t.Fatalf("bad service's stopped tasks %+v; its target was %q", stopped, badSeen)
	}
	if !strings.Contains(strings.Join(badSeen, ","), "unhealthy Target.FailedHealthChecks") {
		t.Errorf("bad target went %q, want unhealthy with Target.FailedHealthChecks", badSeen)
	}
	t.Logf("bad target: %q; good: %+v", badSeen, targets(t, a, fx.tg.ARN))
	if got := getService(t, a, "good"); got.Rollout != "COMPLETED" {
		t.Errorf("good service %+v, want COMPLETED once its target is healthy", got)
	}
}
