package contract

import (
	"context"
	"testing"

	"deckhand/internal/cloud"
)

// Well-formed ids that exist nowhere.
const (
	unknownInstance = "i-0123456789abcdef0"
	unknownAMI      = "ami-0123456789abcdef0"
	unknownSubnet   = "subnet-0123456789abcdef0"
	unknownGroup    = "sg-0123456789abcdef0"
)

// badInput checks the error codes of bad input: references to things that
// do not exist get the backend's NotFound codes, as AWS gives them; input
// that is wrong in itself is refused by the shared validation (aws.Validate…)
// with the field named, before anything is created.
func (r *run) badInput() {
	t, ctx := r.t, context.Background()
	name := "contract-" + r.tag
	launch := cloud.InstanceSpec{
		Name: name, ImageID: r.fx.ImageID, InstanceType: r.fx.InstanceType, KeyName: r.fx.KeyName,
		SubnetID: r.fx.Subnets[0], SecurityGroupIDs: []string{r.fx.SecurityGroup},
	}
	with := func(f func(*cloud.InstanceSpec)) cloud.InstanceSpec {
		s := launch
		f(&s)
		return s
	}

	cases := []struct {
		name                   string
		call                   func() error
		service, op, code, fld string // fld: validation errors only
	}{
		// AWS answers NotFound for a well-formed id that does not exist,
		// Malformed for one that is not an instance id at all.
		{"stop unknown instance", func() error { return r.b.StopInstances(ctx, unknownInstance) },
			"ec2", "StopInstances", "InvalidInstanceID.NotFound", ""},
		{"start unknown instance", func() error { return r.b.StartInstances(ctx, unknownInstance) },
			"ec2", "StartInstances", "InvalidInstanceID.NotFound", ""},
		{"terminate malformed id", func() error { return r.b.TerminateInstances(ctx, "i-xyz") },
			"ec2", "TerminateInstances", "InvalidInstanceID.Malformed", "InstanceIds[0]"},
		{"stop no ids", func() error { return r.b.StopInstances(ctx) },
			"ec2", "StopInstances", "MissingParameter", "InstanceIds"},
		{"launch with unknown key pair", func() error {
			_, err := r.b.RunInstance(ctx, with(func(s *cloud.InstanceSpec) { s.KeyName = "contract-no-such-key-" + r.tag }))
			return err
		}, "ec2", "RunInstances", "InvalidKeyPair.NotFound", ""},
		{"launch unknown AMI", func() error {
			_, err := r.b.RunInstance(ctx, with(func(s *cloud.InstanceSpec) { s.ImageID = unknownAMI }))
			return err
		}, "ec2", "RunInstances", "InvalidAMIID.NotFound", ""},
		{"launch in unknown subnet", func() error {
			_, err := r.b.RunInstance(ctx, with(func(s *cloud.InstanceSpec) { s.SubnetID = unknownSubnet }))
			return err
		}, "ec2", "RunInstances", "InvalidSubnetID.NotFound", ""},
		{"launch with unknown security group", func() error {
			_, err := r.b.RunInstance(ctx, with(func(s *cloud.InstanceSpec) { s.SecurityGroupIDs = []string{unknownGroup} }))
			return err
		}, "ec2", "RunInstances", "InvalidGroup.NotFound", ""},
		{"launch malformed AMI", func() error {
			_, err := r.b.RunInstance(ctx, with(func(s *cloud.InstanceSpec) { s.ImageID = "ubuntu" }))
			return err
		}, "ec2", "RunInstances", "InvalidAMIID.Malformed", "ImageID"},
		{"launch without name", func() error {
			_, err := r.b.RunInstance(ctx, with(func(s *cloud.InstanceSpec) { s.Name = "" }))
			return err
		}, "ec2", "RunInstances", "MissingParameter", "Name"},

		{"services of unknown cluster", func() error {
			_, err := r.b.Services(ctx, "contract-no-such-cluster")
			return err
		}, "ecs", "", "ClusterNotFoundException", ""},
		{"delete unknown cluster", func() error { return r.b.DeleteCluster(ctx, "contract-no-such-cluster") },
			"ecs", "DeleteCluster", "ClusterNotFoundException", ""},
		{"run task in unknown cluster", func() error {
			_, err := r.b.RunTask(ctx, cloud.RunTaskSpec{Cluster: "contract-no-such-cluster", TaskDefinition: name, Count: 1,
				LaunchType: "FARGATE", Subnets: r.fx.Subnets[:1]})
			return err
		}, "ecs", "RunTask", "ClusterNotFoundException", ""},
		{"create cluster with bad name", func() error {
			_, err := r.b.CreateCluster(ctx, "no spaces", nil)
			return err
		}, "ecs", "CreateCluster", "InvalidParameterException", "Name"},
		// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
		{"Fargate 256 cpu with 4096 memory", func() error {
			s := r.fargateTaskDef(name)
			s.Memory = "4096"
			_, err := r.b.RegisterTaskDefinition(ctx, s)
			return err
		}, "ecs", "RegisterTaskDefinition", "ClientException", "Memory"},
		{"Fargate 1 vCPU with 1 GB", func() error {
			s := r.fargateTaskDef(name)
			s.CPU, s.Memory = "1 vCPU", "1 GB"
			_, err := r.b.RegisterTaskDefinition(ctx, s)
			return err
		}, "ecs", "RegisterTaskDefinition", "ClientException", "Memory"},
		{"task definition without image", func() error {
			s := r.fargateTaskDef(name)
			s.Containers[0].Image = ""
			_, err := r.b.RegisterTaskDefinition(ctx, s)
			return err
		}, "ecs", "RegisterTaskDefinition", "ClientException", "Containers[0].Image"},
		{"Fargate service without subnets", func() error {
			_, err := r.b.CreateService(ctx, cloud.ServiceSpec{Cluster: name, Name: "web", TaskDefinition: name, Desired: 1, LaunchType: "FARGATE"})
			return err
		}, "ecs", "CreateService", "InvalidParameterException", "Subnets"},
	}

	// References into a cluster that exists: an unknown service and task.
	if _, err := r.b.CreateCluster(ctx, name, nil); err != nil {
		t.Fatalf("CreateCluster: %v", err)
	}
	td, err := r.b.RegisterTaskDefinition(ctx, r.fargateTaskDef(name))
	if err != nil {
		t.Fatalf("RegisterTaskDefinition: %v", err)
	}
	cases = append(cases, []struct {
		name                   string
		call                   func() error
		service, op, code, fld string
	}{
		{"service in unknown cluster", func() error {
			_, err := r.b.CreateService(ctx, cloud.ServiceSpec{Cluster: "contract-no-such-cluster", Name: "web", TaskDefinition: td,
				Desired: 1, LaunchType: "FARGATE", Subnets: r.fx.Subnets[:1]})
			return err
		}, "ecs", "CreateService", "ClusterNotFoundException", ""},
		{"delete unknown service", func() error { return r.b.DeleteService(ctx, name, "contract-no-such-service") },
			"ecs", "", "ServiceNotFoundException", ""},
		{"update unknown service", func() error {
			_, err := r.b.UpdateService(ctx, name, "contract-no-such-service", 1, "")
			return err
		}, "ecs", "UpdateService", "ServiceNotFoundException", ""},
	}...)

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sub := *r
			sub.t = t
			err := c.call()
			if c.fld != "" {
				sub.wantInvalid(err, c.service, c.op, c.code, c.fld)
			} else {
				sub.wantCode(err, c.service, c.op, c.code)
			}
		})
	}

	// AWS: "InvalidParameterException: The referenced task was not found."
	t.Run("stop unknown task", func(t *testing.T) {
		sub := *r
		sub.t = t
		if sub.quirk(r.tg.Quirks.StopUnknownTaskFails, "StopUnknownTaskFails", "StopTask of an unknown task is InvalidParameterException") {
			return
		}
		err := r.b.StopTask(ctx, name, "0123456789abcdef0123456789abcdef", "")
		sub.wantCode(err, "ecs", "StopTask", "InvalidParameterException")
	})
}
