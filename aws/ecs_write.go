package aws

import (
	"deckhand/internal/cloud"

	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"deckhand/internal/resource"
)

// CreateCluster creates an ECS cluster with tags. Creating a cluster that
// exists returns it unchanged (ECS's CreateCluster is idempotent by name).
func (c *Client) CreateCluster(ctx context.Context, name string, tags map[string]string) (resource.Cluster, error) {
	if c.readonly {
		return resource.Cluster{}, cloud.ErrReadonly
	}
	if err := cloud.ValidateCreateCluster(name, tags); err != nil {
		return resource.Cluster{}, err
	}
	out, err := c.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: sdkaws.String(name), Tags: ecsTags(tags)})
	if err != nil {
		return resource.Cluster{}, wrap("ecs", "CreateCluster", err)
	}
	if out.Cluster == nil {
		return resource.Cluster{}, &cloud.Error{Service: "ecs", Operation: "CreateCluster", Message: "ECS returned no cluster"}
	}
	return toCluster(*out.Cluster), nil
}

// DeleteCluster deletes a cluster (it turns INACTIVE). AWS refuses while
// the cluster has services (ClusterContainsServicesException) or tasks
// (ClusterContainsTasksException): delete those first.
func (c *Client) DeleteCluster(ctx context.Context, cluster string) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateClusterRef("DeleteCluster", cluster); err != nil {
		return err
	}
	_, err := c.ecs.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: sdkaws.String(cluster)})
	return wrap("ecs", "DeleteCluster", err)
}

// RegisterTaskDefinition registers a new revision of spec.Family and returns
// its ARN (…:task-definition/FAMILY:REVISION). A Fargate spec gets
// requiresCompatibilities FARGATE and the awsvpc network mode (also when
// NetworkMode is ""). A container with LogGroup logs through the awslogs
// driver to that group (in LogRegion, or the client's region when it is
// ""); the group must exist.
func (c *Client) RegisterTaskDefinition(ctx context.Context, spec cloud.TaskDefSpec) (string, error) {
	if c.readonly {
		return "", cloud.ErrReadonly
	}
	if err := cloud.ValidateTaskDef(spec); err != nil {
		return "", err
	}
	in := &ecs.RegisterTaskDefinitionInput{
		Family: sdkaws.String(spec.Family),
		Tags:   ecsTags(spec.Tags),
	}
	if spec.CPU != "" {
		in.Cpu = sdkaws.String(spec.CPU)
	}
	if spec.Memory != "" {
		in.Memory = sdkaws.String(spec.Memory)
	}
	mode := spec.NetworkMode
	if mode == "" && spec.Fargate {
		mode = "awsvpc"
	}
	in.NetworkMode = types.NetworkMode(mode)
	if spec.Fargate {
		in.RequiresCompatibilities = []types.Compatibility{types.CompatibilityFargate}
	}
	if spec.ExecutionRoleARN != "" {
		in.ExecutionRoleArn = sdkaws.String(spec.ExecutionRoleARN)
	}
	for _, ct := range spec.Containers {
		in.ContainerDefinitions = append(in.ContainerDefinitions, c.containerDef(ct))
	}
	out, err := c.ecs.RegisterTaskDefinition(ctx, in)
	if err != nil {
		return "", wrap("ecs", "RegisterTaskDefinition", err)
	}
	if out.TaskDefinition == nil {
		return "", &cloud.Error{Service: "ecs", Operation: "RegisterTaskDefinition", Message: "ECS returned no task definition"}
	}
	return sdkaws.ToString(out.TaskDefinition.TaskDefinitionArn), nil
}

func (c *Client) containerDef(ct cloud.ContainerSpec) types.ContainerDefinition {
	d := types.ContainerDefinition{
		Name:      sdkaws.String(ct.Name),
		Image:     sdkaws.String(ct.Image),
		Essential: sdkaws.Bool(ct.Essential),
	}
	if ct.MemoryReservation > 0 {
		d.MemoryReservation = sdkaws.Int32(ct.MemoryReservation)
	}
	if ct.Port > 0 {
		// No host port: awsvpc and host mode use the container port, bridge
		// mode picks a dynamic one.
		d.PortMappings = []types.PortMapping{{ContainerPort: sdkaws.Int32(ct.Port), Protocol: types.TransportProtocolTcp}}
	}
	for _, k := range slices.Sorted(maps.Keys(ct.Env)) {
		d.Environment = append(d.Environment, types.KeyValuePair{Name: sdkaws.String(k), Value: sdkaws.String(ct.Env[k])})
	}
	if len(ct.HealthCommand) > 0 {
		// Interval, timeout, retries: ECS's defaults (30 s, 5 s, 3).
		d.HealthCheck = &types.HealthCheck{Command: ct.HealthCommand}
	}
	if ct.LogGroup != "" {
		region := ct.LogRegion
		if region == "" {
			region = c.Region()
		}
		opts := map[string]string{"awslogs-group": ct.LogGroup, "awslogs-region": region}
		if ct.LogPrefix != "" {
			opts["awslogs-stream-prefix"] = ct.LogPrefix
		}
		d.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: opts}
	}
	return d
}

