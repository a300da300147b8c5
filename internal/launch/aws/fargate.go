package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/internal/launch/project"
	"deckhand/scaffold"
)

// Defaults of a Fargate launch.
const (
	DefaultCPU            = "256"
	DefaultMemory         = "512"
	DefaultFargateTimeout = 10 * time.Minute
	DefaultPoll           = 3 * time.Second
	// DefaultMaxFailedTasks: the wait gives up once this many tasks of the
	// new task definition have stopped without serving, rather than waiting
	// for ECS's circuit breaker (which needs 3 and then backs off for
	// minutes between attempts).
	DefaultMaxFailedTasks = 2
	// logPrefix is the awslogs-stream-prefix: a task's stream is
	// deckhand/<container>/<task id>.
	logPrefix = "deckhand"
)

// FargateOptions describe a launch as an ECS service on Fargate.
type FargateOptions struct {
	Stack string
	// Dir is the project to build, pushed to the stack's ECR repository.
	// Ignored when Image is set.
	Dir string
	// Image deploys an existing image, which ECS must be able to pull
	// (public, or in this account's ECR): no build, no push.
	Image string
	// BaseImage is the Dockerfile's BASE_IMAGE build argument.
	BaseImage string
	// Scaffold writes deckhand's Flask project into Dir first when Dir is
	// empty or missing.
	Scaffold bool
	// Port is the app's container port, opened in the security group. 0:
	// the port the image EXPOSEs (the Dockerfile's, or the local image's
	// with Image), else 5000.
	Port int
	// CPU and Memory are the task size, a Fargate pair ("" = 256 and 512).
	CPU, Memory string
	// VpcID runs the service in this VPC; "" = the region's default VPC.
	VpcID string
	// Cluster is the ECS cluster; "" = deckhand-<stack>, created if missing.
	Cluster string
	// LoadBalancer puts an internet-facing Application Load Balancer in
	// front of the service: the URL is its DNS name, and the tasks' port
	// is open to the load balancer only.
	LoadBalancer bool
	// HealthCheck: "" (auto: the python3 check on /health for deckhand's
	// Flask app, none for other images), "none" or "python".
	HealthCheck string
	// NoWait returns once the service is created or updated.
	NoWait bool
	// Timeout bounds the wait for a steady state (0 = 10 minutes); the wait
	// ends early when ECS gives up.
	Timeout time.Duration
	// Poll is the interval of the waits (0 = 3 s).
	Poll time.Duration
	// MaxFailedTasks ends the wait once that many tasks of the new revision
	// have stopped (0 = DefaultMaxFailedTasks).
	MaxFailedTasks int
	// CheckTimeout bounds the HTTP check of the URL (0 = 1 minute).
	CheckTimeout time.Duration
	// Sandbox says the account is the sandbox: a task it only simulates
	// (its image is not on the local engine) has an address nothing
	// answers on, so the HTTP check is skipped, saying so.
	Sandbox bool
}

// FargateResult is filled in by the steps as they run.
type FargateResult struct {
	ImageID        string // the local build
	Image          string // what the tasks run
	TaskDefinition string // ARN of the revision deployed
	ClusterARN     string
	Service        string
	Task           string // ARN of a running task of the revision
	URL            string
	Created        bool // the service was created (false: updated)
}

type fargate struct {
	FargateOptions
	// imageSource is the build and push (or the existing image), shared
	// with the EC2 target; it holds the backend, the engine and the app
	// port.
	imageSource
	res *FargateResult

	health  bool   // the task definition has the python3 health check
	welcome string // expected in GET /, "" = any 2xx

	local bool // the URL is a local engine's binding (the sandbox runs the task)
	// runtimeID is the running task's container on an engine (the sandbox
	// runs it for real), so a missing binding is the engine's doing, not
	// a missing image.
	runtimeID string
	roleARN   string
	roleNew   bool
	subnets   []string
	vpc       string
	groupID   string
	deployed  time.Time // when the service was created or updated

	// With a load balancer (fargate_lb.go).
	lbSubnets   []string // one per availability zone
	lbGroupID   string
	lb          cloud.LoadBalancer
	targetGroup string            // ARN
	lbSeen      map[string]string // what the wait last said of the LB and each target
	svcBefore   bool              // the service existed
	// oldStopped are the service's tasks that had stopped before this
	// deployment: the wait does not count them as failures.
	oldStopped map[string]bool
}

