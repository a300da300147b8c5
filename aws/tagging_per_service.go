package aws

import (
	"deckhand/internal/cloud"

	"context"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// The Stacks capability's fallback for when the tagging API is refused
// (see stackTagged in tagging.go).

// stackPerService finds the stack's ECS resources and log groups without
// the tagging API.
func (c *Client) stackPerService(ctx context.Context, stack string) ([]cloud.TaggedResource, error) {
	var out []cloud.TaggedResource
	tagged := func(tags []ecstypes.Tag) bool {
		for _, t := range tags {
			if sdkaws.ToString(t.Key) == cloud.StackTag && sdkaws.ToString(t.Value) == stack {
				return true
			}
		}
		return false
	}
	var clusterARNs []string
	lc := ecs.NewListClustersPaginator(c.ecs, &ecs.ListClustersInput{MaxResults: sdkaws.Int32(100)})
	for lc.HasMorePages() {
		page, err := lc.NextPage(ctx)
		if err != nil {
			return nil, wrap("ecs", "ListClusters", err)
		}
		clusterARNs = append(clusterARNs, page.ClusterArns...)
	}
	for i := 0; i < len(clusterARNs); i += 100 {
		d, err := c.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{
			Clusters: clusterARNs[i:min(i+100, len(clusterARNs))], Include: []ecstypes.ClusterField{ecstypes.ClusterFieldTags},
		})
		if err != nil {
			return nil, wrap("ecs", "DescribeClusters", err)
		}
		for _, cl := range d.Clusters {
			if sdkaws.ToString(cl.Status) != "INACTIVE" && tagged(cl.Tags) {
				out = append(out, cloud.TaggedResource{Type: "ecs:cluster", ID: sdkaws.ToString(cl.ClusterName), ARN: sdkaws.ToString(cl.ClusterArn)})
			}
		}
	}
	for _, cl := range clusterARNs {
		var arns []string
		ls := ecs.NewListServicesPaginator(c.ecs, &ecs.ListServicesInput{Cluster: sdkaws.String(cl), MaxResults: sdkaws.Int32(100)})
		for ls.HasMorePages() {
			page, err := ls.NextPage(ctx)
			if err != nil {
				return nil, wrap("ecs", "ListServices", err)
			}
			arns = append(arns, page.ServiceArns...)
		}
		for i := 0; i < len(arns); i += 10 {
			d, err := c.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{
				Cluster: sdkaws.String(cl), Services: arns[i:min(i+10, len(arns))], Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags},
			})
			if err != nil {
				return nil, wrap("ecs", "DescribeServices", err)
			}
			for _, s := range d.Services {
				if sdkaws.ToString(s.Status) != "INACTIVE" && tagged(s.Tags) {
					out = append(out, cloud.TaggedResource{Type: "ecs:service", ID: sdkaws.ToString(s.ServiceName), Parent: lastSegment(cl), ARN: sdkaws.ToString(s.ServiceArn)})
				}
			}
		}
	}
	ltd := ecs.NewListTaskDefinitionsPaginator(c.ecs, &ecs.ListTaskDefinitionsInput{Status: ecstypes.TaskDefinitionStatusActive})
	for ltd.HasMorePages() {
		page, err := ltd.NextPage(ctx)
		if err != nil {
			return nil, wrap("ecs", "ListTaskDefinitions", err)
		}
		for _, arn := range page.TaskDefinitionArns {
			d, err := c.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
				TaskDefinition: sdkaws.String(arn), Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags},
			})
			if err != nil {
				return nil, wrap("ecs", "DescribeTaskDefinition", err)
			}
			if tagged(d.Tags) {
				r, _ := parseTaggedARN(arn)
				out = append(out, r)
			}
		}
	}
	lg := cloudwatchlogs.NewDescribeLogGroupsPaginator(c.deploy.logs, &cloudwatchlogs.DescribeLogGroupsInput{})
	for lg.HasMorePages() {
		page, err := lg.NextPage(ctx)
		if err != nil {
			return nil, wrap("logs", "DescribeLogGroups", err)
		}
		for _, g := range page.LogGroups {
			r, ok := parseTaggedARN(sdkaws.ToString(g.Arn))
			if !ok {
				continue
			}
			tags, err := c.deploy.logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: sdkaws.String(r.ARN)})
			if hasCode(err, "ResourceNotFoundException") {
				continue
			}
			if err != nil {
				return nil, wrap("logs", "ListTagsForResource", err)
			}
			if tags.Tags[cloud.StackTag] == stack {
				out = append(out, r)
			}
		}
	}
	return out, nil
}
