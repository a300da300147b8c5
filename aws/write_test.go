package aws

import (
	"deckhand/internal/cloud"

	"context"
	"encoding/base64"
	"maps"
	"slices"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// defaultNetwork is a default subnet of moto's default VPC and its default
// security group.
func (f *fixture) defaultNetwork(t *testing.T) (subnet, group string) {
	t.Helper()
	ctx := context.Background()
	sn, err := f.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: sdkaws.String("default-for-az"), Values: []string{"true"}}},
	})
	if err != nil || len(sn.Subnets) == 0 {
		t.Fatalf("DescribeSubnets: %v", err)
	}
	sg, err := f.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: sdkaws.String("group-name"), Values: []string{"default"}},
		{Name: sdkaws.String("vpc-id"), Values: []string{sdkaws.ToString(sn.Subnets[0].VpcId)}},
	}})
	if err != nil || len(sg.SecurityGroups) == 0 {
		t.Fatalf("DescribeSecurityGroups: %v", err)
	}
	return sdkaws.ToString(sn.Subnets[0].SubnetId), sdkaws.ToString(sg.SecurityGroups[0].GroupId)
}

// TestWritesAgainstMoto creates every kind of resource through the adapter
// and reads it back with the SDK directly. One moto serves both groups.
func TestWritesAgainstMoto(t *testing.T) {
	f := newFixture(t)
	subnet, group := f.defaultNetwork(t)
	t.Run("ec2", func(t *testing.T) {
		t.Parallel()
		testEC2Writes(t, f, subnet, group)
	})
	t.Run("ecs", func(t *testing.T) {
		t.Parallel()
		testECSWrites(t, f, subnet, group)
	})
}

func testEC2Writes(t *testing.T, f *fixture, subnet, group string) {
	ctx := context.Background()
	c, rec := recordingClient(t, Options{EndpointURL: f.m.URL, Region: "us-east-1"})
	ami := f.ami(t)
	if _, err := f.ec2.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: sdkaws.String("write-key")}); err != nil {
		t.Fatal(err)
	}
	userData := "#cloud-config\nruncmd:\n  - echo 'héllo wörld' > /tmp/greeting\n"
	spec := cloud.InstanceSpec{
		Name: "web-1", ImageID: ami, InstanceType: "t3.small", KeyName: "write-key",
		SubnetID: subnet, SecurityGroupIDs: []string{group}, UserData: userData,
		Tags: map[string]string{"deckhand:stack": "demo", "team": "deck"},
	}
	inst, err := c.RunInstance(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	wantTags := map[string]string{"Name": "web-1", "deckhand:stack": "demo", "team": "deck"}
	if inst.Name != "web-1" || inst.State != "pending" || !maps.Equal(inst.Tags, wantTags) || inst.SubnetID != subnet {
		t.Errorf("RunInstance returned %+v", inst)
	}

	// Read back with the SDK: tags, settings, user data, volume tags.
	d, err := f.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{inst.ID}})
	if err != nil {
		t.Fatal(err)
	}
	got := d.Reservations[0].Instances[0]
	if tags := ec2TagMap(got.Tags); !maps.Equal(tags, wantTags) {
		t.Errorf("instance tags = %v, want %v", tags, wantTags)
	}
	if got.InstanceType != "t3.small" || sdkaws.ToString(got.ImageId) != ami || sdkaws.ToString(got.KeyName) != "write-key" ||
		sdkaws.ToString(got.SubnetId) != subnet || len(got.SecurityGroups) != 1 || sdkaws.ToString(got.SecurityGroups[0].GroupId) != group {
		t.Errorf("instance = type %s image %s key %s subnet %s groups %v", got.InstanceType, sdkaws.ToString(got.ImageId),
			sdkaws.ToString(got.KeyName), sdkaws.ToString(got.SubnetId), got.SecurityGroups)
	}
	ud, err := f.ec2.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{
		InstanceId: sdkaws.String(inst.ID), Attribute: ec2types.InstanceAttributeNameUserData,
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(sdkaws.ToString(ud.UserData.Value))
	if err != nil || string(raw) != userData {
		t.Errorf("user data = %q (%v), want %q", raw, err, userData)
	}
	vols, err := f.ec2.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{Filters: []ec2types.Filter{
		{Name: sdkaws.String("attachment.instance-id"), Values: []string{inst.ID}},
	}})
	if err != nil || len(vols.Volumes) == 0 {
		t.Fatalf("DescribeVolumes: %v (%d volumes)", err, len(vols.Volumes))
	}
	for _, v := range vols.Volumes {
		if tags := ec2TagMap(v.Tags); !maps.Equal(tags, wantTags) {
			t.Errorf("volume %s tags = %v, want %v", sdkaws.ToString(v.VolumeId), tags, wantTags)
		}
	}
	// The SDK filled in a ClientToken, so a retry cannot launch twice.
	if tok := last[*ec2.RunInstancesInput](t, rec, "RunInstances").ClientToken; sdkaws.ToString(tok) == "" {
		t.Error("RunInstances sent no ClientToken")
	}

	// Stop, start, terminate: moto sets the final state at once.
	for _, step := range []struct {
		name string
		call func(context.Context, ...string) error
		want ec2types.InstanceStateName
	}{
		{"stop", c.StopInstances, ec2types.InstanceStateNameStopped},
		{"start", c.StartInstances, ec2types.InstanceStateNameRunning},
		{"terminate", c.TerminateInstances, ec2types.InstanceStateNameTerminated},
	} {
		if err := step.call(ctx, inst.ID); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		d, err := f.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{inst.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if s := d.Reservations[0].Instances[0].State.Name; s != step.want {
			t.Errorf("after %s: %s, want %s", step.name, s, step.want)
		}
	}
}

