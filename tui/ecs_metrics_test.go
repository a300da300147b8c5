package tui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"deckhand/aws/sandbox"
	"deckhand/dockerops"
	"deckhand/internal/cloud"
	"deckhand/internal/testbed"
)

// TestProgramServiceMetricsFromEngine: on a sandbox account whose service
// runs a real container on the engine, the services page gains CPU% and
// MEM% once the figures come (the first answer is "measuring", asked
// again within seconds), the service's detail draws the last hour, and a
// simulated service says why it has no figures. The real program, the
// real sandbox, the real engine.
func TestProgramServiceMetricsFromEngine(t *testing.T) {
	ctx := context.Background()
	c := testbed.Docker(t)
	e, err := dockerops.New(dockerops.Options{Host: c.DaemonHost()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	b := make([]byte, 4)
	rand.Read(b)
	tag := sleeperImage(t, e, c, "deckhand-test-tui-metrics-"+hex.EncodeToString(b))
	acct, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Speed: 100, Docker: e})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		acct.Close()
		// The sandbox labels its task containers with its state file.
		cs, _ := e.ContainersByLabel(context.Background(), "deckhand.sandbox.account", acct.Path())
		for _, x := range cs {
			c.ContainerRemove(context.Background(), x.ID, client.ContainerRemoveOptions{Force: true})
		}
	})
	vpc, err := acct.DefaultVPC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	subnets, err := acct.Subnets(ctx, vpc.ID)
	if err != nil {
		t.Fatal(err)
	}
	td, err := acct.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{Family: "meter", CPU: "256", Memory: "512", Fargate: true,
		Containers: []cloud.ContainerSpec{{Name: "app", Image: tag, Essential: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acct.CreateService(ctx, cloud.ServiceSpec{Cluster: "demo", Name: "meter", TaskDefinition: td, Desired: 1,
		LaunchType: "FARGATE", Subnets: []string{subnets[0].ID}}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); sandboxService(t, acct, "meter").Running != 1; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("meter never ran: %+v", sandboxService(t, acct, "meter"))
		}
		acct.Flush(ctx)
	}

	cfg := testConfig()
	cfg.Now = nil // the sandbox's samples carry the real time
	cfg.Actions = Actions{ECS: acct}
	cfg.Metrics = acct
	tm, p, _ := startProgramWith(t, cfg, 160, 30)
	tm.Send((&feed{source: "ecs"}).update(sandboxECS(t, acct), time.Now()))
	keys(tm, "3")
	waitLong(t, p, 30*time.Second, "CPU%", "MEM%")
	keys(tm, "g", "j", "d") // broken-worker, meter, web
	waitLong(t, p, 10*time.Second, "service meter", "CPU (1 h)", "Memory (1 h)", "now ")
	keys(tm, "esc", "G", "d")
	waitLong(t, p, 10*time.Second, "service web", "no figures: its running tasks are simulated")
	finish(t, tm)
}

// waitLong is waitScreen with a longer deadline.
func waitLong(t *testing.T, p *probe, d time.Duration, wants ...string) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		last, _ = p.frame.Load().(string)
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(last, w)
		}
		if ok {
			return
		}
	}
	t.Fatalf("screen never showed %q; last frame:\n%s", wants, last)
}
