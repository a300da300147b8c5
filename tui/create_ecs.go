package tui

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

// The ECS wizards: a cluster, a task definition (one container; Fargate
// by default, with a cpu/memory pair Fargate offers) and a service in a
// cluster deckhand has loaded (in the default VPC's subnets unless others
// are given).

const (
	cName = "cluster-name"

	tFamily    = "family"
	tCompat    = "compat"
	tCPU       = "cpu"
	tMemory    = "memory"
	tContainer = "container"
	tImage     = "image"
	tPort      = "port"
	tRole      = "role"

	sCluster = "cluster"
	sName    = "service-name"
	sTaskDef = "taskdef"
	sDesired = "desired"
	sLaunch  = "launch"
	sSubnets = "subnets"
	sGroup   = "service-sg"
	sPublic  = "public"
	sBreaker = "breaker"
)

var launchTypes = []string{"FARGATE", "EC2"}

func clusterKind() *createKind {
	k := &createKind{name: "cluster", title: "Create an ECS cluster", source: srcECS,
		sample:   vals{cName: "prod"},
		fieldOf:  map[string]string{"Name": cName},
		validate: func(v vals) error { return cloud.ValidateCreateCluster(v[cName], nil) },
	}
	k.fields = func(*Model) *createWizard {
		return newCreateWizard(k, cName, textField(cName, "Cluster name", "", "up to 255 letters, digits, '-' and '_', e.g. prod"))
	}
	k.prepare = func(_ context.Context, _ Creator, v vals) (*createPlan, error) {
		name := v[cName]
		if err := k.validate(v); err != nil {
			return nil, err
		}
		return &createPlan{what: "cluster " + name,
			steps: []launch.Step{{Name: "cluster", Summary: "Create ECS cluster " + name + " (ECS returns an existing cluster of that name unchanged)",
				Resources: []launch.Resource{{Action: "create", Kind: "ECS cluster", Name: name}},
				Commands:  []string{launch.Shell("aws", "ecs", "create-cluster", "--cluster-name", name, "--tags", ecsStackTag(name))}}},
			create: func(ctx context.Context, api Creator) (string, error) {
				c, err := api.CreateCluster(ctx, name, cloud.StackTags(name, nil))
				if err != nil {
					return "", err
				}
				return "created cluster " + c.Name + " (" + c.ARN + ", " + c.Status + ")", nil
			}}, nil
	}
	return k
}