func ec2TagMap(tags []ec2types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
	}
	return m
}

func ecsTagMap(tags []ecstypes.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
	}
	return m
}

func testECSWrites(t *testing.T, f *fixture, subnet, group string) {
	ctx := context.Background()
	c, rec := recordingClient(t, Options{EndpointURL: f.m.URL, Region: "us-east-1"})
	stack := map[string]string{"deckhand:stack": "demo"}

	cl, err := c.CreateCluster(ctx, "demo", stack)
	if err != nil {
		t.Fatal(err)
	}
	if cl.Name != "demo" || cl.Status != "ACTIVE" {
		t.Errorf("CreateCluster returned %+v", cl)
	}
	ct, err := f.ecs.ListTagsForResource(ctx, &ecs.ListTagsForResourceInput{ResourceArn: sdkaws.String(cl.ARN)})
	if err != nil || !maps.Equal(ecsTagMap(ct.Tags), stack) {
		t.Errorf("cluster tags = %v (%v), want %v", ct, err, stack)
	}

	spec := cloud.TaskDefSpec{
		Family: "demo", CPU: "512", Memory: "1024", Fargate: true, // NetworkMode "" = awsvpc
		ExecutionRoleARN: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
		Containers: []cloud.ContainerSpec{{
			Name: "web", Image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo:1", Port: 5000, Essential: true,
			MemoryReservation: 256,
			Env:               map[string]string{"PORT": "5000", "APP_NAME": "demo"},
			HealthCommand:     []string{"CMD-SHELL", "python3 -c 'import urllib.request as u; u.urlopen(\"http://localhost:5000/health\")'"},
			LogGroup:          "/deckhand/demo", LogPrefix: "demo", // LogRegion "" = the client's
		}},
		Tags: stack,
	}
	tdARN, err := c.RegisterTaskDefinition(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	td, err := f.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
		TaskDefinition: sdkaws.String(tdARN), Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags},
	})
	if err != nil {
		t.Fatal(err)
	}
	def := td.TaskDefinition
	if !slices.Equal(def.RequiresCompatibilities, []ecstypes.Compatibility{"FARGATE"}) || def.NetworkMode != "awsvpc" ||
		sdkaws.ToString(def.Cpu) != "512" || sdkaws.ToString(def.Memory) != "1024" ||
		sdkaws.ToString(def.ExecutionRoleArn) != spec.ExecutionRoleARN || !maps.Equal(ecsTagMap(td.Tags), stack) {
		t.Errorf("task definition: compat %v mode %s cpu %s memory %s role %s tags %v", def.RequiresCompatibilities, def.NetworkMode,
			sdkaws.ToString(def.Cpu), sdkaws.ToString(def.Memory), sdkaws.ToString(def.ExecutionRoleArn), td.Tags)
	}
	if len(def.ContainerDefinitions) != 1 {
		t.Fatalf("%d containers, want 1", len(def.ContainerDefinitions))
	}
	cd := def.ContainerDefinitions[0]
	if sdkaws.ToString(cd.Name) != "web" || sdkaws.ToString(cd.Image) != spec.Containers[0].Image || !sdkaws.ToBool(cd.Essential) ||
		sdkaws.ToInt32(cd.MemoryReservation) != 256 {
		t.Errorf("container: name %s image %s essential %v reservation %d", sdkaws.ToString(cd.Name), sdkaws.ToString(cd.Image),
			sdkaws.ToBool(cd.Essential), sdkaws.ToInt32(cd.MemoryReservation))
	}
	if len(cd.PortMappings) != 1 || sdkaws.ToInt32(cd.PortMappings[0].ContainerPort) != 5000 || cd.PortMappings[0].Protocol != "tcp" {
		t.Errorf("port mappings = %+v", cd.PortMappings)
	}
	var env []string
	for _, kv := range cd.Environment {
		env = append(env, sdkaws.ToString(kv.Name)+"="+sdkaws.ToString(kv.Value))
	}
	if want := []string{"APP_NAME=demo", "PORT=5000"}; !slices.Equal(env, want) {
		t.Errorf("environment = %v, want %v (sorted)", env, want)
	}
	if cd.HealthCheck == nil || !slices.Equal(cd.HealthCheck.Command, spec.Containers[0].HealthCommand) {
		t.Errorf("health check = %+v", cd.HealthCheck)
	}
	wantLog := map[string]string{"awslogs-group": "/deckhand/demo", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "demo"}
	if cd.LogConfiguration == nil || cd.LogConfiguration.LogDriver != "awslogs" || !maps.Equal(cd.LogConfiguration.Options, wantLog) {
		t.Errorf("log configuration = %+v, want awslogs %v", cd.LogConfiguration, wantLog)
	}

	svc, err := c.CreateService(ctx, cloud.ServiceSpec{
		Cluster: "demo", Name: "web", TaskDefinition: tdARN, Desired: 1, LaunchType: "FARGATE",
		Subnets: []string{subnet}, SecurityGroups: []string{group}, PublicIP: true, CircuitBreaker: true, Tags: stack,
	})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Name != "web" || svc.Desired != 1 || svc.ClusterARN != cl.ARN || svc.TaskDefinition != tdARN {
		t.Errorf("CreateService returned %+v", svc)
	}
	ds, err := f.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{
		Cluster: sdkaws.String("demo"), Services: []string{"web"}, Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags},
	})
	if err != nil || len(ds.Services) != 1 {
		t.Fatalf("DescribeServices: %v", err)
	}
	s := ds.Services[0]
	if nc := s.NetworkConfiguration; nc == nil || nc.AwsvpcConfiguration == nil ||
		!slices.Equal(nc.AwsvpcConfiguration.Subnets, []string{subnet}) || !slices.Equal(nc.AwsvpcConfiguration.SecurityGroups, []string{group}) ||
		nc.AwsvpcConfiguration.AssignPublicIp != ecstypes.AssignPublicIpEnabled {
		t.Errorf("network configuration = %+v", nc)
	}
	if s.LaunchType != "FARGATE" || s.PropagateTags != ecstypes.PropagateTagsService || !maps.Equal(ecsTagMap(s.Tags), stack) {
		t.Errorf("service: launch type %s propagate %s tags %v", s.LaunchType, s.PropagateTags, ecsTagMap(s.Tags))
	}
	// moto (5.x) drops deploymentConfiguration, so the request is checked.
	sent := last[*ecs.CreateServiceInput](t, rec, "CreateService")
	if dc := sent.DeploymentConfiguration; dc == nil || dc.DeploymentCircuitBreaker == nil ||
		!dc.DeploymentCircuitBreaker.Enable || !dc.DeploymentCircuitBreaker.Rollback {
		t.Errorf("CreateService sent deployment configuration %+v, want circuit breaker with rollback", dc)
	}
	if tok := sdkaws.ToString(sent.ClientToken); tok == "" || len(tok) > 36 {
		t.Errorf("CreateService ClientToken = %q, want 1–36 characters", tok)
	}

	// A new revision and a new desired count.
	spec.Containers[0].Image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo:2"
	td2, err := c.RegisterTaskDefinition(ctx, spec)
	if err != nil || !strings.HasSuffix(td2, ":task-definition/demo:2") {
		t.Fatalf("second revision: %q %v", td2, err)
	}
	if _, err := c.UpdateService(ctx, "demo", "web", 3, td2); err != nil {
		t.Fatal(err)
	}
	ds, err = f.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: sdkaws.String("demo"), Services: []string{"web"}})
	if err != nil || ds.Services[0].DesiredCount != 3 || !strings.HasSuffix(sdkaws.ToString(ds.Services[0].TaskDefinition), "/demo:2") {
		t.Errorf("after UpdateService: %v desired %d task definition %s", err, ds.Services[0].DesiredCount, sdkaws.ToString(ds.Services[0].TaskDefinition))
	}

	testTaskWrites(t, f, c, rec, cl.ARN, tdARN, subnet, group)

	// DeleteService scales to 0, then force-deletes.
	before := len(rec.ops())
	if err := c.DeleteService(ctx, "demo", "web"); err != nil {
		t.Fatal(err)
	}
	if ops := rec.ops()[before:]; !slices.Equal(ops, []string{"UpdateService", "DeleteService"}) {
		t.Errorf("DeleteService sent %v, want UpdateService then DeleteService", ops)
	}
	if u := last[*ecs.UpdateServiceInput](t, rec, "UpdateService"); sdkaws.ToInt32(u.DesiredCount) != 0 || u.TaskDefinition != nil {
		t.Errorf("scale-down sent desired %d task definition %v", sdkaws.ToInt32(u.DesiredCount), u.TaskDefinition)
	}
	if d := last[*ecs.DeleteServiceInput](t, rec, "DeleteService"); !sdkaws.ToBool(d.Force) {
		t.Error("DeleteService without force")
	}
	ds, err = f.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: sdkaws.String("demo"), Services: []string{"web"}})
	if err != nil || len(ds.Services) != 1 || sdkaws.ToString(ds.Services[0].Status) != "INACTIVE" || ds.Services[0].DesiredCount != 0 {
		t.Errorf("after DeleteService: %v %+v", err, ds.Services)
	}
	// Deleting it again: the scale-down meets an inactive service, which
	// is not an error of its own; DeleteService gives the answer.
	if err := c.DeleteService(ctx, "demo", "web"); err != nil {
		t.Logf("second DeleteService: %v", err)
	}

	if err := c.DeleteCluster(ctx, cl.ARN); err != nil {
		t.Fatal(err)
	}
	dc, err := f.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{cl.ARN}})
	if err != nil || len(dc.Clusters) != 1 || sdkaws.ToString(dc.Clusters[0].Status) != "INACTIVE" {
		t.Errorf("after DeleteCluster: %v %+v", err, dc.Clusters)
	}
}