// CreateService creates a service. With Subnets it runs in awsvpc mode in
// those subnets and security groups (with a public IP when PublicIP); with
// CircuitBreaker a deployment whose tasks keep failing is stopped and rolled
// back to the last working one. With LoadBalancer, ECS registers each
// task's IP and container port in the target group, and ignores the
// group's health checks of a new task for HealthCheckGrace seconds. Tags go on the service and are propagated
// to its tasks. A ClientToken makes a retried request return the same
// service instead of failing as a duplicate.
func (c *Client) CreateService(ctx context.Context, spec cloud.ServiceSpec) (resource.Service, error) {
	if c.readonly {
		return resource.Service{}, cloud.ErrReadonly
	}
	if err := cloud.ValidateServiceSpec(spec); err != nil {
		return resource.Service{}, err
	}
	in := &ecs.CreateServiceInput{
		Cluster:              sdkaws.String(spec.Cluster),
		ServiceName:          sdkaws.String(spec.Name),
		TaskDefinition:       sdkaws.String(spec.TaskDefinition),
		DesiredCount:         sdkaws.Int32(spec.Desired),
		LaunchType:           types.LaunchType(spec.LaunchType),
		NetworkConfiguration: networkConfig(spec.Subnets, spec.SecurityGroups, spec.PublicIP),
		Tags:                 ecsTags(spec.Tags),
		PropagateTags:        types.PropagateTagsService,
		ClientToken:          sdkaws.String(newToken()),
	}
	if lb := spec.LoadBalancer; lb != nil {
		in.LoadBalancers = []types.LoadBalancer{{
			TargetGroupArn: sdkaws.String(lb.TargetGroupARN),
			ContainerName:  sdkaws.String(lb.ContainerName),
			ContainerPort:  sdkaws.Int32(lb.ContainerPort),
		}}
		// Sent only with a load balancer: ECS refuses a grace period
		// without one (and ValidateServiceSpec refuses it first).
		if spec.HealthCheckGrace > 0 {
			in.HealthCheckGracePeriodSeconds = sdkaws.Int32(spec.HealthCheckGrace)
		}
	}
	if spec.CircuitBreaker {
		in.DeploymentConfiguration = &types.DeploymentConfiguration{
			DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true},
		}
	}
	out, err := c.ecs.CreateService(ctx, in)
	if err != nil {
		return resource.Service{}, wrap("ecs", "CreateService", err)
	}
	if out.Service == nil {
		return resource.Service{}, &cloud.Error{Service: "ecs", Operation: "CreateService", Message: "ECS returned no service"}
	}
	return toService(*out.Service, ""), nil
}

// UpdateService sets a service's desired count and, when taskDef is not "",
// starts a deployment of that task definition.
func (c *Client) UpdateService(ctx context.Context, cluster, service string, desired int32, taskDef string) (resource.Service, error) {
	if c.readonly {
		return resource.Service{}, cloud.ErrReadonly
	}
	if err := cloud.ValidateUpdateService(cluster, service, desired, taskDef); err != nil {
		return resource.Service{}, err
	}
	in := &ecs.UpdateServiceInput{
		Cluster:      sdkaws.String(cluster),
		Service:      sdkaws.String(service),
		DesiredCount: sdkaws.Int32(desired),
	}
	if taskDef != "" {
		in.TaskDefinition = sdkaws.String(taskDef)
	}
	out, err := c.ecs.UpdateService(ctx, in)
	if err != nil {
		return resource.Service{}, wrap("ecs", "UpdateService", err)
	}
	if out.Service == nil {
		return resource.Service{}, &cloud.Error{Service: "ecs", Operation: "UpdateService", Message: "ECS returned no service"}
	}
	return toService(*out.Service, cluster), nil
}

