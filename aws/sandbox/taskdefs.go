package sandbox

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"deckhand/internal/cloud"
)

// RegisterTaskDefinition registers the next revision of a family, after the
// checks every backend makes (aws.ValidateTaskDef: names, Fargate's
// cpu/memory pairs and network mode, an essential container…).
func (a *Account) RegisterTaskDefinition(ctx context.Context, spec cloud.TaskDefSpec) (string, error) {
	var arn string
	err := a.updateCall(ctx, apiCall{"ecs", "RegisterTaskDefinition"}, func(w *world, r *region) error {
		td, err := w.register(r, spec)
		if err == nil {
			arn = td.ARN
		}
		return err
	})
	return arn, err
}

func (w *world) register(r *region, spec cloud.TaskDefSpec) (*taskDef, error) {
	if err := cloud.ValidateTaskDef(spec); err != nil {
		return nil, err
	}
	td := &taskDef{
		Family: spec.Family, CPU: units(spec.CPU, "vcpu"), Memory: units(spec.Memory, "gb"),
		NetworkMode: spec.NetworkMode, Fargate: spec.Fargate,
		ExecutionRoleARN: spec.ExecutionRoleARN, Tags: maps.Clone(spec.Tags), Registered: w.now,
	}
	if td.NetworkMode == "" {
		td.NetworkMode = "bridge" // ECS's default on Linux; Fargate's only mode is awsvpc
		if spec.Fargate {
			td.NetworkMode = "awsvpc"
		}
	}
	for _, c := range spec.Containers {
		td.Containers = append(td.Containers, containerDef{
			Name: c.Name, Image: c.Image, Port: c.Port, MemoryRes: c.MemoryReservation, Essential: c.Essential, Env: maps.Clone(c.Env),
			HealthCheck: slices.Clone(c.HealthCommand), LogGroup: c.LogGroup, LogRegion: c.LogRegion, LogPrefix: c.LogPrefix,
		})
	}
	for _, x := range r.TaskDefs {
		if x.Family == td.Family {
			td.Revision = max(td.Revision, x.Revision)
		}
	}
	td.Revision++
	td.ARN = w.arn(r, "task-definition/"+td.Family+":"+strconv.Itoa(td.Revision))
	r.TaskDefs = append(r.TaskDefs, td)
	return td, nil
}

// units normalises a size that validation accepted, as ECS stores it: "1
// vCPU" → "1024", "2 GB" → "2048"; "512" and "" stay as they are.
func units(s, unit string) string {
	s = strings.TrimSpace(s)
	num, ok := strings.CutSuffix(strings.ToLower(s), unit)
	if !ok {
		return s
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil {
		return s
	}
	return strconv.Itoa(int(f * 1024))
}
