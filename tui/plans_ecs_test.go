package tui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"deckhand/aws/sandbox"
	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// sandboxECS is the ECS watcher's snapshot of a sandbox account: its clusters
// and, for each, its services.
func sandboxECS(t *testing.T, acct *sandbox.Account) resource.Set {
	t.Helper()
	ctx := context.Background()
	cs, err := acct.Clusters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set := resource.Set{Kinds: []resource.Kind{resource.KindCluster, resource.KindService}, Clusters: cs}
	for _, c := range cs {
		ss, err := acct.Services(ctx, c.ARN)
		if err != nil {
			t.Fatal(err)
		}
		set.Services = append(set.Services, ss...)
	}
	return set
}

// TestDeleteClusterAndService: on a sandbox account, a cluster with
// services is refused with the reason; a service is deleted (scaled to 0
// first) once its name is typed; then an empty cluster is deleted.
func TestDeleteClusterAndService(t *testing.T) {
	ctx := context.Background()
	acct, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Speed: 100})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acct.CreateCluster(ctx, "spare", nil); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Actions = Actions{ECS: acct}
	m := loadedWith(t, cfg, 120, 30)
	f := &feed{source: "ecs"}
	send(m, f.update(sandboxECS(t, acct), t0))

	press(m, "2", "g") // demo (by name: demo, spare)
	press(m, "ctrl+k")
	mustContain(t, status(m), "cannot delete cluster demo: it has 2 services: delete them first")
	if m.dlg != nil {
		t.Fatal("a dialog opened for a cluster with services")
	}

	press(m, "enter", "g") // the services of demo: broken-worker, web
	press(m, "ctrl+k")
	mustContain(t, screen(m), "Delete service?", "Type broken-worker to confirm")
	if !slices.ContainsFunc(m.dlg.lines, func(l string) bool {
		return strings.HasPrefix(l, "$ aws ecs update-service --cluster demo --service broken-worker --desired-count 0 ")
	}) || !slices.ContainsFunc(m.dlg.lines, func(l string) bool { return strings.HasPrefix(l, "$ aws ecs delete-service --cluster demo") }) {
		t.Fatalf("the dialog lacks the commands: %q", m.dlg.lines)
	}
	typeText(m, "web")
	if cmd := press(m, "enter"); cmd != nil {
		t.Fatal("the wrong name confirmed the delete")
	}
	mustContain(t, screen(m), "type broken-worker exactly to delete it")
	press(m, "ctrl+u")
	typeText(m, "broken-worker")
	runCmd(t, m, press(m, "enter"))
	mustContain(t, status(m), "delete requested for service broken-worker")
	var demo string
	for _, c := range sandboxECS(t, acct).Clusters {
		if c.Name == "demo" {
			demo = c.ARN
		}
	}
	ss, err := acct.Services(ctx, demo)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(ss, func(s resource.Service) bool { return s.Name == "broken-worker" && s.Status == "ACTIVE" }) {
		t.Fatalf("broken-worker is still active: %+v", ss)
	}

	press(m, "esc", "G") // spare
	press(m, "ctrl+k")
	typeText(m, "spare")
	runCmd(t, m, press(m, "enter"))
	for _, c := range sandboxECS(t, acct).Clusters {
		if c.Name == "spare" && c.Status == "ACTIVE" {
			t.Fatalf("spare is still active: %+v", c)
		}
	}
}

// TestServiceEventsAndDeployments: on the sandbox's seeded demo cluster,
// w on a service lists every event newest first, and its detail lists its
// deployments with their counts and rollout state.
func TestServiceEventsAndDeployments(t *testing.T) {
	acct, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Speed: 100})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Actions = Actions{ECS: acct}
	m := loadedWith(t, cfg, 160, 40)
	f := &feed{source: "ecs"}
	set := sandboxECS(t, acct)
	var web resource.Service
	for _, s := range set.Services {
		if s.Name == "web" {
			web = s
		}
	}
	if len(web.Events) < 2 || len(web.Rollouts) == 0 {
		t.Fatalf("the sandbox's web service has events %d, deployments %d", len(web.Events), len(web.Rollouts))
	}
	send(m, f.update(set, t0))
	press(m, "3", "G") // web (after broken-worker)
	press(m, "w")
	s := screen(m)
	mustContain(t, s, "services › events of web", clean(web.Events[0].Message)[:40], "TIME", "EVENT")
	if got := m.current().table().n(); got != len(web.Events) {
		t.Fatalf("%d event rows, want %d", got, len(web.Events))
	}
	press(m, "esc", "d")
	mustContain(t, screen(m), "Deployment", "PRIMARY web:1: desired 2, running 2", "COMPLETED", "(w: every event)")
}

// TestRollbackService: R moves a service from web:2 back to web:1 as a new
// deployment, after a No-default confirmation with its command; a service
// on its first revision is refused with the reason.
func TestRollbackService(t *testing.T) {
	ctx := context.Background()
	acct, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Speed: 100})
	if err != nil {
		t.Fatal(err)
	}
	td, err := acct.DescribeTaskDefinition(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	c := td.Containers[0]
	v2, err := acct.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{Family: "web", CPU: td.CPU, Memory: td.Memory, NetworkMode: td.NetworkMode,
		Fargate: true, Containers: []cloud.ContainerSpec{{Name: c.Name, Image: c.Image, Port: 80, Essential: true}}})
	if err != nil {
		t.Fatal(err)
	}
	set := sandboxECS(t, acct)
	var web resource.Service
	for _, s := range set.Services {
		if s.Name == "web" {
			web = s
		}
	}
	if _, err := acct.UpdateService(ctx, web.ClusterARN, "web", web.Desired, v2); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Actions = Actions{ECS: acct}
	m := loadedWith(t, cfg, 160, 40)
	f := &feed{source: "ecs"}
	send(m, f.update(sandboxECS(t, acct), t0))

	press(m, "3", "g") // broken-worker: its first revision
	press(m, "R")
	mustContain(t, status(m), "cannot roll back service broken-worker: it runs broken-worker:1, the first revision")
	press(m, "G", "R")
	mustContain(t, screen(m), "Roll back service?", "web:2 → web:1", "[ No ]", "$ aws ecs update-service --cluster demo --service web --task-definition")
	if cmd := press(m, "enter"); cmd != nil {
		t.Fatal("enter on the default No rolled back")
	}
	press(m, "R")
	runCmd(t, m, press(m, "y"))
	mustContain(t, status(m), "roll back requested for service web: web:2 → web:1")
	for _, s := range sandboxECS(t, acct).Services {
		if s.Name == "web" && !strings.HasSuffix(s.TaskDefinition, "/web:1") {
			t.Fatalf("web runs %s after the roll back", s.TaskDefinition)
		}
	}
}
