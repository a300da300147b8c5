package aws

import (
	"context"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

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
	type res struct {
		svcs    []resource.Service
		missing []string
	}
	out, err := inBatches(ctx, arns, describeServicesBatch, func(ctx context.Context, ids []string) ([]res, error) {
		r, err := c.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: sdkaws.String(clusterARN), Services: ids})
		if err != nil {
			return nil, wrap("ecs", "DescribeServices", err)
		}
		var x res
		for _, s := range r.Services {
			x.svcs = append(x.svcs, toService(s, clusterARN))
		}
		for _, f := range r.Failures {
			if sdkaws.ToString(f.Reason) == "MISSING" {
				x.missing = append(x.missing, sdkaws.ToString(f.Arn))
			}
		}
		return []res{x}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	var svcs []resource.Service
	var missing []string
	for _, x := range out {
		svcs = append(svcs, x.svcs...)
		missing = append(missing, x.missing...)
	}
	return svcs, missing, nil
}

// TasksByARN describes the given tasks of one cluster, 100 a call.
func (c *Client) TasksByARN(ctx context.Context, clusterARN string, arns []string) ([]resource.Task, []string, error) {
	type res struct {
		tasks   []resource.Task
		missing []string
	}
	out, err := inBatches(ctx, arns, describeTasksBatch, func(ctx context.Context, ids []string) ([]res, error) {
		r, err := c.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: sdkaws.String(clusterARN), Tasks: ids})
		if err != nil {
			return nil, wrap("ecs", "DescribeTasks", err)
		}
		var x res
		for _, t := range r.Tasks {
			x.tasks = append(x.tasks, toTask(t, clusterARN))
		}
		for _, f := range r.Failures {
			if sdkaws.ToString(f.Reason) == "MISSING" {
				x.missing = append(x.missing, sdkaws.ToString(f.Arn))
			}
		}
		return []res{x}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	var tasks []resource.Task
	var missing []string
	for _, x := range out {
		tasks = append(tasks, x.tasks...)
		missing = append(missing, x.missing...)
	}
	return tasks, missing, nil
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
		return ins, nil
	})
	if err != nil {
		return nil, err
	}
	c.addStatusChecks(ctx, out)
	return out, nil
}
