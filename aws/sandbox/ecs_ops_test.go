package sandbox

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/internal/cloud"
)

// TestForceNewDeployment: a forced deployment of the same revision
// replaces every task with a new one, as ECS does, and completes.
func TestForceNewDeployment(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	v1 := fargate(t, a, "api", "nginx:1.27", true)
	w := watchAll(t, clk, a)
	_, err := a.CreateService(ctx, cloud.ServiceSpec{Cluster: "demo", Name: "api", TaskDefinition: v1, Desired: 2, LaunchType: "FARGATE",
		Subnets: []string{ids.subnet}, SecurityGroups: []string{ids.group}, CircuitBreaker: true})
	mustNil(t, err)
	w.run(2*time.Minute, time.Second)
	before, _ := serviceTasks(t, a, "api")
	if got := getService(t, a, "api"); got.Rollout != "COMPLETED" || len(before) != 2 {
		t.Fatalf("before: %+v, %d live tasks", got, len(before))
	}

	s, err := a.ForceNewDeployment(ctx, "demo", "api")
	mustNil(t, err)
	if s.Deployments != 2 || s.TaskDefinition != v1 || s.Rollout != "IN_PROGRESS" {
		t.Fatalf("after ForceNewDeployment: %+v, want 2 deployments of %s, IN_PROGRESS", s, v1)
	}
	w.run(3*time.Minute, time.Second)
	after, stopped := serviceTasks(t, a, "api")
	got := getService(t, a, "api")
	if got.Deployments != 1 || got.Rollout != "COMPLETED" || got.Running != 2 || got.TaskDefinition != v1 {
		t.Fatalf("after the forced rollout: %+v", got)
	}
	for _, x := range after {
		if x.TaskDefinition != v1 {
			t.Errorf("live task %s runs %s", x.ID, x.TaskDefinition)
		}
		for _, b := range before {
			if b.ARN == x.ARN {
				t.Errorf("task %s survived the forced deployment", x.ID)
			}
		}
	}
	replaced := 0
	for _, x := range stopped {
		if x.StopCode == "ServiceSchedulerInitiated" {
			replaced++
		}
	}
	if replaced != 2 {
		t.Errorf("%d tasks stopped by the scheduler, want the 2 old ones", replaced)
	}
	if evs := events(t, a, "api"); hasEvent(evs, ") deployment completed.") != 2 {
		t.Errorf("events %q: want two completed deployments", evs)
	}
}

// TestRegisterImageRevision: the copy is the next revision, the image of
// the named container changed and everything else kept; bad input and
// unknown containers are refused with the field; read-only refuses first.
func TestRegisterImageRevision(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	arn, err := a.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{
		Family: "shop", CPU: "512", Memory: "1024", Fargate: true, Tags: map[string]string{"team": "deck"},
		Containers: []cloud.ContainerSpec{
			{Name: "web", Image: "shop:1", Port: 8080, Essential: true, Env: map[string]string{"MODE": "prod"}},
			{Name: "side", Image: "busybox:1.36"},
		},
	})
	mustNil(t, err)
	clk.Advance(time.Minute)
	got, err := a.RegisterImageRevision(ctx, arn, "web", "shop:2")
	mustNil(t, err)
	if !strings.HasSuffix(got, ":task-definition/shop:2") {
		t.Fatalf("new revision %s, want shop:2", got)
	}
	old, err := a.DescribeTaskDefinition(ctx, "shop:1")
	mustNil(t, err)
	td, err := a.DescribeTaskDefinition(ctx, "shop:2")
	mustNil(t, err)
	if td.Containers[0].Image != "shop:2" || td.Containers[1].Image != "busybox:1.36" || old.Containers[0].Image != "shop:1" {
		t.Errorf("images: new %s, %s; old %s", td.Containers[0].Image, td.Containers[1].Image, old.Containers[0].Image)
	}
	if td.CPU != "512" || td.Memory != "1024" || !slices.Equal(td.Containers[0].EnvNames, []string{"MODE"}) ||
		td.Containers[0].Ports[0].ContainerPort != 8080 || !td.RegisteredAt.After(old.RegisteredAt) {
		t.Errorf("copy lost settings: %+v", td)
	}

	for _, tt := range []struct {
		name, ref, container, image, field string
	}{
		{"unknown container", "shop:1", "db", "shop:3", ""},
		{"bad image", "shop:1", "web", "shop 3", "Image"},
		{"empty image", "shop:1", "web", "", "Image"},
		{"no container", "shop:1", "", "shop:3", "Container"},
		{"unknown revision", "shop:9", "web", "shop:3", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.RegisterImageRevision(ctx, tt.ref, tt.container, tt.image)
			var ce *cloud.Error
			if !errors.As(err, &ce) || ce.Field != tt.field || ce.Code != "ClientException" {
				t.Fatalf("err = %v, want ClientException on field %q", err, tt.field)
			}
		})
	}
	if revs, err := a.TaskDefinitionRevisions(ctx, "shop"); err != nil || len(revs) != 2 {
		t.Errorf("revisions after the refusals: %v (%v), want 2", revs, err)
	}

	ro, err := Open(Options{Path: a.Path(), Clock: clk, Readonly: true})
	mustNil(t, err)
	defer ro.Close()
	if _, err := ro.RegisterImageRevision(ctx, "shop:1", "web", "shop:4"); !errors.Is(err, cloud.ErrReadonly) {
		t.Errorf("readonly RegisterImageRevision = %v", err)
	}
	if _, err := ro.ForceNewDeployment(ctx, "demo", "nope"); !errors.Is(err, cloud.ErrReadonly) {
		t.Errorf("readonly ForceNewDeployment = %v", err)
	}
}

