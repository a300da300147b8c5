package contract

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// fargateTaskDef is the task definition the suite registers: a valid
// Fargate size, one essential container with a port, env and health check.
// The container reserves memory because moto's RunTask (5.x) fails with
// HTTP 500 on a container with neither memory nor memoryReservation, even
// when the task has memory (AWS accepts both).
func (r *run) fargateTaskDef(family string) cloud.TaskDefSpec {
	return cloud.TaskDefSpec{
		Family: family, CPU: "256", Memory: "512", NetworkMode: "awsvpc", Fargate: true,
		Containers: []cloud.ContainerSpec{{
			Name: "web", Image: r.fx.Image, Port: 80, Essential: true, MemoryReservation: 128,
			Env:           map[string]string{"GREETING": "hello"},
			HealthCommand: []string{"CMD-SHELL", "true"},
		}},
		Tags: map[string]string{"deckhand:stack": family},
	}
}

// ecs creates a cluster, a task definition (twice: revisions 1 and 2), a
// service that is scaled and deleted, and a standalone task that is
// stopped, then deletes the cluster.
func (r *run) ecs() {
	t, ctx := r.t, context.Background()
	name := "contract-" + r.tag

	cl, err := r.b.CreateCluster(ctx, name, map[string]string{"deckhand:stack": name})
	if err != nil {
		t.Fatalf("CreateCluster: %v", err)
	}
	if cl.Name != name || cl.Status != "ACTIVE" || !strings.HasSuffix(cl.ARN, ":cluster/"+name) {
		t.Errorf("CreateCluster returned %+v, want ACTIVE cluster %s", cl, name)
	}
	if got, ok := r.findCluster(cl.ARN); !ok || got.Name != name || got.Status != "ACTIVE" {
		t.Errorf("cluster listed as %+v (listed: %v), want ACTIVE %s", got, ok, name)
	}

	// Each registration is a new revision of the family.
	spec := r.fargateTaskDef(name)
	var tdARN string
	for rev := 1; rev <= 2; rev++ {
		tdARN, err = r.b.RegisterTaskDefinition(ctx, spec)
		if err != nil {
			t.Fatalf("RegisterTaskDefinition: %v", err)
		}
		if want := fmt.Sprintf(":task-definition/%s:%d", name, rev); !strings.HasSuffix(tdARN, want) {
			t.Errorf("RegisterTaskDefinition = %q, want …%s", tdARN, want)
		}
	}
	r.readTaskDefs(name, tdARN)

	svc, err := r.b.CreateService(ctx, cloud.ServiceSpec{
		Cluster: name, Name: "web", TaskDefinition: tdARN, Desired: 1, LaunchType: "FARGATE",
		Subnets: r.fx.Subnets[:1], SecurityGroups: []string{r.fx.SecurityGroup}, PublicIP: true,
		CircuitBreaker: true, Tags: map[string]string{"deckhand:stack": name},
	})
	if err != nil {
		t.Fatalf("CreateService: %v", err)
	}
	r.wantService(svc, "CreateService", 1, tdARN)
	r.wantService(r.service(cl.ARN, svc.ARN), "listed", 1, tdARN)
	r.wantServiceListed(cl.ARN, svc.ARN, true, "after CreateService")
	r.arnsOfUnknownCluster()

	if _, err := r.b.UpdateService(ctx, name, "web", 2, ""); err != nil {
		t.Fatalf("UpdateService: %v", err)
	}
	r.wantService(r.service(cl.ARN, svc.ARN), "after UpdateService", 2, tdARN)

	// AWS refuses to delete a cluster that still has a service.
	if !r.quirk(r.tg.Quirks.NoClusterDeleteChecks, "NoClusterDeleteChecks", "DeleteCluster with a service is ClusterContainsServicesException") {
		r.wantCode(r.b.DeleteCluster(ctx, name), "ecs", "DeleteCluster", "ClusterContainsServicesException")
	}

	r.task(cl.ARN, tdARN)

	// A deleted service is DRAINING, then INACTIVE, or no longer listed;
	// either way its desired count is 0.
	if err := r.b.DeleteService(ctx, name, "web"); err != nil {
		t.Fatalf("DeleteService: %v", err)
	}
	if got, ok := r.findService(cl.ARN, svc.ARN); ok && (got.Desired != 0 || (got.Status != "DRAINING" && got.Status != "INACTIVE")) {
		t.Errorf("deleted service listed as %s with desired %d, want DRAINING or INACTIVE with 0", got.Status, got.Desired)
	}
	// AWS: a deleted service is no longer listed by ListServices, DRAINING
	// or not (the sweep drops it by that).
	if !r.quirk(r.tg.Quirks.ListsDeletedServices, "ListsDeletedServices", "ListServices no longer lists a deleted service") {
		r.wantServiceListed(cl.ARN, svc.ARN, false, "after DeleteService")
	}

	// The cluster can be deleted once its service's tasks are gone (AWS
	// answers ClusterContains…Exception until then); it is then INACTIVE
	// or no longer listed.
	r.eventually("DeleteCluster "+name, func() (bool, string) {
		err := r.b.DeleteCluster(ctx, name)
		var e *cloud.Error
		if errors.As(err, &e) && (e.Code == "ClusterContainsServicesException" || e.Code == "ClusterContainsTasksException") {
			return false, err.Error()
		}
		if err != nil {
			t.Fatalf("DeleteCluster: %v", err)
		}
		return true, ""
	})
	if got, ok := r.findCluster(cl.ARN); ok && got.Status != "INACTIVE" {
		t.Errorf("deleted cluster listed as %s, want INACTIVE or not listed", got.Status)
	}
}

