package aws

import (
	"context"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"deckhand/internal/cloud"
)

// The lists alone (cloud.ARNLister): what the ECS sweep reads every
// --refresh, 100 ARNs a call, describing only what is new.
var _ cloud.ARNLister = (*Client)(nil)

// ServiceARNs lists a cluster's services (ListServices: ECS lists the
// ACTIVE ones; moto lists deleted ones on as well).
func (c *Client) ServiceARNs(ctx context.Context, clusterARN string) ([]string, error) {
	var out []string
	p := ecs.NewListServicesPaginator(c.ecs, &ecs.ListServicesInput{
		Cluster: sdkaws.String(clusterARN), MaxResults: sdkaws.Int32(listPageSize),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("ecs", "ListServices", err)
		}
		out = append(out, page.ServiceArns...)
	}
	return dedupe(out), nil // a service created between pages may be listed twice
}

// TaskARNs lists a cluster's tasks whose desired status is RUNNING, then
// those whose desired status is STOPPED.
func (c *Client) TaskARNs(ctx context.Context, clusterARN string) (running, stopped []string, err error) {
	for _, status := range []types.DesiredStatus{types.DesiredStatusRunning, types.DesiredStatusStopped} {
		var arns []string
		p := ecs.NewListTasksPaginator(c.ecs, &ecs.ListTasksInput{
			Cluster: sdkaws.String(clusterARN), DesiredStatus: status, MaxResults: sdkaws.Int32(listPageSize),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, nil, wrap("ecs", "ListTasks", err)
			}
			arns = append(arns, page.TaskArns...)
		}
		if status == types.DesiredStatusRunning {
			running = dedupe(arns)
		} else {
			stopped = dedupe(arns)
		}
	}
	return running, stopped, nil
}
