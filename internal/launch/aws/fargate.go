package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	awsapi "deckhand/aws"
	"deckhand/dockerops"
	"deckhand/internal/launch"
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

	local     bool // the URL is a local engine's binding (the sandbox runs the task)
	roleARN   string
	roleNew   bool
	subnets   []string
	vpc       string
	groupID   string
	deployed  time.Time // when the service was created or updated
	svcBefore bool      // the service existed
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
	if err := awsapi.ValidateFargateSize(o.CPU, o.Memory); err != nil {
		field, val := "cpu", o.CPU
		var ae *awsapi.Error
		if errors.As(err, &ae) && ae.Field == "Memory" {
			field, val = "memory", o.Memory
		}
		return nil, nil, fromAPI(field, val, err)
	}
	if err := validatePort("port", o.Port); err != nil {
		return nil, nil, err
	}
	if o.VpcID != "" {
		if err := awsapi.ValidateVpcID("DescribeVpcs", o.VpcID); err != nil {
			return nil, nil, fromAPI("vpc", o.VpcID, err)
		}
	}
	if o.Cluster == "" {
		o.Cluster = ClusterName(o.Stack)
	} else if err := awsapi.ValidateCreateCluster(o.Cluster, nil); err != nil {
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
	p := &fargate{FargateOptions: o, res: &FargateResult{Service: o.Stack}}
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
		proj, err := inspectProject(o.Dir, o.Stack, o.Scaffold, scaffold.DefaultPort)
		if err != nil {
			return nil, nil, err
		}
		p.proj, p.welcome = proj, proj.welcome
		p.port = o.Port
		if p.port == 0 {
			p.port = proj.port
		}
		if proj.scaffold && p.port != scaffold.DefaultPort && o.Port != 0 {
			return nil, nil, inputErr("port", strconv.Itoa(o.Port), "the scaffolded app listens on %d; leave --port out (or scaffold with --port first)", scaffold.DefaultPort)
		}
	}
	p.health = o.HealthCheck == "python" || (o.HealthCheck == "" && o.Image == "" && p.proj.deckhand)

	var steps []launch.Step
	if o.Image == "" {
		if o.Scaffold {
			steps = append(steps, p.scaffoldStep())
		}
		steps = append(steps, p.buildStep(), p.repositoryStep(), p.loginStep(), p.pushStep())
	} else {
		steps = append(steps, p.imageStep())
	}
	steps = append(steps, p.logGroupStep(), p.roleStep(), p.taskDefStep(), p.clusterStep(),
		p.networkStep(), p.securityGroupStep(), p.serviceStep(), p.waitStep(), p.urlStep(), p.checkStep())
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
			{Action: "create", Kind: "IAM role", Name: awsapi.TaskExecutionRolePath + name + " (if missing)"},
			{Action: "attach", Kind: "IAM policy", Name: awsapi.TaskExecutionPolicyARN + " to " + name},
		},
		Commands: []string{
			launch.Shell("aws", "iam", "create-role", "--role-name", name, "--path", awsapi.TaskExecutionRolePath,
				"--assume-role-policy-document", awsapi.TaskExecutionTrustPolicy, "--tags", cliTags(p.Stack, "")),
			launch.Shell("aws", "iam", "attach-role-policy", "--role-name", name, "--policy-arn", awsapi.TaskExecutionPolicyARN),
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
			if hasCode(err, awsapi.CodeRoleNotAssumable) {
				return "a role named " + name + " exists but ECS tasks cannot assume it; deckhand does not change roles it did not create: delete or rename it, or launch under another --name"
			}
			return ""
		},
	}
}

