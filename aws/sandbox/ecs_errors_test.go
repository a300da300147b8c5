package sandbox

import (
	"context"
	"errors"
	"strings"
	"testing"

	"deckhand/internal/cloud"
)

// TestECSErrors covers the checks only a backend can make (references,
// state), with AWS's codes and messages; the checks of input alone are the
// shared aws.Validate… functions, run by the contract suite.
func TestECSErrors(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	sub := []string{ids.subnet}
	ec2Def, err := a.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{Family: "onec2", Memory: "512",
		Containers: []cloud.ContainerSpec{{Name: "app", Image: "nginx", Essential: true}}})
	mustNil(t, err)
	web := "web"
	_, err = a.RunTask(ctx, cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: web, Count: 1, LaunchType: "FARGATE", Subnets: sub})
	mustNil(t, err)
	_, err = a.CreateCluster(ctx, "empty", nil)
	mustNil(t, err)
	_, err = a.RunTask(ctx, cloud.RunTaskSpec{Cluster: "empty", TaskDefinition: web, Count: 1, LaunchType: "FARGATE", Subnets: sub})
	mustNil(t, err)
	svc := func(mod func(*cloud.ServiceSpec)) error {
		s := cloud.ServiceSpec{Cluster: "demo", Name: "new", TaskDefinition: web, Desired: 1, LaunchType: "FARGATE", Subnets: sub}
		mod(&s)
		_, err := a.CreateService(ctx, s)
		return err
	}
	tests := []struct {
		name, code, msg string
		err             error
	}{
		{"service name taken", "InvalidParameterException", "Creation of service was not idempotent.",
			svc(func(s *cloud.ServiceSpec) { s.Name = "web" })},
		{"unknown task definition", "ClientException", "Unable to describe task definition.",
			svc(func(s *cloud.ServiceSpec) { s.TaskDefinition = "nope:3" })},
		{"EC2 task definition on Fargate", "InvalidParameterException", "Task definition does not support launch_type FARGATE.",
			svc(func(s *cloud.ServiceSpec) { s.TaskDefinition = ec2Def })},
		{"unknown subnet", "InvalidParameterException", "The subnet ID 'subnet-0123456789abcdef0' does not exist",
			svc(func(s *cloud.ServiceSpec) { s.Subnets = []string{"subnet-0123456789abcdef0"} })},
		{"unknown security group", "InvalidParameterException", "The security group 'sg-0123456789abcdef0' does not exist",
			svc(func(s *cloud.ServiceSpec) { s.SecurityGroups = []string{"sg-0123456789abcdef0"} })},
		{"cluster with services", "ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.",
			a.DeleteCluster(ctx, "demo")},
		{"cluster with tasks", "ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.",
			a.DeleteCluster(ctx, "empty")},
		{"no container instances", "InvalidParameterException", "No Container Instances were found in your cluster.",
			func() error {
				_, err := a.RunTask(ctx, cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: ec2Def, Count: 1, LaunchType: "EC2"})
				return err
			}()},
		{"tasks of unknown cluster", "ClusterNotFoundException", "Cluster not found.",
			func() error { _, err := a.Tasks(ctx, "nope"); return err }()},
		{"stop task in unknown cluster", "ClusterNotFoundException", "Cluster not found.", a.StopTask(ctx, "nope", "abc", "")},
		{"update to unknown task definition", "ClientException", "Unable to describe task definition.",
			func() error { _, err := a.UpdateService(ctx, "demo", "web", 2, "nope"); return err }()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e *cloud.Error
			if !errors.As(tc.err, &e) || e.Service != "ecs" || e.Code != tc.code || !strings.Contains(e.Message, tc.msg) {
				t.Fatalf("got %v, want ecs %s: %s", tc.err, tc.code, tc.msg)
			}
		})
	}

	// A draining service takes no updates.
	mustNil(t, a.DeleteService(ctx, "demo", "web"))
	_, err = a.UpdateService(ctx, "demo", "web", 1, "")
	if awsCode(err) != "ServiceNotActiveException" {
		t.Errorf("UpdateService of a draining service: %v, want ServiceNotActiveException", err)
	}
}

// An EC2 service cannot place tasks in a cluster without container
// instances, and says so once.
func TestEC2ServiceUnplaced(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	td, err := a.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{Family: "onec2", Memory: "512",
		Containers: []cloud.ContainerSpec{{Name: "app", Image: "nginx", Essential: true}}})
	mustNil(t, err)
	s, err := a.CreateService(ctx, cloud.ServiceSpec{Cluster: "demo", Name: "placed", TaskDefinition: td, Desired: 1, LaunchType: "EC2"})
	mustNil(t, err)
	if !strings.Contains(s.LastEvent.Message, "was unable to place a task because no container instance met all of its requirements") ||
		s.Pending != 0 || s.Rollout != "IN_PROGRESS" {
		t.Errorf("service %+v", s)
	}
}

// Task sizes are stored as ECS stores them.
func TestTaskDefSizes(t *testing.T) {
	clk := newClock()
	a := open(t, clk)
	for _, tc := range []struct{ cpu, mem, wantCPU, wantMem string }{
		{"256", "512", "256", "512"},
		{".25 vCPU", "2 GB", "256", "2048"},
		{"4 vcpu", "30GB", "4096", "30720"},
	} {
		_, err := a.RegisterTaskDefinition(context.Background(), cloud.TaskDefSpec{Family: "size", CPU: tc.cpu, Memory: tc.mem, Fargate: true,
			Containers: []cloud.ContainerSpec{{Name: "app", Image: "nginx", Essential: true}}})
		mustNil(t, err)
		mustNil(t, a.view(context.Background(), func(w *world, r *region) error {
			td := r.taskDef("size")
			if td.CPU != tc.wantCPU || td.Memory != tc.wantMem || td.NetworkMode != "awsvpc" {
				t.Errorf("%s/%s stored as %s/%s %s, want %s/%s awsvpc", tc.cpu, tc.mem, td.CPU, td.Memory, td.NetworkMode, tc.wantCPU, tc.wantMem)
			}
			return nil
		}))
	}
}
