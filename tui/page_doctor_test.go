package tui

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"deckhand/aws/sandbox"
	"deckhand/internal/resource"
	"deckhand/internal/watch"
)

// drivenClock lets a test move the sandbox's time on at once.
type drivenClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *drivenClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// TestDoctorPage: x on the sandbox's seeded broken-worker service opens the
// doctor, whose verdict names the missing image first and shows the fix's
// command; x on a stopped instance says it is stopped and offers S; v from
// the doctor page is the lifecycle. The page reads a real sandbox account.
func TestDoctorPage(t *testing.T) {
	clk := &drivenClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	acct, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { acct.Close() })
	clk.mu.Lock()
	clk.t = clk.t.Add(10 * time.Minute) // broken-worker's breaker trips
	clk.mu.Unlock()
	ctx := context.Background()
	cs, err := acct.Clusters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := acct.Services(ctx, cs[0].ARN)
	if err != nil {
		t.Fatal(err)
	}
	ins, err := acct.Instances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m := New(testConfig())
	m.cfg.Doctor, m.cfg.Sandbox = acct, true
	send(m, windowSize(120, 40))
	send(m, watch.Update{Source: "ecs", At: t0, Baseline: true, Set: resource.Set{
		Kinds: []resource.Kind{resource.KindCluster, resource.KindService}, Clusters: cs, Services: ss}})
	send(m, watch.Update{Source: "ec2", At: t0, Baseline: true, Set: resource.Set{
		Kinds: []resource.Kind{resource.KindInstance}, Instances: ins}})

	for _, c := range []struct {
		name string
		keys []string
		want []string
	}{
		{"service", []string{"3", "/", "broken", "enter", "x"}, []string{"doctor: broken-worker", "✗ service demo/broken-worker", "image or its tag does not exist",
			"[certain, cause; image-missing]", "$ aws ecr describe-images --repository-name broken-worker", "--image-ids imageTag=latest --region us-east-1",
			"circuit breaker failed deployment"}},
		{"instance", []string{"1", "/", "batch", "enter", "x"}, []string{"doctor: batch", "it is stopped, not running", "Fix: S starts it", "aws ec2 start-instances"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range c.keys {
				if len(k) > 1 && k != "enter" {
					typeText(m, k)
				} else {
					do(m, press(m, k))
				}
			}
			mustContain(t, screen(m), c.want...)
			checkFits(t, m, 120, 40)
			press(m, "v")
			mustContain(t, screen(m), "lifecycle of")
			press(m, "esc", "esc", "esc")
		})
	}
}