// taskDefSpec is the task definition the launch registers.
func (p *fargate) taskDefSpec() awsapi.TaskDefSpec {
	c := awsapi.ContainerSpec{
		Name: p.Stack, Image: p.res.Image, Port: int32(p.port), Essential: true,
		LogGroup: LogGroupName(p.Stack), LogPrefix: logPrefix,
	}
	if p.health {
		c.HealthCommand = healthCommand(p.port)
	}
	return awsapi.TaskDefSpec{
		Family: p.Stack, CPU: p.CPU, Memory: p.Memory, NetworkMode: "awsvpc", Fargate: true,
		ExecutionRoleARN: p.roleARN, Containers: []awsapi.ContainerSpec{c}, Tags: tags(p.Stack),
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

func (p *fargate) clusterStep() launch.Step {
	action := "create"
	what := " (if missing)"
	if p.Cluster != ClusterName(p.Stack) {
		what = " (if missing; created clusters are tagged with the stack, found ones are left as they are)"
	}
	return launch.Step{
		Name:      "cluster",
		Summary:   "Find or create the ECS cluster " + p.Cluster,
		Resources: []launch.Resource{{Action: action, Kind: "ECS cluster", Name: p.Cluster + what}},
		Commands:  []string{launch.Shell("aws", "ecs", "create-cluster", "--cluster-name", p.Cluster, "--tags", cliTags(p.Stack, "ecs"))},
		Run: func(ctx context.Context, out *launch.Output) error {
			cs, err := p.be.Clusters(ctx)
			if err != nil {
				return err
			}
			for _, c := range cs {
				if c.Name == p.Cluster && c.Status == "ACTIVE" {
					p.res.ClusterARN = c.ARN
					out.Result("found " + c.ARN)
					return nil
				}
			}
			c, err := p.be.CreateCluster(ctx, p.Cluster, tags(p.Stack))
			if err != nil {
				return err
			}
			p.res.ClusterARN = c.ARN
			out.Created(launch.Resource{Action: "create", Kind: "ECS cluster", Name: p.Cluster})
			out.Result("created " + c.ARN)
			return nil
		},
	}
}

func (p *fargate) networkStep() launch.Step {
	vpc := p.VpcID
	summary := "Find the subnets of VPC " + vpc
	cmds := []string{}
	if vpc == "" {
		vpc = "the default VPC"
		summary = "Find the region's default VPC and its subnets"
		cmds = append(cmds, launch.Shell("aws", "ec2", "describe-vpcs", "--filters", "Name=is-default,Values=true"))
	}
	cmds = append(cmds, launch.Shell("aws", "ec2", "describe-subnets", "--filters", "Name=vpc-id,Values="+orPlaceholder(p.VpcID, "VPC_ID")))
	return launch.Step{
		Name:      "network",
		Summary:   summary + " (the service's tasks run there with a public IP)",
		Resources: []launch.Resource{{Action: "use", Kind: "VPC", Name: vpc + " and its subnets"}},
		Commands:  cmds,
		Run: func(ctx context.Context, out *launch.Output) error {
			vpc, subnets, err := findNetwork(ctx, p.be, p.VpcID)
			if err != nil {
				return err
			}
			p.vpc = vpc
			p.subnets = nil
			for _, s := range subnets {
				if len(p.subnets) < 16 { // ECS takes at most 16
					p.subnets = append(p.subnets, s.ID)
				}
			}
			out.Result(fmt.Sprintf("%s, subnets %s", vpc, strings.Join(p.subnets, ", ")))
			return nil
		},
		Explain: networkExplain,
	}
}

// findNetwork returns the VPC (vpcID, or the default VPC) and its subnets.
func findNetwork(ctx context.Context, be Backend, vpcID string) (string, []awsapi.Subnet, error) {
	if vpcID == "" {
		v, err := be.DefaultVPC(ctx)
		if err != nil {
			return "", nil, err
		}
		vpcID = v.ID
	}
	subnets, err := be.Subnets(ctx, vpcID)
	if err != nil {
		return "", nil, err
	}
	if len(subnets) == 0 {
		return "", nil, fmt.Errorf("VPC %s has no subnets: create one (with a route to an internet gateway), or pass another --vpc", vpcID)
	}
	return vpcID, subnets, nil
}

func networkExplain(err error) string {
	if hasCode(err, awsapi.CodeNoDefaultVPC) {
		return "this region has no default VPC: pass --vpc with a VPC whose subnets reach the internet, or create the default VPC (aws ec2 create-default-vpc)"
	}
	return ""
}

func orPlaceholder(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return s
}

func (p *fargate) securityGroupStep() launch.Step {
	name := FargateGroupName(p.Stack)
	return launch.Step{
		Name:    "security-group",
		Summary: fmt.Sprintf("Find or create the security group %s opening only TCP %s (the app) from anywhere", name, p.portText()),
		Resources: []launch.Resource{
			{Action: "create", Kind: "security group", Name: name + " (if missing)"},
			{Action: "allow", Kind: "ingress", Name: "tcp " + p.portText() + " from 0.0.0.0/0"},
		},
		Commands: []string{
			launch.Shell("aws", "ec2", "create-security-group", "--group-name", name, "--description", "deckhand: "+p.Stack+" app port for Fargate tasks",
				"--vpc-id", orPlaceholder(p.VpcID, "VPC_ID"), "--tag-specifications", "ResourceType=security-group,"+cliTags(p.Stack, "ec2")),
			launch.Shell("aws", "ec2", "authorize-security-group-ingress", "--group-id", "SG_ID", "--protocol", "tcp", "--port", p.portText(), "--cidr", "0.0.0.0/0"),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			id, created, err := p.be.EnsureSecurityGroup(ctx, awsapi.SecurityGroupSpec{
				Name: name, Description: "deckhand: " + p.Stack + " app port for Fargate tasks", VpcID: p.vpc,
				Ingress: []awsapi.IngressRule{{Protocol: "tcp", Port: int32(p.port), CIDR: "0.0.0.0/0", Description: "deckhand app port"}},
				Tags:    tags(p.Stack),
			})
			if err != nil {
				return err
			}
			p.groupID = id
			if created {
				out.Created(launch.Resource{Action: "create", Kind: "security group", Name: name + " " + id})
				out.Result(fmt.Sprintf("created %s: tcp %d from anywhere", id, p.port))
			} else {
				out.Result(fmt.Sprintf("found %s; tcp %d from anywhere is allowed", id, p.port))
			}
			return nil
		},
	}
}

func (p *fargate) serviceStep() launch.Step {
	netcfg := "awsvpcConfiguration={subnets=[SUBNET_IDS],securityGroups=[SG_ID],assignPublicIp=ENABLED}"
	return launch.Step{
		Name: "service",
		Summary: fmt.Sprintf("Create the ECS service %s in %s (1 Fargate task, public IP, circuit breaker with rollback), "+
			"or update it to the new revision (a new deployment)", p.Stack, p.Cluster),
		Resources: []launch.Resource{{Action: "create", Kind: "ECS service", Name: p.Stack + " in " + p.Cluster + " (or update it)"}},
		Commands: []string{
			launch.Shell("aws", "ecs", "create-service", "--cluster", p.Cluster, "--service-name", p.Stack, "--task-definition", p.Stack,
				"--desired-count", "1", "--launch-type", "FARGATE", "--network-configuration", netcfg,
				"--deployment-configuration", "deploymentCircuitBreaker={enable=true,rollback=true}", "--tags", cliTags(p.Stack, "ecs")),
			"# or, when the service exists:\n" + launch.Shell("aws", "ecs", "update-service", "--cluster", p.Cluster, "--service", p.Stack,
				"--task-definition", p.Stack, "--desired-count", "1"),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			svcs, err := p.be.Services(ctx, p.res.ClusterARN)
			if err != nil {
				return err
			}
			for _, s := range svcs {
				if s.Name != p.Stack {
					continue
				}
				switch s.Status {
				case "ACTIVE":
					ts, err := p.be.Tasks(ctx, p.res.ClusterARN)
					if err != nil {
						return err
					}
					p.oldStopped = map[string]bool{}
					for _, t := range ts {
						if t.Service() == p.Stack && t.LastStatus == "STOPPED" {
							p.oldStopped[t.ARN] = true
						}
					}
					p.svcBefore = true
					p.deployed = time.Now()
					u, err := p.be.UpdateService(ctx, p.res.ClusterARN, p.Stack, 1, p.res.TaskDefinition)
					if err != nil {
						return err
					}
					out.Created(launch.Resource{Action: "update", Kind: "ECS service", Name: p.Stack})
					out.Result(fmt.Sprintf("updated %s to %s: a new deployment", u.Name, familyRevision(p.res.TaskDefinition)))
					return nil
				case "DRAINING":
					return fmt.Errorf("the service %s is being deleted (DRAINING); wait until it is gone (a few minutes), then launch again", p.Stack)
				}
			}
			p.deployed = time.Now()
			s, err := p.be.CreateService(ctx, awsapi.ServiceSpec{
				Cluster: p.res.ClusterARN, Name: p.Stack, TaskDefinition: p.res.TaskDefinition, Desired: 1, LaunchType: "FARGATE",
				Subnets: p.subnets, SecurityGroups: []string{p.groupID}, PublicIP: true, CircuitBreaker: true, Tags: tags(p.Stack),
			})
			if err != nil {
				return err
			}
			p.res.Created = true
			out.Created(launch.Resource{Action: "create", Kind: "ECS service", Name: p.Stack})
			out.Result("created " + s.ARN)
			return nil
		},
	}
}

func (p *fargate) urlStep() launch.Step {
	return launch.Step{
		Name:    "url",
		Summary: "Find the URL: the running task's public IP and port " + p.portText(),
		Commands: []string{
			launch.Shell("aws", "ecs", "list-tasks", "--cluster", p.Cluster, "--service-name", p.Stack, "--desired-status", "RUNNING"),
			launch.Shell("aws", "ecs", "describe-tasks", "--cluster", p.Cluster, "--tasks", "TASK_ARN",
				"--query", "tasks[0].attachments[0].details[?name==`networkInterfaceId`].value"),
			launch.Shell("aws", "ec2", "describe-network-interfaces", "--network-interface-ids", "ENI_ID",
				"--query", "NetworkInterfaces[0].Association.PublicIp"),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.NoWait {
				return launch.Skip("--no-wait")
			}
			url, err := p.findURL(ctx, out)
			if err != nil {
				return err
			}
			p.res.URL = url
			out.Result(url)
			return nil
		},
		Explain: func(err error) string {
			if hasCode(err, awsapi.CodeNoPublicIP) {
				return "the task has no public IP: its subnet must assign one (the service asks for it) and have a route to an internet gateway; with private subnets use a load balancer"
			}
			return ""
		},
	}
}

// findURL is the URL of the running task: its container's network binding
// when it has one (the sandbox runs it on the local engine, published on
// 127.0.0.1), else the public IP of its network interface.
func (p *fargate) findURL(ctx context.Context, out *launch.Output) (string, error) {
	ts, err := p.be.Tasks(ctx, p.res.ClusterARN)
	if err != nil {
		return "", err
	}
	var task string
	for _, t := range ts {
		if t.Service() != p.Stack || t.LastStatus != "RUNNING" || t.TaskDefinition != p.res.TaskDefinition || t.DesiredStatus == "STOPPED" {
			continue
		}
		task = t.ARN
		for _, c := range t.Containers {
			for _, b := range c.NetworkBindings {
				if b.ContainerPort == int32(p.port) && b.HostPort != 0 {
					host := b.HostIP
					if host == "" || host == "0.0.0.0" {
						host = "127.0.0.1"
					}
					p.res.Task, p.local = t.ARN, true
					out.Linef("task %s's container publishes port %d on %s:%d", t.ID, p.port, host, b.HostPort)
					return fmt.Sprintf("http://%s:%d/", host, b.HostPort), nil
				}
			}
		}
	}
	if p.res.Task != "" {
		task = p.res.Task
	}
	if task == "" {
		return "", fmt.Errorf("service %s has no running task of %s", p.Stack, familyRevision(p.res.TaskDefinition))
	}
	p.res.Task = task
	var ip string
	err = retryable(ctx, out, 30*time.Second, 2*time.Second, func(err error) bool { return hasCode(err, awsapi.CodeNoPublicIP) },
		"TaskPublicIP", func() error {
			var err error
			ip, err = p.be.TaskPublicIP(ctx, p.res.ClusterARN, task)
			return err
		})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("http://%s:%d/", ip, p.port), nil
}

func (p *fargate) checkStep() launch.Step {
	what := "answers 2xx"
	if p.welcome != "" {
		what = fmt.Sprintf("answers 2xx with %q", p.welcome)
	}
	return launch.Step{
		Name:     "check",
		Summary:  "Check that GET / " + what,
		Commands: []string{launch.Shell("curl", "-fsS", "http://PUBLIC_IP:"+p.portText()+"/")},
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.NoWait {
				return launch.Skip("--no-wait")
			}
			if p.Sandbox && !p.local {
				url := p.res.URL
				p.res.URL = "" // no URL to give: nothing answers there
				return launch.Skip("the sandbox only simulates this task, because the local Docker engine does not have its image " + p.res.Image +
					", so nothing answers on " + url + "; pull or build the image locally and the sandbox runs it for real")
			}
			return checkHTTP(ctx, out, p.res.URL, p.welcome, p.CheckTimeout, 2*time.Second)
		},
		Explain: func(err error) string {
			return "the task runs but its URL does not answer as expected: check that the app listens on 0.0.0.0 and the port the task definition maps, and its logs (aws logs tail " + LogGroupName(p.Stack) + ")"
		},
	}
}
