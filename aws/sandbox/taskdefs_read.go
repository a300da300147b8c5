package sandbox

import (
	"context"
	"maps"
	"slices"
	"strconv"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

var _ cloud.TaskDefinitionReader = (*Account)(nil)

// DescribeTaskDefinition describes one revision as ECS would; environment
// values stay in the sandbox, only their names are returned.
func (a *Account) DescribeTaskDefinition(ctx context.Context, ref string) (resource.TaskDefinition, error) {
	if err := cloud.ValidateTaskDefRef(ref); err != nil {
		return resource.TaskDefinition{}, err
	}
	var out resource.TaskDefinition
	err := a.viewCall(ctx, apiCall{"ecs", "DescribeTaskDefinition"}, func(w *world, r *region) error {
		td := r.taskDef(ref)
		if td == nil {
			return errTaskDefNotFound("DescribeTaskDefinition")
		}
		out = td.resource()
		return nil
	})
	return out, err
}

func (td *taskDef) resource() resource.TaskDefinition {
	out := resource.TaskDefinition{ARN: td.ARN, Family: td.Family, Revision: int32(td.Revision), Status: "ACTIVE",
		CPU: td.CPU, Memory: td.Memory, NetworkMode: td.NetworkMode, ExecutionRoleARN: td.ExecutionRoleARN,
		RegisteredAt: td.Registered, Compatibilities: []string{"EC2"}}
	if td.Inactive {
		out.Status = "INACTIVE"
	}
	if td.Fargate {
		out.Compatibilities = []string{"FARGATE"}
	}
	for _, c := range td.Containers {
		cd := resource.ContainerDef{Name: c.Name, Image: c.Image, MemoryRes: c.MemoryRes, Essential: c.Essential,
			HealthCheck: slices.Clone(c.HealthCheck), EnvNames: slices.Sorted(maps.Keys(c.Env))}
		if c.Port != 0 {
			cd.Ports = []resource.PortMapping{{ContainerPort: c.Port, Protocol: "tcp"}}
		}
		if c.LogGroup != "" {
			cd.LogDriver = "awslogs"
			cd.LogOptions = map[string]string{"awslogs-group": c.LogGroup, "awslogs-region": c.LogRegion, "awslogs-stream-prefix": c.LogPrefix}
		}
		out.Containers = append(out.Containers, cd)
	}
	return out
}

// TaskDefinitionFamilies lists the families with an ACTIVE revision.
func (a *Account) TaskDefinitionFamilies(ctx context.Context) ([]string, error) {
	var out []string
	err := a.viewCall(ctx, apiCall{"ecs", "ListTaskDefinitionFamilies"}, func(w *world, r *region) error {
		for _, td := range r.TaskDefs {
			if !td.Inactive && !slices.Contains(out, td.Family) {
				out = append(out, td.Family)
			}
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// TaskDefinitionRevisions lists a family's revisions, newest first.
func (a *Account) TaskDefinitionRevisions(ctx context.Context, family string) ([]string, error) {
	if err := cloud.ValidateTaskDefRef(family); err != nil {
		return nil, err
	}
	var revs []int
	err := a.viewCall(ctx, apiCall{"ecs", "ListTaskDefinitions"}, func(w *world, r *region) error {
		for _, td := range r.TaskDefs {
			if td.Family == family {
				revs = append(revs, td.Revision)
			}
		}
		return nil
	})
	slices.Sort(revs)
	slices.Reverse(revs)
	out := make([]string, len(revs))
	for i, n := range revs {
		out[i] = family + ":" + strconv.Itoa(n)
	}
	return out, err
}
