package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"deckhand/internal/resource"
)

func TestSeed(t *testing.T) {
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	want := map[string]string{"web-1": "running", "web-2": "pending", "batch": "stopped", "old-worker": "shutting-down"}
	for name, state := range want {
		if got := ids.instances[name]; got.State != state {
			t.Errorf("%s is %q, want %q", name, got.State, state)
		}
	}
	if b := ids.instances["batch"]; b.StateReason != userShutdown || b.StateChanged.IsZero() {
		t.Errorf("batch %+v, want a user-initiated stop with its time", b)
	}
	web := getService(t, a, "web")
	if web.Running != 2 || web.Desired != 2 || web.Rollout != "COMPLETED" || web.LastEvent.Message != "(service web) has reached a steady state." {
		t.Errorf("web %+v, want 2/2 COMPLETED and steady", web)
	}
	if !web.CreatedAt.Equal(clk.Now().Add(-48 * time.Hour)) {
		t.Errorf("web created %v, want two days ago", web.CreatedAt)
	}
	ts, err := a.Tasks(context.Background(), "demo")
	mustNil(t, err)
	var migrate int
	for _, x := range ts {
		if x.Group == "family:db-migrate" {
			migrate++
			if x.LastStatus != "STOPPED" || x.StopCode != "EssentialContainerExited" {
				t.Errorf("db-migrate task %+v, want STOPPED by its exited container", x)
			}
		}
	}
	if migrate != 1 {
		t.Errorf("%d db-migrate tasks, want 1", migrate)
	}

	w := watchAll(t, clk, a)
	w.run(time.Minute, time.Second)
	if got := w.path(ids.instances["web-2"].ID); len(got) != 1 || got[0] != "running" {
		t.Errorf("web-2 within a minute: %v, want running", got)
	}
	if got := w.path(ids.instances["old-worker"].ID); len(got) != 1 || got[0] != "terminated" {
		t.Errorf("old-worker within a minute: %v, want terminated", got)
	}
}

// The seeded broken-worker cannot pull its image: its tasks stop with
// TaskFailedToStart and CannotPullContainerError, the service says it cannot
// start tasks, and the circuit breaker fails the deployment after 3 failed
// tasks. With no earlier deployment to roll back to, it then launches
// nothing more.
func TestSeededFailingService(t *testing.T) {
	clk := newClock()
	a := open(t, clk)
	w := watchAll(t, clk, a)
	s := getService(t, a, "broken-worker")
	if s.Rollout != "IN_PROGRESS" || s.Pending != 2 {
		t.Fatalf("broken-worker at first %+v, want IN_PROGRESS with 2 pending tasks", s)
	}
	if want := (resource.DeploymentConfig{CircuitBreaker: true, Rollback: true, MinHealthy: 100, MaxPercent: 200}); s.Config != want {
		t.Errorf("broken-worker's deployment configuration %+v, want %+v", s.Config, want)
	}
	w.run(5*time.Minute, time.Second)
	s = getService(t, a, "broken-worker")
	if s.Rollout != "FAILED" || s.RolloutReason != "ECS deployment circuit breaker: tasks failed to start." || s.Running != 0 {
		t.Errorf("broken-worker %+v, want FAILED by the circuit breaker", s)
	}
	if got := w.path(s.ARN); got[len(got)-1] != "ACTIVE FAILED 0/2" {
		t.Errorf("service path %v, want it to end FAILED 0/2", got)
	}
	evs := events(t, a, "broken-worker")
	for _, want := range []string{
		"(service broken-worker) has started 2 tasks: (task ",
		"(service broken-worker) is unable to consistently start tasks successfully.",
		") deployment failed: tasks failed to start.",
	} {
		if hasEvent(evs, want) == 0 {
			t.Errorf("no event %q in %q", want, evs)
		}
	}
	_, stopped := serviceTasks(t, a, "broken-worker")
	if len(stopped) < breakerThreshold(2) {
		t.Fatalf("%d stopped tasks, want at least %d", len(stopped), breakerThreshold(2))
	}
	for _, x := range stopped {
		if x.StopCode != "TaskFailedToStart" || !strings.HasPrefix(x.StoppedReason, "CannotPullContainerError: ") ||
			!strings.Contains(x.StoppedReason, AccountID+".dkr.ecr.us-east-1.amazonaws.com/broken-worker:latest: not found") {
			t.Errorf("stopped task %s: %s %q", x.ID, x.StopCode, x.StoppedReason)
		}
		if c := x.Containers[0]; c.LastStatus != "STOPPED" || c.ExitCode != nil || !strings.HasPrefix(c.Reason, "CannotPullContainerError") {
			t.Errorf("container %+v, want STOPPED without exit code, with the pull error", c)
		}
		if got := w.path(x.ARN); got[len(got)-1] != "STOPPED" || got[len(got)-2] != "DEPROVISIONING" {
			t.Errorf("failed task path %v, want … DEPROVISIONING, STOPPED", got)
		}
	}
	// Stalled: nothing more is launched; the stopped tasks go after an hour.
	n := len(stopped)
	w.run(30*time.Minute, 10*time.Second)
	if live, stopped := serviceTasks(t, a, "broken-worker"); len(live) != 0 || len(stopped) != n {
		t.Errorf("after the failure: %d live, %d stopped tasks, want 0 and %d", len(live), len(stopped), n)
	}
	clk.Advance(time.Hour)
	if _, stopped := serviceTasks(t, a, "broken-worker"); len(stopped) != 0 {
		t.Errorf("%d stopped tasks still listed after an hour", len(stopped))
	}
}