// TestRealServiceMetrics: a service whose task runs on the engine gets CPU
// and memory figures from the engine's stats; a simulated one gets none,
// with the reason. The first call answers at once (measuring), never
// waiting for the engine.
func TestRealServiceMetrics(t *testing.T) {
	ctx := context.Background()
	e := engine(t)
	ref := ecrRef("metrics")
	fixtureImage(t, e, ref)
	clk := newClock()
	a := openDocker(t, clk, e)
	ids := lookup(t, a)
	for _, s := range []struct{ name, td string }{
		{"real", serverDef(t, a, "real", ref, nil)},
		{"sim", fargate(t, a, "sim", "nginx:1.27", false)},
	} {
		_, err := a.CreateService(ctx, cloud.ServiceSpec{Cluster: "demo", Name: s.name, TaskDefinition: s.td, Desired: 1,
			LaunchType: "FARGATE", Subnets: []string{ids.subnet}, SecurityGroups: []string{ids.group}})
		mustNil(t, err)
	}
	live, _ := serviceTasks(t, a, "real")
	until(t, clk, live[0].ARN, 2*time.Minute, status("RUNNING"), a)
	sim, _ := serviceTasks(t, a, "sim")
	until(t, clk, sim[0].ARN, 2*time.Minute, status("RUNNING"), a)

	query := func() []cloud.ServiceMetrics {
		now := clk.Now()
		q := cloud.MetricsQuery{Services: []cloud.ServiceRef{{Cluster: "demo", Service: "real"}, {Cluster: "demo", Service: "sim"}},
			Start: now.Add(-time.Hour), End: now.Add(time.Minute), Period: time.Minute}
		start := time.Now()
		got, err := a.ServiceMetrics(ctx, q)
		mustNil(t, err)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("ServiceMetrics took %v: it must answer from samples, not wait on the engine", d)
		}
		return got
	}
	got := query()
	if len(got) != 2 || len(got[0].CPU) != 0 || !strings.HasPrefix(got[0].Note, "measuring") {
		t.Fatalf("first answer %+v, want no figures yet and a measuring note", got)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(got[0].CPU) == 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		got = query()
	}
	onEngine, simulated := got[0], got[1]
	if len(onEngine.CPU) != 1 || len(onEngine.Memory) != 1 {
		t.Fatalf("real service: %+v, want one minute of figures", onEngine)
	}
	t.Logf("real service: cpu %.3f%%, memory %.3f%%", onEngine.CPU[0].Value, onEngine.Memory[0].Value)
	// The fixture idles: some memory of its 512 MiB, little CPU.
	if m := onEngine.Memory[0].Value; !(m > 0 && m < 50) {
		t.Errorf("memory %.3f%%, want above 0 and well under the reservation", m)
	}
	if c := onEngine.CPU[0].Value; !(c >= 0 && c < 100) {
		t.Errorf("cpu %.3f%%, want 0–100 for an idle server", c)
	}
	if len(simulated.CPU) != 0 || !strings.Contains(simulated.Note, "simulated") {
		t.Errorf("simulated service: %+v, want no figures and why", simulated)
	}
}
