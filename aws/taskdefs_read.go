package aws

import (
	"context"
	"slices"
	"strconv"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

var _ cloud.TaskDefinitionReader = (*Client)(nil)

// DescribeTaskDefinition describes one revision. Environment values and
// secrets' sources are dropped here, at the edge: only their names reach
// the rest of deckhand.
func (c *Client) DescribeTaskDefinition(ctx context.Context, ref string) (resource.TaskDefinition, error) {
	if err := cloud.ValidateTaskDefRef(ref); err != nil {
		return resource.TaskDefinition{}, err
	}
	out, err := c.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: sdkaws.String(ref)})
	if err != nil {
		return resource.TaskDefinition{}, wrap("ecs", "DescribeTaskDefinition", err)
	}
	return taskDefinition(out.TaskDefinition), nil
}

func taskDefinition(td *types.TaskDefinition) resource.TaskDefinition {
	if td == nil {
		return resource.TaskDefinition{}
	}
	out := resource.TaskDefinition{
		ARN: sdkaws.ToString(td.TaskDefinitionArn), Family: sdkaws.ToString(td.Family), Revision: td.Revision,
		Status: string(td.Status), CPU: sdkaws.ToString(td.Cpu), Memory: sdkaws.ToString(td.Memory),
		NetworkMode: string(td.NetworkMode), ExecutionRoleARN: sdkaws.ToString(td.ExecutionRoleArn),
		TaskRoleARN: sdkaws.ToString(td.TaskRoleArn), RegisteredAt: sdkaws.ToTime(td.RegisteredAt),
	}
	for _, c := range td.RequiresCompatibilities {
		out.Compatibilities = append(out.Compatibilities, string(c))
	}
	for _, d := range td.ContainerDefinitions {
		cd := resource.ContainerDef{Name: sdkaws.ToString(d.Name), Image: sdkaws.ToString(d.Image), CPU: d.Cpu,
			Memory: sdkaws.ToInt32(d.Memory), MemoryRes: sdkaws.ToInt32(d.MemoryReservation), Essential: sdkaws.ToBool(d.Essential)}
		for _, p := range d.PortMappings {
			cd.Ports = append(cd.Ports, resource.PortMapping{ContainerPort: sdkaws.ToInt32(p.ContainerPort),
				HostPort: sdkaws.ToInt32(p.HostPort), Protocol: string(p.Protocol)})
		}
		if d.HealthCheck != nil {
			cd.HealthCheck = slices.Clone(d.HealthCheck.Command)
		}
		if lc := d.LogConfiguration; lc != nil {
			cd.LogDriver, cd.LogOptions = string(lc.LogDriver), lc.Options
		}
		for _, e := range d.Environment {
			cd.EnvNames = append(cd.EnvNames, sdkaws.ToString(e.Name))
		}
		for _, s := range d.Secrets {
			cd.SecretNames = append(cd.SecretNames, sdkaws.ToString(s.Name))
		}
		slices.Sort(cd.EnvNames)
		slices.Sort(cd.SecretNames)
		out.Containers = append(out.Containers, cd)
	}
	return out
}

// TaskDefinitionFamilies lists the families with an ACTIVE revision.
func (c *Client) TaskDefinitionFamilies(ctx context.Context) ([]string, error) {
	var out []string
	p := ecs.NewListTaskDefinitionFamiliesPaginator(c.ecs, &ecs.ListTaskDefinitionFamiliesInput{Status: types.TaskDefinitionFamilyStatusActive})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("ecs", "ListTaskDefinitionFamilies", err)
		}
		out = append(out, page.Families...)
	}
	slices.Sort(out)
	return out, nil
}

// TaskDefinitionRevisions lists a family's revisions, newest first.
func (c *Client) TaskDefinitionRevisions(ctx context.Context, family string) ([]string, error) {
	if err := cloud.ValidateTaskDefRef(family); err != nil {
		return nil, err
	}
	var revs []int
	p := ecs.NewListTaskDefinitionsPaginator(c.ecs, &ecs.ListTaskDefinitionsInput{FamilyPrefix: sdkaws.String(family), Sort: types.SortOrderDesc})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("ecs", "ListTaskDefinitions", err)
		}
		for _, arn := range page.TaskDefinitionArns {
			// FamilyPrefix matches web-api too when family is web.
			if f, rev, ok := familyRevision(arn); ok && f == family {
				revs = append(revs, rev)
			}
		}
	}
	// Sorted here too: not every endpoint honours Sort (moto does not).
	slices.Sort(revs)
	slices.Reverse(revs)
	out := make([]string, len(revs))
	for i, n := range revs {
		out[i] = family + ":" + strconv.Itoa(n)
	}
	return out, nil
}

// familyRevision splits a task definition ARN's "family:revision".
func familyRevision(arn string) (string, int, bool) {
	s := lastSegment(arn)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ':' {
			n, err := strconv.Atoi(s[i+1:])
			return s[:i], n, err == nil
		}
	}
	return "", 0, false
}