func taskDefKind() *createKind {
	k := &createKind{name: "taskdef", title: "Register an ECS task definition", source: srcECS,
		sample: vals{tFamily: "web", tCompat: "FARGATE", tCPU: "256", tMemory: "512", tContainer: "web", tImage: "nginx:1.27"},
		deps:   map[string][]string{tCPU: {tCompat}, tMemory: {tCPU, tCompat}},
		fieldOf: map[string]string{"Family": tFamily, "CPU": tCPU, "Memory": tMemory, "NetworkMode": tCompat,
			"Containers.Name": tContainer, "Containers.Image": tImage, "Containers.Port": tPort, "Containers": tImage,
			"ExecutionRoleARN": tRole},
		validate: func(v vals) error { _, err := taskDefSpec(v); return err },
	}
	k.fields = func(*Model) *createWizard {
		cw := newCreateWizard(k, tFamily,
			textField(tFamily, "Family", "", "the task definition's name, e.g. web"),
			choiceField(tCompat, "Compatibility", launchTypes...),
			textField(tCPU, "CPU units", "256", ""),
			textField(tMemory, "Memory (MiB)", "512", ""),
			textField(tContainer, "Container name", "", "e.g. web"),
			textField(tImage, "Image", "", "e.g. nginx:1.27 or 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1"),
			textField(tPort, "Container port", "", "optional: the port the app listens on, e.g. 80"),
			textField(tRole, "Execution role ARN", "", "optional: lets ECS pull from private ECR and write awslogs"),
		)
		cw.hint = func(f *formField) string {
			fargate := cw.field(tCompat).choice == 0
			switch {
			case f.id == tCPU && fargate:
				return "Fargate: 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 = 1 vCPU)"
			case f.id == tCPU:
				return "optional on EC2 (1024 = 1 vCPU)"
			case f.id == tMemory && fargate:
				cpu, _ := strconv.Atoi(cw.field(tCPU).value())
				if ms := cloud.FargateMemoryChoices(cpu); ms != nil {
					return "with " + strconv.Itoa(cpu) + " cpu units Fargate allows " + memoryChoices(ms)
				}
				return "depends on the cpu: choose the cpu first"
			case f.id == tMemory:
				return "the task's memory in MiB, e.g. 512"
			}
			return f.hint
		}
		cw.note = func(f *formField) string {
			if f.id == tCPU || f.id == tMemory {
				return cw.hint(f)
			}
			return ""
		}
		return cw
	}
	k.prepare = func(_ context.Context, _ Creator, v vals) (*createPlan, error) {
		spec, err := taskDefSpec(v)
		if err != nil {
			return nil, err
		}
		c := spec.Containers[0]
		def := map[string]any{"name": c.Name, "image": c.Image, "essential": true}
		if c.Port > 0 {
			def["portMappings"] = []map[string]any{{"containerPort": c.Port, "protocol": "tcp"}}
		}
		defs, _ := json.Marshal([]any{def})
		args := []string{"aws", "ecs", "register-task-definition", "--family", spec.Family, "--network-mode", spec.NetworkMode}
		what := []string{v[tCompat]}
		if spec.Fargate {
			args = append(args, "--requires-compatibilities", "FARGATE")
		}
		if spec.CPU != "" {
			args = append(args, "--cpu", spec.CPU)
			what = append(what, "cpu "+spec.CPU)
		}
		args = append(args, "--memory", spec.Memory)
		what = append(what, "memory "+spec.Memory+" MiB", "container "+c.Name+" from "+c.Image)
		if c.Port > 0 {
			what = append(what, "port "+strconv.Itoa(int(c.Port)))
		}
		if spec.ExecutionRoleARN != "" {
			args = append(args, "--execution-role-arn", spec.ExecutionRoleARN)
			what = append(what, "execution role "+spec.ExecutionRoleARN)
		}
		args = append(args, "--container-definitions", string(defs), "--tags", ecsStackTag(spec.Family))
		return &createPlan{what: "task definition " + spec.Family,
			steps: []launch.Step{{Name: "task definition", Summary: "Register a new revision of " + spec.Family + ": " + strings.Join(what, ", "),
				Resources: []launch.Resource{{Action: "create", Kind: "ECS task definition", Name: spec.Family + " (the next revision)"}},
				Commands:  []string{launch.Shell(args...)}}},
			create: func(ctx context.Context, api Creator) (string, error) {
				arn, err := api.RegisterTaskDefinition(ctx, spec)
				if err != nil {
					return "", err
				}
				return "registered task definition " + lastSegment(arn) + " (" + arn + ")", nil
			}}, nil
	}
	return k
}

func memoryChoices(ms []int) string {
	if len(ms) > 5 {
		return strconv.Itoa(ms[0]) + " to " + strconv.Itoa(ms[len(ms)-1]) + " in steps of " + strconv.Itoa(ms[1]-ms[0])
	}
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = strconv.Itoa(m)
	}
	return strings.Join(s, ", ")
}

func taskDefSpec(v vals) (cloud.TaskDefSpec, error) {
	fargate := v[tCompat] == "FARGATE"
	spec := cloud.TaskDefSpec{Family: v[tFamily], CPU: v[tCPU], Memory: v[tMemory], Fargate: fargate,
		NetworkMode: "bridge", ExecutionRoleARN: v[tRole], Tags: cloud.StackTags(v[tFamily], nil)}
	if fargate {
		spec.NetworkMode = "awsvpc"
	}
	c := cloud.ContainerSpec{Name: v[tContainer], Image: v[tImage], Essential: true}
	if p := v[tPort]; p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return spec, &fieldError{tPort, "Container port: " + strconv.Quote(p) + " is not a port; use 1–65535, or leave it empty for none"}
		}
		c.Port = int32(n)
	}
	if r := spec.ExecutionRoleARN; r != "" && (!strings.HasPrefix(r, "arn:aws") || !strings.Contains(r, ":role/")) {
		return spec, &fieldError{tRole, "Execution role ARN: " + strconv.Quote(r) + " is not a role ARN; it looks like arn:aws:iam::123456789012:role/ecsTaskExecutionRole, or leave it empty"}
	}
	spec.Containers = []cloud.ContainerSpec{c}
	return spec, cloud.ValidateTaskDef(spec)
}

// ecsStackTag is the --tags argument of the stack tag the wizards give what
// they create: the resource's own name, so `:destroy NAME` can remove it.
func ecsStackTag(name string) string { return "key=" + cloud.StackTag + ",value=" + name }
