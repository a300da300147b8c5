package aws

import (
	"deckhand/internal/cloud"

	"context"
	"errors"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The Stacks capability: everything tagged deckhand:stack=NAME.
//
// Each kind of resource is found the cheapest exact way:
//
//   - EC2 instances (not terminated), security groups and key pairs:
//     Describe* with a tag filter, one call each.
//   - IAM roles: ListRoles under TaskExecutionRolePath, then each role's
//     tags (the tagging API does not cover IAM).
//   - IAM instance profiles: ListInstanceProfiles under the same path, then
//     GetInstanceProfile of each for its tags (ListInstanceProfiles does not
//     return them; moto has no ListInstanceProfileTags).
//   - ECR repositories: DescribeRepositories, then each repository's tags
//     (moto's tagging API does not cover ECR).
//   - Load balancers and target groups: DescribeLoadBalancers and
//     DescribeTargetGroups, then DescribeTags (elb_stack.go).
//   - ECS clusters, services and task definitions, and log groups: the
//     Resource Groups Tagging API (GetResources, one paginated call), whose
//     ECS answers are then checked with Describe* so that deleted (INACTIVE)
//     clusters, services and task definitions, which it may go on listing,
//     are left out. When GetResources fails other than by not reaching the
//     endpoint (no tag:GetResources permission, an endpoint without it or
//     with a bug in it), these are found per service
//     instead: every cluster, service and active task definition and log
//     group, with its tags. That is slower but finds the same.
//
// Only tagged resources are ever returned; a resource deleted moments ago
// may still be listed by the tagging API's index, and deleting it again
// answers a not-found code (IsNotFound).
func (c *Client) StackResources(ctx context.Context, stack string) ([]cloud.TaggedResource, error) {
	if err := cloud.ValidateStackName(stack); err != nil {
		return nil, err
	}
	var out []cloud.TaggedResource
	for _, find := range []func(context.Context, string) ([]cloud.TaggedResource, error){
		c.stackEC2, c.stackRoles, c.stackInstanceProfiles, c.stackRepositories, c.stackELB, c.stackTagged,
	} {
		rs, err := find(ctx, stack)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	cloud.SortStack(out)
	return out, nil
}

func tagFilter(stack string) ec2types.Filter {
	return ec2types.Filter{Name: sdkaws.String("tag:" + cloud.StackTag), Values: []string{stack}}
}

func (c *Client) stackEC2(ctx context.Context, stack string) ([]cloud.TaggedResource, error) {
	var out []cloud.TaggedResource
	account := ""
	arn := func(owner, kind, id string) string {
		if owner == "" && account == "" {
			if who, err := c.Identity(ctx); err == nil {
				account = who.Account
			}
		}
		if owner == "" {
			owner = account
		}
		return "arn:aws:ec2:" + c.Region() + ":" + owner + ":" + kind + "/" + id
	}
	insts := ec2.NewDescribeInstancesPaginator(c.ec2, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{
		tagFilter(stack),
		{Name: sdkaws.String("instance-state-name"), Values: []string{"pending", "running", "stopping", "stopped", "shutting-down"}},
	}})
	for insts.HasMorePages() {
		page, err := insts.NextPage(ctx)
		if err != nil {
			return nil, wrap("ec2", "DescribeInstances", err)
		}
		for _, r := range page.Reservations {
			for _, in := range r.Instances {
				id := sdkaws.ToString(in.InstanceId)
				out = append(out, cloud.TaggedResource{Type: "ec2:instance", ID: id, ARN: arn(sdkaws.ToString(r.OwnerId), "instance", id)})
			}
		}
	}
	groups := ec2.NewDescribeSecurityGroupsPaginator(c.ec2, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{tagFilter(stack)}})
	for groups.HasMorePages() {
		page, err := groups.NextPage(ctx)
		if err != nil {
			return nil, wrap("ec2", "DescribeSecurityGroups", err)
		}
		for _, g := range page.SecurityGroups {
			id := sdkaws.ToString(g.GroupId)
			a := sdkaws.ToString(g.SecurityGroupArn)
			if a == "" {
				a = arn(sdkaws.ToString(g.OwnerId), "security-group", id)
			}
			out = append(out, cloud.TaggedResource{Type: "ec2:security-group", ID: id, ARN: a})
		}
	}
	keys, err := c.ec2.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{Filters: []ec2types.Filter{tagFilter(stack)}})
	if err != nil {
		return nil, wrap("ec2", "DescribeKeyPairs", err)
	}
	for _, k := range keys.KeyPairs {
		if tagMap(k.Tags)[cloud.StackTag] != stack { // endpoints that ignore the filter
			continue
		}
		out = append(out, cloud.TaggedResource{Type: "ec2:key-pair", ID: sdkaws.ToString(k.KeyName), ARN: arn("", "key-pair", sdkaws.ToString(k.KeyPairId))})
	}
	return out, nil
}

