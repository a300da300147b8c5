package aws

import (
	"context"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// The on-call deployment actions (cloud.ServiceDeployer).

// ForceNewDeployment is UpdateService with forceNewDeployment: ECS starts a
// deployment of the same task definition and replaces every task. It needs
// ecs:UpdateService.
func (c *Client) ForceNewDeployment(ctx context.Context, cluster, service string) (resource.Service, error) {
	if c.readonly {
		return resource.Service{}, cloud.ErrReadonly
	}
	if err := cloud.ValidateServiceRef("UpdateService", cluster, service); err != nil {
		return resource.Service{}, err
	}
	out, err := c.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster: sdkaws.String(cluster), Service: sdkaws.String(service), ForceNewDeployment: true,
	})
	if err != nil {
		return resource.Service{}, wrap("ecs", "UpdateService", err)
	}
	if out.Service == nil {
		return resource.Service{}, &cloud.Error{Service: "ecs", Operation: "UpdateService", Message: "ECS returned no service"}
	}
	return toService(*out.Service, cluster), nil
}

// RegisterImageRevision is what `aws ecs describe-task-definition` piped
// into `register-task-definition` does by hand: the revision is described
// (with its tags) and registered again, field for field, with one
// container's image changed. Fields ECS sets itself (ARN, revision,
// status, requiresAttributes, compatibilities, registeredAt/By) are not
// sent back. It needs ecs:DescribeTaskDefinition and
// ecs:RegisterTaskDefinition (and iam:PassRole on the task's roles).
func (c *Client) RegisterImageRevision(ctx context.Context, taskDef, container, image string) (string, error) {
	if c.readonly {
		return "", cloud.ErrReadonly
	}
	if err := cloud.ValidateImageRevision(taskDef, container, image); err != nil {
		return "", err
	}
	d, err := c.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
		TaskDefinition: sdkaws.String(taskDef), Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags},
	})
	if err != nil {
		return "", wrap("ecs", "DescribeTaskDefinition", err)
	}
	td := d.TaskDefinition
	if td == nil {
		return "", &cloud.Error{Service: "ecs", Operation: "DescribeTaskDefinition", Message: "ECS returned no task definition"}
	}
	in, ok := reregister(td, d.Tags, container, image)
	if !ok {
		return "", &cloud.Error{Service: "ecs", Operation: "RegisterTaskDefinition", Code: "ClientException", Field: "Container",
			Message: "Container: " + container + " is not a container of " + taskDef}
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

// reregister is the RegisterTaskDefinition input that copies td with
// container's image set to image; ok is false when td has no such
// container.
func reregister(td *types.TaskDefinition, tags []types.Tag, container, image string) (*ecs.RegisterTaskDefinitionInput, bool) {
	defs := make([]types.ContainerDefinition, len(td.ContainerDefinitions))
	ok := false
	for i, cd := range td.ContainerDefinitions {
		if sdkaws.ToString(cd.Name) == container {
			cd.Image, ok = sdkaws.String(image), true
		}
		defs[i] = cd
	}
	in := &ecs.RegisterTaskDefinitionInput{
		Family: td.Family, ContainerDefinitions: defs, Cpu: td.Cpu, Memory: td.Memory,
		NetworkMode: td.NetworkMode, RequiresCompatibilities: td.RequiresCompatibilities,
		ExecutionRoleArn: td.ExecutionRoleArn, TaskRoleArn: td.TaskRoleArn, Volumes: td.Volumes,
		PlacementConstraints: td.PlacementConstraints, ProxyConfiguration: td.ProxyConfiguration,
		InferenceAccelerators: td.InferenceAccelerators, EphemeralStorage: td.EphemeralStorage,
		RuntimePlatform: td.RuntimePlatform, PidMode: td.PidMode, IpcMode: td.IpcMode,
		EnableFaultInjection: td.EnableFaultInjection,
	}
	if len(tags) > 0 {
		in.Tags = tags
	}
	return in, ok
}
