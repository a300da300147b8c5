package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/cloud"
	"deckhand/internal/resource"
	"deckhand/internal/testbed"
)

// checkMain is a health checker for FROM-scratch images, which have no
// shell to run CMD-SHELL: it GETs its argument (by default the fixture's
// /health) and exits 0 on a 200, 1 otherwise.
const checkMain = `package main

import (
	"net/http"
	"os"
	"time"
)

func main() {
	url := "http://127.0.0.1:8080/health"
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	res, err := (&http.Client{Timeout: 2 * time.Second}).Get(url)
	if err != nil {
		os.Exit(1)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		os.Exit(1)
	}
}
`

// checkedImage builds the fixture with the checker as /check.
func checkedImage(t *testing.T, e *dockerops.Engine, ref string) {
	t.Helper()
	dir := t.TempDir()
	for name, bin := range map[string]string{"app": fixtureBinary(t), "check": testbed.StaticBinary(t, checkMain)} {
		data, err := os.ReadFile(bin)
		mustNil(t, err)
		mustNil(t, os.WriteFile(filepath.Join(dir, name), data, 0o755))
	}
	buildImage(t, e, ref, dir, "COPY app /app\nCOPY check /check\nEXPOSE 8080\nENTRYPOINT [\"/app\"]\n")
}

func TestHealthcheck(t *testing.T) {
	tests := []struct {
		cmd   []string
		speed float64
		want  *dockerops.Healthcheck
	}{
		{nil, 1, nil},
		{[]string{"NONE"}, 1, nil},
		{[]string{"CMD-SHELL", "true"}, 1, &dockerops.Healthcheck{Test: []string{"CMD-SHELL", "true"}, Interval: 30 * time.Second, Timeout: 5 * time.Second, Retries: 3}},
		{[]string{"CMD", "/check"}, 10, &dockerops.Healthcheck{Test: []string{"CMD", "/check"}, Interval: 3 * time.Second, Timeout: time.Second, Retries: 3}},
		{[]string{"CMD", "/check"}, 1000, &dockerops.Healthcheck{Test: []string{"CMD", "/check"}, Interval: time.Second, Timeout: time.Second, Retries: 3}},
	}
	for _, tc := range tests {
		got := healthcheck(tc.cmd, tc.speed)
		if (got == nil) != (tc.want == nil) || got != nil && (!slices.Equal(got.Test, tc.want.Test) ||
			got.Interval != tc.want.Interval || got.Timeout != tc.want.Timeout || got.Retries != tc.want.Retries || got.StartPeriod != 0) {
			t.Errorf("healthcheck(%q, %v) = %+v, want %+v", tc.cmd, tc.speed, got, tc.want)
		}
	}
}