func (c *Client) stackRoles(ctx context.Context, stack string) ([]cloud.TaggedResource, error) {
	var out []cloud.TaggedResource
	p := iam.NewListRolesPaginator(c.deploy.iam, &iam.ListRolesInput{PathPrefix: sdkaws.String(cloud.TaskExecutionRolePath)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("iam", "ListRoles", err)
		}
		for _, r := range page.Roles {
			tags, err := c.deploy.iam.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: r.RoleName})
			if hasCode(err, "NoSuchEntity") {
				continue // deleted meanwhile
			}
			if err != nil {
				return nil, wrap("iam", "ListRoleTags", err)
			}
			for _, t := range tags.Tags {
				if sdkaws.ToString(t.Key) == cloud.StackTag && sdkaws.ToString(t.Value) == stack {
					out = append(out, cloud.TaggedResource{Type: "iam:role", ID: sdkaws.ToString(r.RoleName), ARN: sdkaws.ToString(r.Arn)})
				}
			}
		}
	}
	return out, nil
}

func (c *Client) stackInstanceProfiles(ctx context.Context, stack string) ([]cloud.TaggedResource, error) {
	var out []cloud.TaggedResource
	p := iam.NewListInstanceProfilesPaginator(c.deploy.iam, &iam.ListInstanceProfilesInput{PathPrefix: sdkaws.String(cloud.TaskExecutionRolePath)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("iam", "ListInstanceProfiles", err)
		}
		for _, ip := range page.InstanceProfiles {
			if !strings.HasPrefix(sdkaws.ToString(ip.Path), cloud.TaskExecutionRolePath) {
				continue // endpoints that ignore PathPrefix (moto)
			}
			got, err := c.getInstanceProfile(ctx, sdkaws.ToString(ip.InstanceProfileName))
			if err != nil {
				return nil, err
			}
			if got == nil {
				continue // deleted meanwhile
			}
			for _, t := range got.Tags {
				if sdkaws.ToString(t.Key) == cloud.StackTag && sdkaws.ToString(t.Value) == stack {
					out = append(out, cloud.TaggedResource{Type: "iam:instance-profile", ID: sdkaws.ToString(got.InstanceProfileName), ARN: sdkaws.ToString(got.Arn)})
				}
			}
		}
	}
	return out, nil
}

func (c *Client) stackRepositories(ctx context.Context, stack string) ([]cloud.TaggedResource, error) {
	var out []cloud.TaggedResource
	p := ecr.NewDescribeRepositoriesPaginator(c.deploy.ecr, &ecr.DescribeRepositoriesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("ecr", "DescribeRepositories", err)
		}
		for _, r := range page.Repositories {
			tags, err := c.deploy.ecr.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: r.RepositoryArn})
			if hasCode(err, "RepositoryNotFoundException") {
				continue
			}
			if err != nil {
				return nil, wrap("ecr", "ListTagsForResource", err)
			}
			for _, t := range tags.Tags {
				if sdkaws.ToString(t.Key) == cloud.StackTag && sdkaws.ToString(t.Value) == stack {
					out = append(out, cloud.TaggedResource{Type: "ecr:repository", ID: sdkaws.ToString(r.RepositoryName), ARN: sdkaws.ToString(r.RepositoryArn)})
				}
			}
		}
	}
	return out, nil
}