func testTaskWrites(t *testing.T, f *fixture, c *Client, rec *recorder, clusterARN, tdARN, subnet, group string) {
	ctx := context.Background()
	tasks, err := c.RunTask(ctx, cloud.RunTaskSpec{
		Cluster: clusterARN, TaskDefinition: tdARN, Count: 2, LaunchType: "FARGATE", Group: "migrate",
		Subnets: []string{subnet}, SecurityGroups: []string{group},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 2 || tasks[0].Group != "migrate" || tasks[0].TaskDefinition != tdARN || tasks[0].ClusterARN != clusterARN ||
		tasks[0].LaunchType != "FARGATE" || tasks[0].ID == "" {
		t.Errorf("RunTask returned %+v", tasks)
	}
	sent := last[*ecs.RunTaskInput](t, rec, "RunTask")
	if sdkaws.ToString(sent.StartedBy) != "deckhand" || sent.PropagateTags != ecstypes.PropagateTagsTaskDefinition ||
		sent.NetworkConfiguration == nil || sent.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp != ecstypes.AssignPublicIpDisabled {
		t.Errorf("RunTask sent startedBy %q propagate %s network %+v", sdkaws.ToString(sent.StartedBy), sent.PropagateTags, sent.NetworkConfiguration)
	}

	if err := c.StopTask(ctx, clusterARN, tasks[0].ARN, "done migrating"); err != nil {
		t.Fatal(err)
	}
	dt, err := f.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: sdkaws.String(clusterARN), Tasks: []string{tasks[0].ARN}})
	if err != nil || len(dt.Tasks) != 1 {
		t.Fatalf("DescribeTasks: %v", err)
	}
	if got := dt.Tasks[0]; sdkaws.ToString(got.DesiredStatus) != "STOPPED" || sdkaws.ToString(got.StoppedReason) != "done migrating" {
		t.Errorf("stopped task: desired %s reason %q", sdkaws.ToString(got.DesiredStatus), sdkaws.ToString(got.StoppedReason))
	}
	if err := c.StopTask(ctx, clusterARN, tasks[1].ARN, ""); err != nil {
		t.Fatal(err)
	}
	if r := last[*ecs.StopTaskInput](t, rec, "StopTask").Reason; r != nil {
		t.Errorf("StopTask with reason \"\" sent %q; ECS's default should apply", *r)
	}
}