func TestTaskHealth(t *testing.T) {
	ct := func(essential, checked bool, health string) *container {
		return &container{Essential: essential, Checked: checked, Health: health}
	}
	tests := []struct {
		name string
		cs   []*container
		want string
	}{
		{"no check", []*container{ct(true, false, "UNKNOWN")}, "UNKNOWN"},
		{"being evaluated", []*container{ct(true, true, "UNKNOWN")}, "UNKNOWN"},
		{"healthy", []*container{ct(true, true, "HEALTHY"), ct(true, false, "UNKNOWN")}, "HEALTHY"},
		{"one of two essential", []*container{ct(true, true, "HEALTHY"), ct(true, true, "UNKNOWN")}, "UNKNOWN"},
		{"unhealthy wins", []*container{ct(true, true, "HEALTHY"), ct(true, true, "UNHEALTHY")}, "UNHEALTHY"},
		{"non-essential ignored", []*container{ct(true, true, "HEALTHY"), ct(false, true, "UNHEALTHY")}, "HEALTHY"},
		{"non-essential only", []*container{ct(true, false, "UNKNOWN"), ct(false, true, "HEALTHY")}, "HEALTHY"},
	}
	for _, tc := range tests {
		if got := (&task{Containers: tc.cs}).taskHealth(); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// A service's container that runs for real has the engine's health, never
// a simulated one: the task definition's check becomes the container's
// HEALTHCHECK, and the task is HEALTHY only once the engine says healthy;
// a container that crashes is never HEALTHY and fails the deployment; one
// whose check fails turns UNHEALTHY and ECS stops its task. The clock is
// driven (a second per call, at speed 30, so checks run every real
// second) while the engine runs in real time.
func TestRealContainerHealth(t *testing.T) {
	e := engine(t)
	ref := ecrRef("health")
	checkedImage(t, e, ref)
	type seen struct {
		healthy, unknownRunning bool // some read showed the task HEALTHY; RUNNING but UNKNOWN
	}
	tests := []struct {
		name   string
		env    map[string]string
		check  []string
		done   func(first resource.Task, s resource.Service) bool
		verify func(t *testing.T, first resource.Task, s resource.Service, saw seen)
	}{
		{
			name: "crashes", env: map[string]string{"EXIT_CODE": "1"}, check: []string{"CMD", "/check"},
			// Done when the first task has stopped. Waiting for the
			// circuit breaker to fail the rollout instead flaked under CI
			// load: once a task had reached RUNNING (stage 1 passed, as
			// in ECS), start failures from a slow engine no longer count,
			// so the rollout may stay IN_PROGRESS.
			done: func(first resource.Task, s resource.Service) bool {
				return first.LastStatus == "STOPPED" || s.Rollout == "FAILED"
			},
			verify: func(t *testing.T, first resource.Task, s resource.Service, saw seen) {
				if saw.healthy {
					t.Error("a task of the crashing app was HEALTHY")
				}
				if first.DesiredStatus != "STOPPED" || first.StopCode != "EssentialContainerExited" ||
					first.Containers[0].ExitCode == nil || *first.Containers[0].ExitCode != 1 {
					t.Errorf("first task %s/%s %s, container %+v; want EssentialContainerExited with exit code 1",
						first.LastStatus, first.DesiredStatus, first.StopCode, first.Containers[0])
				}
			},
		},
		{
			name: "healthy", check: []string{"CMD", "/check"},
			done: func(_ resource.Task, s resource.Service) bool { return s.Rollout == "COMPLETED" },
			verify: func(t *testing.T, first resource.Task, s resource.Service, saw seen) {
				if !saw.unknownRunning || first.Health != "HEALTHY" || first.Containers[0].Health != "HEALTHY" || first.LastStatus != "RUNNING" {
					t.Errorf("task %s health %s (container %s), seen RUNNING UNKNOWN: %v; want UNKNOWN while the engine checks, then HEALTHY",
						first.LastStatus, first.Health, first.Containers[0].Health, saw.unknownRunning)
				}
			},
		},
		{
			name: "unhealthy", check: []string{"CMD", "/check", "http://127.0.0.1:1/"},
			done: func(first resource.Task, _ resource.Service) bool { return first.DesiredStatus == "STOPPED" },
			verify: func(t *testing.T, first resource.Task, s resource.Service, saw seen) {
				if saw.healthy || first.Health != "UNHEALTHY" || first.Containers[0].Health != "UNHEALTHY" ||
					first.StopCode != "ServiceSchedulerInitiated" || first.StoppedReason != "Task failed container health checks" {
					t.Errorf("task health %s (container %s), stopped %s %q, seen HEALTHY %v; want UNHEALTHY, stopped for failed container health checks",
						first.Health, first.Containers[0].Health, first.StopCode, first.StoppedReason, saw.healthy)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clk := newClock()
			a := openDocker(t, clk, e, func(o *Options) { o.Speed = 30 })
			ids := lookup(t, a)
			td, err := a.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{
				Family: "health-" + tc.name, CPU: "256", Memory: "512", Fargate: true,
				Containers: []cloud.ContainerSpec{{Name: "app", Image: ref, Port: 8080, Essential: true, Env: tc.env, HealthCommand: tc.check}},
			})
			mustNil(t, err)
			_, err = a.CreateService(ctx, cloud.ServiceSpec{
				Cluster: "demo", Name: "health", TaskDefinition: td, Desired: 1, LaunchType: "FARGATE",
				Subnets: []string{ids.subnet}, CircuitBreaker: true,
			})
			mustNil(t, err)
			live, _ := serviceTasks(t, a, "health")
			arn := live[0].ARN
			var saw seen
			for end := time.Now().Add(90 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				clk.Advance(time.Second)
				// The service first, then the tasks, then the engine: each
				// read is no older than the one before.
				s := getService(t, a, "health")
				ts, err := a.Tasks(ctx, "demo")
				mustNil(t, err)
				var first resource.Task
				for _, x := range ts {
					if x.ARN == arn {
						first = x
					}
					if x.Service() != "health" || x.Health != "HEALTHY" {
						continue
					}
					saw.healthy = true
					cs := taskContainers(t, e, a, x.ARN)
					if len(cs) != 1 {
						t.Fatalf("HEALTHY task %s has containers %+v", x.ID, cs)
					}
					if info, err := e.InspectContainer(ctx, cs[0].ID); err != nil || info.Health != "healthy" {
						t.Fatalf("task %s HEALTHY while the engine says %q (%v)", x.ID, info.Health, err)
					}
				}
				if s.Rollout == "COMPLETED" && first.Health != "HEALTHY" {
					t.Fatalf("deployment COMPLETED while its task is %s %s", first.LastStatus, first.Health)
				}
				if first.LastStatus == "RUNNING" && first.Health == "UNKNOWN" {
					saw.unknownRunning = true
				}
				if tc.done(first, s) {
					tc.verify(t, first, s, saw)
					if tc.name != "healthy" && s.Rollout == "COMPLETED" {
						t.Errorf("deployment %s, want it not COMPLETED", s.Rollout)
					}
					return
				}
				if time.Now().After(end) {
					t.Fatalf("after 90 s: service rollout %s, first task %s/%s health %s %s %q\n%s",
						s.Rollout, first.LastStatus, first.DesiredStatus, first.Health, first.StopCode, first.StoppedReason, diagnose(a, arn))
				}
			}
		})
	}
}
