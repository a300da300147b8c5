package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

// The task-definition wizard: one container, with awslogs on by default
// (tasks made without it have no logs to read) and an execution role made
// when ECS needs one and none was given (awslogs on Fargate, a private ECR
// image), since real ECS refuses or cannot pull without it.

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
			textField(tRole, "Execution role ARN", "", "optional: empty = one is made when needed (awslogs on Fargate, a private ECR image)"),
			toggleField(tLogs, "Logs (awslogs)", true, "send the container's output to CloudWatch Logs group /ecs/FAMILY"),
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
		var steps []launch.Step
		if c.LogGroup != "" {
			def["logConfiguration"] = map[string]any{"logDriver": "awslogs", "options": map[string]string{
				"awslogs-group": c.LogGroup, "awslogs-region": "REGION", "awslogs-stream-prefix": c.LogPrefix}}
			defs, _ = json.Marshal([]any{def})
			what = append(what, "logs to "+c.LogGroup)
			steps = append(steps, launch.Step{Name: "log group", Summary: "Create CloudWatch Logs group " + c.LogGroup + " (kept when it exists)",
				Resources: []launch.Resource{{Action: "create", Kind: "CloudWatch Logs group", Name: c.LogGroup}},
				Commands:  []string{launch.Shell("aws", "logs", "create-log-group", "--log-group-name", c.LogGroup)}})
		}
		role := spec.ExecutionRoleARN
		if makeRole := needsExecRole(spec); makeRole != "" {
			role = "ROLE_ARN"
			steps = append(steps, launch.Step{Name: "execution role", Summary: "Create IAM role " + execRoleName(spec.Family) +
				" with AmazonECSTaskExecutionRolePolicy (kept when it exists): " + makeRole,
				Resources: []launch.Resource{{Action: "create", Kind: "IAM role", Name: execRoleName(spec.Family)}},
				Commands: []string{launch.Shell("aws", "iam", "create-role", "--role-name", execRoleName(spec.Family), "--path", cloud.TaskExecutionRolePath,
					"--assume-role-policy-document", cloud.TaskExecutionTrustPolicy),
					launch.Shell("aws", "iam", "attach-role-policy", "--role-name", execRoleName(spec.Family), "--policy-arn", cloud.TaskExecutionPolicyARN)}})
		}
		if role != "" {
			args = append(args, "--execution-role-arn", role)
			what = append(what, "execution role "+role)
		}
		args = append(args, "--container-definitions", string(defs), "--tags", ecsStackTag(spec.Family))
		steps = append(steps, launch.Step{Name: "task definition", Summary: "Register a new revision of " + spec.Family + ": " + strings.Join(what, ", "),
			Resources: []launch.Resource{{Action: "create", Kind: "ECS task definition", Name: spec.Family + " (the next revision)"}},
			Commands:  []string{launch.Shell(args...)}})
		return &createPlan{what: "task definition " + spec.Family, steps: steps,
			create: func(ctx context.Context, api Creator) (string, error) {
				return registerTaskDef(ctx, api, spec)
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
	if v.on(tLogs) {
		c.LogGroup, c.LogPrefix = "/ecs/"+spec.Family, "ecs"
	}
	spec.Containers = []cloud.ContainerSpec{c}
	check := spec
	if needsExecRole(spec) != "" {
		// The role is made before the revision is registered (see
		// registerTaskDef): check the rest as if it were there.
		check.ExecutionRoleARN = "arn:aws:iam::000000000000:role" + cloud.TaskExecutionRolePath + execRoleName(spec.Family)
	}
	return spec, cloud.ValidateTaskDef(check)
}

// rePrivateECR is an image in a private ECR registry, which ECS pulls with
// the task's execution role.
var rePrivateECR = regexp.MustCompile(`^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/`)

// needsExecRole says why the task definition needs an execution role that
// was not given ("" when it needs none).
func needsExecRole(spec cloud.TaskDefSpec) string {
	if spec.ExecutionRoleARN != "" {
		return ""
	}
	c := spec.Containers[0]
	switch {
	case rePrivateECR.MatchString(c.Image):
		return "ECS pulls the private ECR image " + c.Image + " with it"
	case c.LogGroup != "" && spec.Fargate:
		return "Fargate sends awslogs with it"
	}
	return ""
}

// execRoleName is the role made for a family: deckhand-FAMILY-exec, cut to
// IAM's 64 characters.
func execRoleName(family string) string {
	n := "deckhand-" + family
	return n[:min(len(n), 59)] + "-exec"
}

// registerTaskDef makes the log group and the execution role the plan
// listed, then registers the revision.
func registerTaskDef(ctx context.Context, api Creator, spec cloud.TaskDefSpec) (string, error) {
	var made []string
	c := spec.Containers[0]
	if c.LogGroup != "" {
		created, err := api.EnsureLogGroup(ctx, c.LogGroup, cloud.StackTags(spec.Family, nil))
		if err != nil {
			return "", err
		}
		if created {
			made = append(made, "log group "+c.LogGroup)
		}
	}
	if needsExecRole(spec) != "" {
		arn, created, err := api.EnsureTaskExecutionRole(ctx, execRoleName(spec.Family), cloud.StackTags(spec.Family, nil))
		if err != nil {
			return "", err
		}
		spec.ExecutionRoleARN = arn
		if created {
			made = append(made, "role "+execRoleName(spec.Family))
		}
	}
	arn, err := api.RegisterTaskDefinition(ctx, spec)
	if err != nil {
		if len(made) > 0 {
			return "", fmt.Errorf("%w — made and kept: %s", err, strings.Join(made, ", "))
		}
		return "", err
	}
	msg := "registered task definition " + lastSegment(arn) + " (" + arn + ")"
	if len(made) > 0 {
		msg += "; created " + strings.Join(made, ", ")
	}
	return msg, nil
}
