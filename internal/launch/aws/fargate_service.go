package aws

// The Fargate steps from the cluster on: network, security group, service,
// URL and the HTTP check. fargate.go holds the plan and the steps before.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

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
			// Before anything of the network changes: a re-run must not
			// open the tasks' port to the world and then fail.
			if err := p.sameLoadBalancer(ctx); err != nil {
				return err
			}
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
			if p.LoadBalancer {
				p.lbSubnets = lbSubnets(subnets)
				if len(p.lbSubnets) < 2 {
					return fmt.Errorf("VPC %s has subnets in only one availability zone; an Application Load Balancer needs two: add a subnet in another zone, or launch without a load balancer", vpc)
				}
			}
			out.Result(fmt.Sprintf("%s, subnets %s", vpc, strings.Join(p.subnets, ", ")))
			return nil
		},
		Explain: networkExplain,
	}
}

// findNetwork returns the VPC (vpcID, or the default VPC) and its subnets.
func findNetwork(ctx context.Context, be Backend, vpcID string) (string, []cloud.Subnet, error) {
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
	if hasCode(err, cloud.CodeNoDefaultVPC) {
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
	// Without a load balancer the world reaches the tasks; with one, only
	// the load balancer does.
	from, source, cliFrom := "anywhere", "0.0.0.0/0", []string{"--cidr", "0.0.0.0/0"}
	if p.LoadBalancer {
		from, source, cliFrom = "the load balancer's group "+LBGroupName(p.Stack), LBGroupName(p.Stack), []string{"--source-group", "LB_SG_ID"}
	}
	return launch.Step{
		Name:    "security-group",
		Summary: fmt.Sprintf("Find or create the security group %s opening only TCP %s (the app) from %s", name, p.portText(), from),
		Resources: []launch.Resource{
			{Action: "create", Kind: "security group", Name: name + " (if missing)"},
			{Action: "allow", Kind: "ingress", Name: "tcp " + p.portText() + " from " + source},
		},
		Commands: []string{
			launch.Shell("aws", "ec2", "create-security-group", "--group-name", name, "--description", "deckhand: "+p.Stack+" app port for Fargate tasks",
				"--vpc-id", orPlaceholder(p.VpcID, "VPC_ID"), "--tag-specifications", "ResourceType=security-group,"+cliTags(p.Stack, "ec2")),
			launch.Shell(append([]string{"aws", "ec2", "authorize-security-group-ingress", "--group-id", "SG_ID", "--protocol", "tcp", "--port", p.portText()}, cliFrom...)...),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			rule := cloud.IngressRule{Protocol: "tcp", Port: int32(p.port), CIDR: "0.0.0.0/0", Description: "deckhand app port"}
			if p.LoadBalancer {
				rule.CIDR, rule.SourceGroupID = "", p.lbGroupID
			}
			id, err := ensureGroup(ctx, p.be, out, cloud.SecurityGroupSpec{
				Name: name, Description: "deckhand: " + p.Stack + " app port for Fargate tasks", VpcID: p.vpc,
				Ingress: []cloud.IngressRule{rule},
				Tags:    tags(p.Stack),
			}, fmt.Sprintf("tcp %d from %s", p.port, from))
			p.groupID = id
			return err
		},
	}
}

// lbGrace is how long ECS ignores the load balancer's health checks of a
// new task: gunicorn answers within seconds, but a cold Fargate task may
// take longer to pass two checks.
const lbGrace = 60

func (p *fargate) serviceStep() launch.Step {
	netcfg := "awsvpcConfiguration={subnets=[SUBNET_IDS],securityGroups=[SG_ID],assignPublicIp=ENABLED}"
	create := []string{"aws", "ecs", "create-service", "--cluster", p.Cluster, "--service-name", p.Stack, "--task-definition", p.Stack,
		"--desired-count", "1", "--launch-type", "FARGATE", "--network-configuration", netcfg,
		"--deployment-configuration", "deploymentCircuitBreaker={enable=true,rollback=true}", "--tags", cliTags(p.Stack, "ecs")}
	lb := ""
	if p.LoadBalancer {
		create = append(create, "--load-balancers", fmt.Sprintf("targetGroupArn=TG_ARN,containerName=%s,containerPort=%s", p.Stack, p.portText()),
			"--health-check-grace-period-seconds", fmt.Sprint(lbGrace))
		lb = ", registered in the load balancer's target group"
	}
	return launch.Step{
		Name: "service",
		Summary: fmt.Sprintf("Create the ECS service %s in %s (1 Fargate task, public IP%s, circuit breaker with rollback), "+
			"or update it to the new revision (a new deployment)", p.Stack, p.Cluster, lb),
		Resources: []launch.Resource{{Action: "create", Kind: "ECS service", Name: p.Stack + " in " + p.Cluster + " (or update it)"}},
		Commands: []string{
			launch.Shell(create...),
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
			spec := cloud.ServiceSpec{
				Cluster: p.res.ClusterARN, Name: p.Stack, TaskDefinition: p.res.TaskDefinition, Desired: 1, LaunchType: "FARGATE",
				Subnets: p.subnets, SecurityGroups: []string{p.groupID}, PublicIP: true, CircuitBreaker: true, Tags: tags(p.Stack),
			}
			if p.LoadBalancer {
				spec.LoadBalancer = &cloud.ServiceLoadBalancer{TargetGroupARN: p.targetGroup, ContainerName: p.Stack, ContainerPort: int32(p.port)}
				spec.HealthCheckGrace = lbGrace
			}
			s, err := p.be.CreateService(ctx, spec)
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
	if p.LoadBalancer {
		return p.lbURLStep()
	}
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
			if hasCode(err, cloud.CodeNoPublicIP) {
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
			if c.RuntimeID != "" {
				p.runtimeID = c.RuntimeID // runs on an engine, bound or not
			}
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
	err = retryable(ctx, out, 30*time.Second, 2*time.Second, func(err error) bool { return hasCode(err, cloud.CodeNoPublicIP) },
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
		Commands: []string{launch.Shell("curl", "-fsS", map[bool]string{false: "http://PUBLIC_IP:" + p.portText() + "/", true: "http://LB_DNS_NAME/"}[p.LoadBalancer])},
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.NoWait {
				return launch.Skip("--no-wait")
			}
			if p.Sandbox && !p.local && p.LoadBalancer {
				url := p.res.URL
				p.res.URL = ""
				return launch.Skip("the sandbox's load balancer answers only through a proxy on the local Docker engine, which needs the task's image there and a statically linked deckhand " +
					"(scripts/run builds one); nothing answers on " + url)
			}
			if p.Sandbox && !p.local && p.runtimeID != "" {
				url := p.res.URL
				p.res.URL = ""
				return fmt.Errorf("the task's container runs on the local Docker engine (container %s) but publishes no port %d there, so nothing answers on %s: "+
					"the engine could not publish it (an engine without a bridge network publishes nothing); docker inspect %s shows its ports and network",
					launch.ShortID(p.runtimeID), p.port, url, launch.ShortID(p.runtimeID))
			}
			if p.Sandbox && !p.local {
				url := p.res.URL
				p.res.URL = "" // no URL to give: nothing answers there
				return launch.Skip("the sandbox only simulates this task, because the local Docker engine does not have its image " + p.res.Image +
					", so nothing answers on " + url + "; pull or build the image locally and the sandbox runs it for real")
			}
			if p.LoadBalancer && p.lb.LocalURL == "" && !p.Sandbox {
				// A new load balancer's DNS name takes a minute or two
				// to resolve everywhere.
				return checkHTTP(ctx, out, p.res.URL, p.welcome, max(p.CheckTimeout, 3*time.Minute), 5*time.Second)
			}
			return checkHTTP(ctx, out, p.res.URL, p.welcome, p.CheckTimeout, 2*time.Second)
		},
		Explain: func(err error) string {
			return "the task runs but its URL does not answer as expected: check that the app listens on 0.0.0.0 and the port the task definition maps, and its logs (aws logs tail " + LogGroupName(p.Stack) + ")"
		},
	}
}
