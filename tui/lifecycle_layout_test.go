package tui

import (
	"strings"
	"testing"
	"time"

	"deckhand/internal/resource"
)

// TestLifecycleLayout draws the lifecycle page at 80×24 and 200×50 with
// NO_COLOR: for an instance that deckhand saw stop, a running task, a
// service whose deployment the circuit breaker rolled back, and the
// generic graphs of :lifecycle. The lit state must read without colour
// (▶[STATE]), the time spent must be there, and the screen must fit.
// Goldens: go test ./tui -run TestLifecycleLayout -update
func TestLifecycleLayout(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	failed := func(set resource.Set) resource.Set {
		s := &set.Services[0]
		s.Rollout, s.RolloutReason, s.Deployments = "IN_PROGRESS", "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/111.", 2
		s.Rollouts = []resource.Deployment{
			{ID: "ecs-svc/111", Status: "PRIMARY", TaskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:11",
				Desired: 2, Running: 1, Rollout: "IN_PROGRESS", RolloutReason: s.RolloutReason,
				CreatedAt: t0.Add(-48 * time.Hour), UpdatedAt: t0.Add(2 * time.Minute)},
			{ID: "ecs-svc/222", Status: "ACTIVE", TaskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:12",
				Desired: 2, Failed: 3, Rollout: "FAILED", RolloutReason: "ECS deployment circuit breaker: tasks failed to start.",
				CreatedAt: t0.Add(-3 * time.Minute), UpdatedAt: t0.Add(2 * time.Minute)},
		}
		return set
	}
	for _, size := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"200x50", 200, 50}} {
		t.Run(size.name, func(t *testing.T) {
			for _, c := range []struct {
				name string
				keys []string
				want []string
			}{
				{"instance", []string{"G", "v"}, []string{"instances › lifecycle of web-1", "▶ │ [stopping]", "◉ 9m55s", "✓ 3h00m", "Next from stopping:", "→ stopped"}},
				{"task", []string{"2", "enter", "j", "enter", "v"}, []string{"lifecycle of 3f2a9c1e", "▶ │ ↓ [RUNNING]", "✓ 1m00s", "│ ↓  PENDING         │ ✓", "Next from RUNNING:", "s stop · StopTask"}},
				{"deployment", []string{"3", "G", "v"}, []string{"lifecycle of web", "▶ │ [ROLLBACK]", "ACTIVE web:12 FAILED", "Next from ROLLBACK:"}},
				{"generic-instance", []string{":", "l", "i", "f", "e", "c", "y", "c", "l", "e", "enter"}, []string{"instance lifecycle", "shutting-down", "running → stopping  s stop · StopInstances"}},
				{"generic-task", []string{":", "l", "c", " ", "t", "a", "s", "k", "enter"}, []string{"task lifecycle", "DEPROVISIONING", "desiredStatus is where ECS wants it", "RUNNING → DEACTIVATING  s stop"}},
				{"generic-deployment", []string{":", "l", "c", " ", "d", "enter"}, []string{"deployment lifecycle", "ROLLBACK", "FAILED → ROLLBACK"}},
			} {
				t.Run(c.name, func(t *testing.T) {
					m, feeds := newLoaded(t, size.w, size.h)
					send(m, feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "stopping"),
						instance("i-0ddd3333eeee4444f", "db-1", "stopped"), instance("i-0fff5555aaaa6666b", "", "pending")), t0.Add(5*time.Second)))
					send(m, feeds["ecs"].update(failed(ecsSet(2, "RUNNING")), t0.Add(5*time.Second)))
					for _, k := range c.keys {
						if len([]rune(k)) == 1 && k != "G" && k != "v" && k != "j" && k != "2" && k != "3" && k != ":" || k == " " {
							typeText(m, k)
						} else {
							press(m, k)
						}
					}
					s := screen(m)
					mustContain(t, s, c.want...)
					checkFits(t, m, size.w, size.h)
					if n := strings.Count(m.View().Content, "\n") + 1; n != size.h {
						t.Fatalf("%d lines on a %d-line terminal", n, size.h)
					}
					goldenScreen(t, m)
				})
			}
		})
	}
}