// Fargate returns the steps of a launch as an ECS service on Fargate and the
// result they fill in. Nothing is called until the steps run: be and eng
// may be nil for a dry run (eng is needed only to build and push). Input
// that cannot work is refused here as an *InputError.
func Fargate(be Backend, eng *dockerops.Engine, o FargateOptions) ([]launch.Step, *FargateResult, error) {
	if err := launch.ValidateStackName(o.Stack); err != nil {
		return nil, nil, err
	}
	if o.CPU == "" {
		o.CPU = DefaultCPU
	}
	if o.Memory == "" {
		o.Memory = DefaultMemory
	}
	if err := cloud.ValidateFargateSize(o.CPU, o.Memory); err != nil {
		field, val := "cpu", o.CPU
		var ae *cloud.Error
		if errors.As(err, &ae) && ae.Field == "Memory" {
			field, val = "memory", o.Memory
		}
		return nil, nil, fromAPI(field, val, err)
	}
	if err := validatePort("port", o.Port); err != nil {
		return nil, nil, err
	}
	if o.VpcID != "" {
		if err := cloud.ValidateVpcID("DescribeVpcs", o.VpcID); err != nil {
			return nil, nil, fromAPI("vpc", o.VpcID, err)
		}
	}
	if o.Cluster == "" {
		o.Cluster = ClusterName(o.Stack)
	} else if err := cloud.ValidateCreateCluster(o.Cluster, nil); err != nil {
		return nil, nil, fromAPI("cluster", o.Cluster, err)
	}
	switch o.HealthCheck {
	case "", "none", "python":
	default:
		return nil, nil, inputErr("health-check", o.HealthCheck, "use python (the python3 check on /health), none, or leave it out")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultFargateTimeout
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.MaxFailedTasks <= 0 {
		o.MaxFailedTasks = DefaultMaxFailedTasks
	}
	if o.CheckTimeout <= 0 {
		o.CheckTimeout = time.Minute
	}
	p := &fargate{FargateOptions: o, res: &FargateResult{Service: o.Stack}, lbSeen: map[string]string{}}
	p.imageSource = imageSource{stack: o.Stack, dir: o.Dir, baseImage: o.BaseImage, scaffold: o.Scaffold, existing: o.Image,
		be: be, eng: eng, ref: &p.res.Image, builtID: &p.res.ImageID}
	if o.Image != "" {
		if err := validateImageRef("image", o.Image); err != nil {
			return nil, nil, err
		}
		if o.BaseImage != "" || o.Scaffold {
			return nil, nil, inputErr("image", o.Image, "deploys an existing image: --base-image and --scaffold apply only when building DIR")
		}
		p.port = o.Port
	} else {
		proj, err := inspectProject(o.Dir, o.Stack, o.Scaffold)
		if err != nil {
			return nil, nil, err
		}
		p.proj, p.welcome = proj, proj.Welcome
		p.port = o.Port
		if p.port == 0 {
			p.port = proj.Port
		}
		if proj.Scaffold && p.port != scaffold.DefaultPort && o.Port != 0 {
			return nil, nil, inputErr("port", strconv.Itoa(o.Port), "the scaffolded app listens on %d; leave --port out (or scaffold with --port first)", scaffold.DefaultPort)
		}
	}
	p.health = o.HealthCheck == "python" || (o.HealthCheck == "" && o.Image == "" && p.proj.Deckhand)

	var steps []launch.Step
	if o.Image == "" {
		if o.Scaffold {
			steps = append(steps, project.ScaffoldStep(p.proj, o.Stack))
		}
		steps = append(steps, p.buildStep(), p.repositoryStep(), p.loginStep(), p.pushStep())
	} else {
		steps = append(steps, p.imageStep())
	}
	steps = append(steps, p.logGroupStep(), p.roleStep(), p.taskDefStep(), p.clusterStep(), p.networkStep())
	if o.LoadBalancer {
		steps = append(steps, p.lbGroupStep(), p.securityGroupStep(), p.loadBalancerStep())
	} else {
		steps = append(steps, p.securityGroupStep())
	}
	steps = append(steps, p.serviceStep(), p.waitStep(), p.urlStep(), p.checkStep())
	return steps, p.res, nil
}

// portText is the app port for plans: known, or a placeholder.
func (p *fargate) portText() string {
	if p.port != 0 {
		return strconv.Itoa(p.port)
	}
	return "APP_PORT"
}

func (p *fargate) logGroupStep() launch.Step {
	name := LogGroupName(p.Stack)
	return launch.Step{
		Name:      "log-group",
		Summary:   "Find or create the CloudWatch Logs group " + name + " for the tasks' output",
		Resources: []launch.Resource{{Action: "create", Kind: "CloudWatch Logs group", Name: name + " (if missing)"}},
		Commands:  []string{launch.Shell("aws", "logs", "create-log-group", "--log-group-name", name, "--tags", cliTags(p.Stack, "logs"))},
		Run: func(ctx context.Context, out *launch.Output) error {
			created, err := p.be.EnsureLogGroup(ctx, name, tags(p.Stack))
			if err != nil {
				return err
			}
			if created {
				out.Created(launch.Resource{Action: "create", Kind: "CloudWatch Logs group", Name: name})
				out.Result("created " + name)
			} else {
				out.Result("found " + name)
			}
			return nil
		},
	}
}

func (p *fargate) roleStep() launch.Step {
	name := ExecRoleName(p.Stack)
	return launch.Step{
		Name: "exec-role",
		Summary: "Find or create the IAM role " + name + " (trusted by ecs-tasks.amazonaws.com, with AmazonECSTaskExecutionRolePolicy): " +
			"ECS pulls the image and writes the logs with it",
		Resources: []launch.Resource{
			{Action: "create", Kind: "IAM role", Name: cloud.TaskExecutionRolePath + name + " (if missing)"},
			{Action: "attach", Kind: "IAM policy", Name: cloud.TaskExecutionPolicyARN + " to " + name},
		},
		Commands: []string{
			launch.Shell("aws", "iam", "create-role", "--role-name", name, "--path", cloud.TaskExecutionRolePath,
				"--assume-role-policy-document", cloud.TaskExecutionTrustPolicy, "--tags", cliTags(p.Stack, "")),
			launch.Shell("aws", "iam", "attach-role-policy", "--role-name", name, "--policy-arn", cloud.TaskExecutionPolicyARN),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			out.Linef("IAM: finding role %s, creating it if missing, and attaching AmazonECSTaskExecutionRolePolicy", name)
			arn, created, err := p.be.EnsureTaskExecutionRole(ctx, name, tags(p.Stack))
			if err != nil {
				return err
			}
			p.roleARN, p.roleNew = arn, created
			if created {
				out.Created(launch.Resource{Action: "create", Kind: "IAM role", Name: name})
				out.Result("created " + arn)
			} else {
				out.Result("found " + arn)
			}
			return nil
		},
		Explain: func(err error) string {
			if hasCode(err, cloud.CodeRoleNotAssumable) {
				return "a role named " + name + " exists but ECS tasks cannot assume it; deckhand does not change roles it did not create: delete or rename it, or launch under another --name"
			}
			return ""
		},
	}
}

// taskDefSpec is the task definition the launch registers.
func (p *fargate) taskDefSpec() cloud.TaskDefSpec {
	c := cloud.ContainerSpec{
		Name: p.Stack, Image: p.res.Image, Port: int32(p.port), Essential: true,
		LogGroup: LogGroupName(p.Stack), LogPrefix: logPrefix,
	}
	if p.health {
		c.HealthCommand = healthCommand(p.port)
	}
	return cloud.TaskDefSpec{
		Family: p.Stack, CPU: p.CPU, Memory: p.Memory, NetworkMode: "awsvpc", Fargate: true,
		ExecutionRoleARN: p.roleARN, Containers: []cloud.ContainerSpec{c}, Tags: tags(p.Stack),
	}
}

// containerJSON is the --container-definitions of the plan's command.
func (p *fargate) containerJSON() string {
	image := p.Image
	if image == "" {
		image = "REPOSITORY_URI:TAG"
	}
	port := any(p.port)
	if p.port == 0 {
		port = "APP_PORT"
	}
	def := map[string]any{
		"name": p.Stack, "image": image, "essential": true,
		"portMappings": []any{map[string]any{"containerPort": port, "protocol": "tcp"}},
		"logConfiguration": map[string]any{"logDriver": "awslogs", "options": map[string]string{
			"awslogs-group": LogGroupName(p.Stack), "awslogs-region": "REGION", "awslogs-stream-prefix": logPrefix}},
	}
	if p.health {
		def["healthCheck"] = map[string]any{"command": healthCommand(p.port)}
	}
	b, _ := json.Marshal([]any{def})
	return string(b)
}

func (p *fargate) taskDefStep() launch.Step {
	health := "no container health check (not deckhand's Flask app; --health-check python adds one)"
	if p.health {
		health = "health check: python3 urllib on /health"
	}
	return launch.Step{
		Name: "task-definition",
		Summary: fmt.Sprintf("Register a revision of task definition %s: Fargate, cpu %s, memory %s, port %s, awslogs to %s, %s",
			p.Stack, p.CPU, p.Memory, p.portText(), LogGroupName(p.Stack), health),
		Resources: []launch.Resource{{Action: "create", Kind: "ECS task definition", Name: p.Stack + " (a new revision)"}},
		Commands: []string{launch.Shell("aws", "ecs", "register-task-definition", "--family", p.Stack,
			"--requires-compatibilities", "FARGATE", "--network-mode", "awsvpc", "--cpu", p.CPU, "--memory", p.Memory,
			"--execution-role-arn", "ROLE_ARN", "--container-definitions", p.containerJSON(), "--tags", cliTags(p.Stack, "ecs"))},
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.port == 0 {
				p.port = scaffold.DefaultPort
				out.Linef("the port of %s is unknown; assuming %d (pass --port to choose)", p.res.Image, p.port)
			}
			spec := p.taskDefSpec()
			// IAM is eventually consistent: ECS may refuse a role created
			// seconds ago.
			wait := time.Duration(0)
			if p.roleNew {
				wait = 30 * time.Second
			}
			var arn string
			err := retryable(ctx, out, wait, 3*time.Second, roleNotReady, "RegisterTaskDefinition", func() error {
				var err error
				arn, err = p.be.RegisterTaskDefinition(ctx, spec)
				return err
			})
			if err != nil {
				return err
			}
			p.res.TaskDefinition = arn
			out.Created(launch.Resource{Action: "create", Kind: "ECS task definition", Name: familyRevision(arn)})
			out.Result(familyRevision(arn))
			return nil
		},
	}
}

// roleNotReady reports whether err looks like ECS not seeing a new role yet.
func roleNotReady(err error) bool {
	m := strings.ToLower(err.Error())
	return strings.Contains(m, "role") && (strings.Contains(m, "assume") || strings.Contains(m, "not valid") || strings.Contains(m, "invalid"))
}

// familyRevision is "family:revision" of a task definition ARN.
func familyRevision(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}
