package aws

import (
	"deckhand/internal/cloud"

	"context"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// DeregisterTaskDefinition makes a task definition revision INACTIVE (the
// TaskDefinitions capability). Deregistering an INACTIVE revision again
// succeeds, as in ECS.
func (c *Client) DeregisterTaskDefinition(ctx context.Context, taskDef string) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateDeregister(taskDef); err != nil {
		return err
	}
	_, err := c.ecs.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: sdkaws.String(taskDef)})
	return wrap("ecs", "DeregisterTaskDefinition", err)
}
