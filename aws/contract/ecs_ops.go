package contract

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"deckhand/internal/cloud"
)

// serviceOps checks the on-call actions (cloud.ServiceDeployer) and the
// metrics read (cloud.MetricsReader): a forced deployment keeps the
// service's revision and count; a new image revision is the next revision
// with only that image changed; an unknown container is refused with the
// field; a metrics query for a service with no data points answers empty,
// not an error.
func (r *run) serviceOps() {
	t, ctx := r.t, context.Background()
	sd, ok := r.b.(cloud.ServiceDeployer)
	if !ok {
		t.Fatalf("%T does not deploy services (cloud.ServiceDeployer)", r.b)
	}
	mr, ok := r.b.(cloud.MetricsReader)
	if !ok {
		t.Fatalf("%T does not read metrics (cloud.MetricsReader)", r.b)
	}
	tdr := r.b.(cloud.TaskDefinitionReader)
	name := "ops-" + r.tag
	if _, err := r.b.CreateCluster(ctx, name, nil); err != nil {
		t.Fatalf("CreateCluster: %v", err)
	}
	tdARN, err := r.b.RegisterTaskDefinition(ctx, r.fargateTaskDef(name))
	if err != nil {
		t.Fatalf("RegisterTaskDefinition: %v", err)
	}
	svc, err := r.b.CreateService(ctx, cloud.ServiceSpec{Cluster: name, Name: "web", TaskDefinition: tdARN, Desired: 1,
		LaunchType: "FARGATE", Subnets: r.fx.Subnets[:1], SecurityGroups: []string{r.fx.SecurityGroup}})
	if err != nil {
		t.Fatalf("CreateService: %v", err)
	}

	got, err := sd.ForceNewDeployment(ctx, name, "web")
	if err != nil {
		t.Fatalf("ForceNewDeployment: %v", err)
	}
	if got.ARN != svc.ARN || got.TaskDefinition != tdARN || got.Desired != 1 {
		t.Errorf("ForceNewDeployment returned %s on %s desired %d, want %s on %s desired 1", got.ARN, got.TaskDefinition, got.Desired, svc.ARN, tdARN)
	}
	_, err = sd.ForceNewDeployment(ctx, name, "nope")
	r.wantCode(err, "ecs", "UpdateService", "ServiceNotFoundException")

	image := strings.TrimSuffix(r.fx.Image, ":stable") + ":contract-" + r.tag
	arn, err := sd.RegisterImageRevision(ctx, name+":1", "web", image)
	if err != nil {
		t.Fatalf("RegisterImageRevision: %v", err)
	}
	if want := fmt.Sprintf(":task-definition/%s:2", name); !strings.HasSuffix(arn, want) {
		t.Errorf("RegisterImageRevision = %q, want …%s", arn, want)
	}
	td, err := tdr.DescribeTaskDefinition(ctx, arn)
	if err != nil {
		t.Fatalf("DescribeTaskDefinition(%s): %v", arn, err)
	}
	if len(td.Containers) != 1 || td.Containers[0].Image != image || !slices.Equal(td.Containers[0].EnvNames, []string{"GREETING"}) ||
		td.CPU != "256" || td.Memory != "512" {
		t.Errorf("the new revision %+v, want a copy with web's image %s", td, image)
	}
	_, err = sd.RegisterImageRevision(ctx, name+":1", "db", image)
	if e := r.wantCode(err, "ecs", "", "ClientException"); e != nil && e.Field != "" && e.Field != "Container" {
		t.Errorf("an unknown container names field %q", e.Field)
	}
	_, err = sd.RegisterImageRevision(ctx, name+":1", "web", "no spaces allowed")
	r.wantInvalid(err, "ecs", "RegisterTaskDefinition", "ClientException", "Image")

	now := time.Now().UTC().Truncate(time.Minute)
	ms, err := mr.ServiceMetrics(ctx, cloud.MetricsQuery{Services: []cloud.ServiceRef{{Cluster: name, Service: "web"}},
		Start: now.Add(-time.Hour), End: now.Add(time.Minute), Period: time.Minute})
	if err != nil {
		t.Fatalf("ServiceMetrics: %v", err)
	}
	if len(ms) != 1 || ms[0].Ref.Service != "web" || len(ms[0].CPU)+len(ms[0].Memory) != 0 {
		t.Errorf("ServiceMetrics of a service without data points = %+v, want one empty answer", ms)
	}

	if err := r.b.DeleteService(ctx, name, "web"); err != nil {
		t.Fatalf("DeleteService: %v", err)
	}
}