// DeleteService deletes a service in two calls, as the ECS console does:
// UpdateService to desired count 0, so that ECS stops the tasks through the
// scheduler, then DeleteService with force, so that the deletion does not
// depend on the scale-down having finished (without force AWS refuses a
// service that is still scaled above 0). The service turns DRAINING, then
// INACTIVE once its tasks are gone. A service that is already draining
// skips the scale-down (AWS: ServiceNotActiveException) and gets
// DeleteService's own answer. It needs ecs:UpdateService and
// ecs:DeleteService.
func (c *Client) DeleteService(ctx context.Context, cluster, service string) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateServiceRef("DeleteService", cluster, service); err != nil {
		return err
	}
	_, err := c.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster: sdkaws.String(cluster), Service: sdkaws.String(service), DesiredCount: sdkaws.Int32(0),
	})
	var api smithy.APIError
	if err != nil && !(errors.As(err, &api) && api.ErrorCode() == "ServiceNotActiveException") {
		return wrap("ecs", "UpdateService", err)
	}
	_, err = c.ecs.DeleteService(ctx, &ecs.DeleteServiceInput{
		Cluster: sdkaws.String(cluster), Service: sdkaws.String(service), Force: sdkaws.Bool(true),
	})
	return wrap("ecs", "DeleteService", err)
}

// RunTask starts spec.Count standalone tasks, which carry the task
// definition's tags. ECS reports tasks it could not place as failures
// rather than an error: those come back as an *Error (Code is the first
// failure's reason, e.g. "RESOURCE:MEMORY") next to the tasks that did
// start. The SDK fills in a ClientToken, so a retry starts nothing twice.
func (c *Client) RunTask(ctx context.Context, spec cloud.RunTaskSpec) ([]resource.Task, error) {
	if c.readonly {
		return nil, cloud.ErrReadonly
	}
	if err := cloud.ValidateRunTaskSpec(spec); err != nil {
		return nil, err
	}
	in := &ecs.RunTaskInput{
		Cluster:              sdkaws.String(spec.Cluster),
		TaskDefinition:       sdkaws.String(spec.TaskDefinition),
		Count:                sdkaws.Int32(spec.Count),
		LaunchType:           types.LaunchType(spec.LaunchType),
		NetworkConfiguration: networkConfig(spec.Subnets, spec.SecurityGroups, spec.PublicIP),
		PropagateTags:        types.PropagateTagsTaskDefinition,
		StartedBy:            sdkaws.String("deckhand"),
	}
	if spec.Group != "" {
		in.Group = sdkaws.String(spec.Group)
	}
	out, err := c.ecs.RunTask(ctx, in)
	if err != nil {
		return nil, wrap("ecs", "RunTask", err)
	}
	tasks := make([]resource.Task, 0, len(out.Tasks))
	for _, t := range out.Tasks {
		tasks = append(tasks, toTask(t, ""))
	}
	if len(out.Failures) > 0 {
		return tasks, placementError(out.Failures, len(out.Tasks))
	}
	return tasks, nil
}

func placementError(fs []types.Failure, started int) *cloud.Error {
	var msgs []string
	for _, f := range fs {
		m := sdkaws.ToString(f.Reason)
		if d := sdkaws.ToString(f.Detail); d != "" {
			m += " (" + d + ")"
		}
		msgs = append(msgs, m)
	}
	return &cloud.Error{
		Service: "ecs", Operation: "RunTask", Code: sdkaws.ToString(fs[0].Reason),
		Message: "started " + strconv.Itoa(started) + " task(s); could not start the others: " + strings.Join(msgs, "; "),
	}
}

// StopTask stops a task; reason ("" = ECS's default) becomes its
// stoppedReason, and its stopCode is UserInitiated.
func (c *Client) StopTask(ctx context.Context, cluster, task, reason string) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateStopTask(cluster, task, reason); err != nil {
		return err
	}
	in := &ecs.StopTaskInput{Cluster: sdkaws.String(cluster), Task: sdkaws.String(task)}
	if reason != "" {
		in.Reason = sdkaws.String(reason)
	}
	_, err := c.ecs.StopTask(ctx, in)
	return wrap("ecs", "StopTask", err)
}

// networkConfig is the awsvpc configuration, or nil without subnets.
func networkConfig(subnets, groups []string, publicIP bool) *types.NetworkConfiguration {
	if len(subnets) == 0 {
		return nil
	}
	assign := types.AssignPublicIpDisabled
	if publicIP {
		assign = types.AssignPublicIpEnabled
	}
	return &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
		Subnets: subnets, SecurityGroups: groups, AssignPublicIp: assign,
	}}
}

// ecsTags converts tags, sorted by key so requests are reproducible.
func ecsTags(tags map[string]string) []types.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]types.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, types.Tag{Key: sdkaws.String(k), Value: sdkaws.String(tags[k])})
	}
	return out
}

// newToken is a ClientToken for calls the SDK does not fill one in for
// (ECS allows up to 36 characters).
func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return hex.EncodeToString(b)
}
