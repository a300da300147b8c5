package sandbox

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"deckhand/aws"
)

// fargateSizes are the valid task-level CPU/memory pairs on Fargate, CPU
// units → memory MiB (developerguide/fargate-tasks-services.html, "Task CPU
// and memory").
var fargateSizes = map[int][]int{
	256:   {512, 1024, 2048},
	512:   steps(1024, 4096, 1024),
	1024:  steps(2048, 8192, 1024),
	2048:  steps(4096, 16384, 1024),
	4096:  steps(8192, 30720, 1024),
	8192:  steps(16384, 61440, 4096),
	16384: steps(32768, 122880, 8192),
}

func steps(from, to, by int) []int {
	var out []int
	for m := from; m <= to; m += by {
		out = append(out, m)
	}
	return out
}

// RegisterTaskDefinition registers the next revision of a family after the
// checks ECS makes.
func (a *Account) RegisterTaskDefinition(ctx context.Context, spec aws.TaskDefSpec) (string, error) {
	var arn string
	err := a.update(ctx, func(w *world, r *region) error {
		td, err := w.register(r, spec)
		if err == nil {
			arn = td.ARN
		}
		return err
	})
	return arn, err
}

func (w *world) register(r *region, spec aws.TaskDefSpec) (*taskDef, error) {
	td, err := newTaskDef(spec)
	if err != nil {
		return nil, err
	}
	for _, x := range r.TaskDefs {
		if x.Family == td.Family {
			td.Revision = max(td.Revision, x.Revision)
		}
	}
	td.Revision++
	td.ARN = w.arn(r, "task-definition/"+td.Family+":"+strconv.Itoa(td.Revision))
	td.Registered = w.now
	r.TaskDefs = append(r.TaskDefs, td)
	return td, nil
}

func newTaskDef(spec aws.TaskDefSpec) (*taskDef, error) {
	fail := func(format string, args ...any) error {
		return ecsError("RegisterTaskDefinition", "ClientException", format, args...)
	}
	if !reName.MatchString(spec.Family) {
		return nil, fail("Family name %s", nameRule)
	}
	td := &taskDef{
		Family: spec.Family, NetworkMode: spec.NetworkMode, Fargate: spec.Fargate,
		ExecutionRoleARN: spec.ExecutionRoleARN, Tags: maps.Clone(spec.Tags),
	}
	if td.NetworkMode == "" {
		td.NetworkMode = "bridge" // ECS's default on Linux
	}
	if !slices.Contains([]string{"bridge", "host", "awsvpc", "none"}, td.NetworkMode) {
		return nil, fail("Invalid networkMode value: %s. Valid values are bridge, host, awsvpc and none.", td.NetworkMode)
	}
	var err error
	if td.CPU, err = units(spec.CPU, "vcpu"); err != nil {
		return nil, fail("Invalid 'cpu' setting for task.")
	}
	if td.Memory, err = units(spec.Memory, "gb"); err != nil {
		return nil, fail("Invalid 'memory' setting for task.")
	}
	if len(spec.Containers) == 0 {
		return nil, fail("Container list cannot be empty.")
	}
	essential := false
	for _, c := range spec.Containers {
		switch {
		case c.Name == "":
			return nil, fail("Container.name should not be null or empty.")
		case !reName.MatchString(c.Name):
			return nil, fail("Container name %s", nameRule)
		case c.Image == "":
			return nil, fail("Container.image should not be null or empty.")
		case slices.ContainsFunc(td.Containers, func(x containerDef) bool { return x.Name == c.Name }):
			return nil, fail("Container names must be unique within a task definition: %s", c.Name)
		case td.Memory == "" && !spec.Fargate:
			return nil, fail("Invalid setting for container '%s'. At least one of 'memory' or 'memoryReservation' must be specified.", c.Name)
		case c.LogGroup != "" && spec.Fargate && spec.ExecutionRoleARN == "":
			return nil, fail("Fargate requires task definition to have execution role ARN to support log driver awslogs.")
		}
		essential = essential || c.Essential
		td.Containers = append(td.Containers, containerDef{
			Name: c.Name, Image: c.Image, Port: c.Port, Essential: c.Essential, Env: maps.Clone(c.Env),
			HealthCheck: slices.Clone(c.HealthCommand), LogGroup: c.LogGroup, LogRegion: c.LogRegion, LogPrefix: c.LogPrefix,
		})
	}
	if !essential {
		return nil, fail("A task definition must have at least one essential container.")
	}
	if spec.Fargate {
		switch {
		case td.NetworkMode != "awsvpc":
			return nil, fail("Fargate only supports network mode ‘awsvpc’.")
		case td.CPU == "":
			return nil, fail("Fargate requires that 'cpu' be defined at the task level.")
		case td.Memory == "":
			return nil, fail("Fargate requires that 'memory' be defined at the task level.")
		}
		cpu, _ := strconv.Atoi(td.CPU)
		mem, _ := strconv.Atoi(td.Memory)
		if !slices.Contains(fargateSizes[cpu], mem) {
			return nil, fail("No Fargate configuration exists for given values: %s CPU, %s memory. See the Amazon ECS documentation for the valid values.", td.CPU, td.Memory)
		}
	}
	return td, nil
}

// units normalises a task size the way ECS accepts it: "1024", "1 vCPU"
// and "0.25 vcpu" for CPU, "2048", "2 GB" and "2GB" for memory. "" stays "".
func units(s, unit string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return strconv.Itoa(n), nil
	}
	num, ok := strings.CutSuffix(strings.ToLower(s), unit)
	if !ok {
		return "", fmt.Errorf("bad size %q", s)
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || f <= 0 {
		return "", fmt.Errorf("bad size %q", s)
	}
	return strconv.Itoa(int(f * 1024)), nil
}