// task runs a standalone task and stops it.
func (r *run) task(clusterARN, tdARN string) {
	t, ctx := r.t, context.Background()
	tasks, err := r.b.RunTask(ctx, cloud.RunTaskSpec{
		Cluster: clusterARN, TaskDefinition: tdARN, Count: 1, LaunchType: "FARGATE", Group: "contract",
		Subnets: r.fx.Subnets[:1], SecurityGroups: []string{r.fx.SecurityGroup}, PublicIP: true,
	})
	if err != nil {
		t.Fatalf("RunTask: %v", err)
	}
	if len(tasks) != 1 {
		t.Fatalf("RunTask started %d tasks, want 1", len(tasks))
	}
	run := tasks[0]
	// AWS: RunTask returns the task PROVISIONING with desiredStatus RUNNING.
	if run.ARN == "" || run.ID == "" || !strings.HasSuffix(run.ARN, "/"+run.ID) || run.Group != "contract" ||
		run.TaskDefinition != tdARN || run.DesiredStatus != "RUNNING" || run.LaunchType != "FARGATE" || !startPath[run.LastStatus] {
		t.Errorf("RunTask returned %+v", run)
	}
	if !r.quirk(r.tg.Quirks.NoTaskTimestamps, "NoTaskTimestamps", "createdAt is set at RunTask") && run.CreatedAt.IsZero() {
		t.Errorf("RunTask: no CreatedAt")
	}

	listed := r.findTaskOrFail(clusterARN, run.ARN)
	r.wantTaskListed(clusterARN, run.ARN, "running", "after RunTask")
	if listed.DesiredStatus != "RUNNING" {
		// The task stopped by itself: the fixture image does not run here.
		t.Fatalf("task stopped before StopTask: %s %s: %s (is Fixtures.Image runnable on this target?)",
			listed.LastStatus, listed.StopCode, listed.StoppedReason)
	}
	// AWS: a task leaves the start path only once its desiredStatus is
	// STOPPED.
	if !r.quirk(r.tg.Quirks.TasksWalkOnDescribe, "TasksWalkOnDescribe", "no stop-path lastStatus while desiredStatus is RUNNING") &&
		!startPath[listed.LastStatus] {
		t.Errorf("task listed as %s while desiredStatus is RUNNING", listed.LastStatus)
	}

	const reason = "contract: stopped by the test"
	if err := r.b.StopTask(ctx, clusterARN, run.ARN, reason); err != nil {
		t.Fatalf("StopTask: %v", err)
	}
	var got resource.Task
	r.eventually("task STOPPED", func() (bool, string) {
		got = r.findTaskOrFail(clusterARN, run.ARN)
		return got.LastStatus == "STOPPED", got.LastStatus + "/" + got.DesiredStatus
	})
	r.wantTaskListed(clusterARN, run.ARN, "stopped", "once STOPPED")
	if got.DesiredStatus != "STOPPED" || got.StoppedReason != reason {
		t.Errorf("stopped task: desired %s, reason %q; want STOPPED, %q", got.DesiredStatus, got.StoppedReason, reason)
	}
	if !r.quirk(r.tg.Quirks.NoStopCode, "NoStopCode", "stopCode UserInitiated after StopTask") && got.StopCode != "UserInitiated" {
		t.Errorf("stopped task: stopCode %q, want UserInitiated", got.StopCode)
	}
	if !r.quirk(r.tg.Quirks.NoTaskTimestamps, "NoTaskTimestamps", "stoppedAt is set once STOPPED") && got.StoppedAt.IsZero() {
		t.Errorf("stopped task: no StoppedAt")
	}
}

// startPath are the lastStatus values of a task that has not been asked to
// stop: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle.html
var startPath = map[string]bool{"PROVISIONING": true, "PENDING": true, "ACTIVATING": true, "RUNNING": true}

func (r *run) findCluster(arn string) (resource.Cluster, bool) {
	r.t.Helper()
	all, err := r.b.Clusters(context.Background())
	if err != nil {
		r.t.Fatalf("Clusters: %v", err)
	}
	for _, c := range all {
		if c.ARN == arn {
			return c, true
		}
	}
	return resource.Cluster{}, false
}

func (r *run) findService(clusterARN, arn string) (resource.Service, bool) {
	r.t.Helper()
	all, err := r.b.Services(context.Background(), clusterARN)
	if err != nil {
		r.t.Fatalf("Services: %v", err)
	}
	for _, s := range all {
		if s.ARN == arn {
			return s, true
		}
	}
	return resource.Service{}, false
}

func (r *run) service(clusterARN, arn string) resource.Service {
	r.t.Helper()
	s, ok := r.findService(clusterARN, arn)
	if !ok {
		r.t.Fatalf("service %s is not listed", arn)
	}
	return s
}

func (r *run) wantService(s resource.Service, when string, desired int32, tdARN string) {
	r.t.Helper()
	if s.Name != "web" || s.Status != "ACTIVE" || s.Desired != desired || s.TaskDefinition != tdARN || s.LaunchType != "FARGATE" {
		r.t.Errorf("%s: service %+v, want ACTIVE FARGATE web with desired %d of %s", when, s, desired, tdARN)
	}
}

func (r *run) findTaskOrFail(clusterARN, arn string) resource.Task {
	r.t.Helper()
	all, err := r.b.Tasks(context.Background(), clusterARN)
	if err != nil {
		r.t.Fatalf("Tasks: %v", err)
	}
	for _, x := range all {
		if x.ARN == arn {
			return x
		}
	}
	r.t.Fatalf("task %s is not listed", arn)
	return resource.Task{}
}
