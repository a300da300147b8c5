package aws

import (
	"context"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// The targeted reads (cloud.TargetedReader): what the watchers re-read at
// the fast interval, by id, instead of the whole account.
var _ cloud.TargetedReader = (*Client)(nil)

// ec2IDsBatch is DescribeInstances' ids per call: AWS takes up to 1,000
// with no MaxResults, 100 keeps each answer small.
const ec2IDsBatch = 100

// ServicesByARN describes the given services of one cluster, 10 a call;
// missing are those ECS reports as MISSING (deleted and gone).
func (c *Client) ServicesByARN(ctx context.Context, clusterARN string, arns []string) ([]resource.Service, []string, error) {
	return byARN(ctx, arns, describeServicesBatch, func(ctx context.Context, ids []string) ([]resource.Service, []types.Failure, error) {
		r, err := c.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: sdkaws.String(clusterARN), Services: ids})
		if err != nil {
			return nil, nil, wrap("ecs", "DescribeServices", err)
		}
		out := make([]resource.Service, len(r.Services))
		for i, s := range r.Services {
			out[i] = toService(s, clusterARN)
		}
		return out, r.Failures, nil
	})
}

// TasksByARN describes the given tasks of one cluster, 100 a call.
func (c *Client) TasksByARN(ctx context.Context, clusterARN string, arns []string) ([]resource.Task, []string, error) {
	return byARN(ctx, arns, describeTasksBatch, func(ctx context.Context, ids []string) ([]resource.Task, []types.Failure, error) {
		r, err := c.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: sdkaws.String(clusterARN), Tasks: ids})
		if err != nil {
			return nil, nil, wrap("ecs", "DescribeTasks", err)
		}
		out := make([]resource.Task, len(r.Tasks))
		for i, t := range r.Tasks {
			out[i] = toTask(t, clusterARN)
		}
		return out, r.Failures, nil
	})
}

// byARN describes arns in batches of size with describe, and collects the
// ARNs ECS answers MISSING for (deleted and gone) apart from the items.
func byARN[T any](ctx context.Context, arns []string, size int,
	describe func(context.Context, []string) ([]T, []types.Failure, error)) ([]T, []string, error) {
	type res struct {
		items   []T
		missing []string
	}
	out, err := inBatches(ctx, arns, size, func(ctx context.Context, ids []string) ([]res, error) {
		items, failures, err := describe(ctx, ids)
		if err != nil {
			return nil, err
		}
		x := res{items: items}
		for _, f := range failures {
			if sdkaws.ToString(f.Reason) == "MISSING" {
				x.missing = append(x.missing, sdkaws.ToString(f.Arn))
			}
		}
		return []res{x}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	var items []T
	var missing []string
	for _, x := range out {
		items = append(items, x.items...)
		missing = append(missing, x.missing...)
	}
	return items, missing, nil
}

// InstancesByID describes the given instances, filtered by instance-id
// (a filter, not InstanceIds: an id that no longer exists is then simply
// absent instead of failing the whole call with InvalidInstanceID).
func (c *Client) InstancesByID(ctx context.Context, ids []string) ([]resource.Instance, error) {
	out, err := inBatches(ctx, ids, ec2IDsBatch, func(ctx context.Context, batch []string) ([]resource.Instance, error) {
		var ins []resource.Instance
		p := ec2.NewDescribeInstancesPaginator(c.ec2, &ec2.DescribeInstancesInput{
			Filters: []ec2types.Filter{{Name: sdkaws.String("instance-id"), Values: batch}},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, wrap("ec2", "DescribeInstances", err)
			}
			for _, r := range page.Reservations {
				for _, in := range r.Instances {
					ins = append(ins, toInstance(in))
				}
			}
		}
		c.addStatusChecks(ctx, ins, true)
		return ins, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