// stackTagged finds the ECS resources and log groups through the tagging
// API, or per service when it is refused.
func (c *Client) stackTagged(ctx context.Context, stack string) ([]cloud.TaggedResource, error) {
	var found []cloud.TaggedResource
	p := resourcegroupstaggingapi.NewGetResourcesPaginator(c.deploy.tagging, &resourcegroupstaggingapi.GetResourcesInput{
		// No ResourceTypeFilters: moto spells some types differently
		// ("logs:loggroup"); the ARNs say the type.
		TagFilters: []taggingtypes.TagFilter{{Key: sdkaws.String(cloud.StackTag), Values: []string{stack}}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		var send *smithyhttp.RequestSendError
		if err != nil && (errors.As(err, &send) || ctx.Err() != nil) {
			return nil, wrap("tag", "GetResources", err) // the per-service calls would fail the same way
		}
		if err != nil {
			// Refused, or an endpoint that cannot answer (moto 5.x fails
			// with HTTP 500 while any ECS cluster has no tags at all).
			return c.stackPerService(ctx, stack)
		}
		for _, m := range page.ResourceTagMappingList {
			if r, ok := parseTaggedARN(sdkaws.ToString(m.ResourceARN)); ok {
				found = append(found, r)
			}
		}
	}
	return c.liveECS(ctx, found)
}

// parseTaggedARN makes a TaggedResource of an ECS cluster, service or task
// definition or a log group ARN; ok is false for other types.
func parseTaggedARN(arn string) (cloud.TaggedResource, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return cloud.TaggedResource{}, false
	}
	service, res := parts[2], parts[5]
	switch service {
	case "ecs":
		kind, rest, _ := strings.Cut(res, "/")
		switch kind {
		case "cluster":
			return cloud.TaggedResource{Type: "ecs:cluster", ID: rest, ARN: arn}, true
		case "service":
			cluster, name, ok := strings.Cut(rest, "/")
			if !ok { // the old ARN format has no cluster
				return cloud.TaggedResource{Type: "ecs:service", ID: rest, ARN: arn}, true
			}
			return cloud.TaggedResource{Type: "ecs:service", ID: name, Parent: cluster, ARN: arn}, true
		case "task-definition":
			return cloud.TaggedResource{Type: "ecs:task-definition", ID: rest, ARN: arn}, true
		}
	case "logs":
		if name, ok := strings.CutPrefix(res, "log-group:"); ok {
			name = strings.TrimSuffix(name, ":*")
			return cloud.TaggedResource{Type: "logs:log-group", ID: name, ARN: "arn:" + strings.Join(parts[1:5], ":") + ":log-group:" + name}, true
		}
	}
	return cloud.TaggedResource{}, false
}

// liveECS drops the clusters, services and task definitions ECS reports as
// INACTIVE (or no longer knows).
func (c *Client) liveECS(ctx context.Context, rs []cloud.TaggedResource) ([]cloud.TaggedResource, error) {
	var out, clusters []cloud.TaggedResource
	services := map[string][]cloud.TaggedResource{}
	var order []string
	for _, r := range rs {
		switch r.Type {
		case "ecs:cluster":
			clusters = append(clusters, r)
		case "ecs:service":
			if _, ok := services[r.Parent]; !ok {
				order = append(order, r.Parent)
			}
			services[r.Parent] = append(services[r.Parent], r)
		case "ecs:task-definition":
			d, err := c.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: sdkaws.String(r.ARN)})
			if hasCode(err, "ClientException") {
				continue // deleted
			}
			if err != nil {
				return nil, wrap("ecs", "DescribeTaskDefinition", err)
			}
			if d.TaskDefinition != nil && d.TaskDefinition.Status == ecstypes.TaskDefinitionStatusActive {
				out = append(out, r)
			}
		default:
			out = append(out, r)
		}
	}
	for i := 0; i < len(clusters); i += 100 {
		batch := clusters[i:min(i+100, len(clusters))]
		var arns []string
		for _, r := range batch {
			arns = append(arns, r.ARN)
		}
		d, err := c.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: arns})
		if err != nil {
			return nil, wrap("ecs", "DescribeClusters", err)
		}
		active := map[string]bool{}
		for _, cl := range d.Clusters {
			active[sdkaws.ToString(cl.ClusterArn)] = sdkaws.ToString(cl.Status) != "INACTIVE"
		}
		for _, r := range batch {
			if active[r.ARN] {
				out = append(out, r)
			}
		}
	}
	for _, cluster := range order {
		svcs := services[cluster]
		for i := 0; i < len(svcs); i += 10 {
			batch := svcs[i:min(i+10, len(svcs))]
			var arns []string
			for _, r := range batch {
				arns = append(arns, r.ARN)
			}
			d, err := c.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: sdkaws.String(cluster), Services: arns})
			if hasCode(err, "ClusterNotFoundException") {
				break
			}
			if err != nil {
				return nil, wrap("ecs", "DescribeServices", err)
			}
			live := map[string]bool{}
			for _, s := range d.Services {
				live[sdkaws.ToString(s.ServiceArn)] = sdkaws.ToString(s.Status) != "INACTIVE"
			}
			for _, r := range batch {
				if live[r.ARN] {
					out = append(out, r)
				}
			}
		}
	}
	return out, nil
}
