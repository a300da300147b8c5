package aws

// The load balancer option of a Fargate launch: an internet-facing
// Application Load Balancer in front of the service, so the URL is the
// load balancer's DNS name, which stays the same across deployments (a
// task's public IP changes with every new task), and the tasks are
// reachable only through it.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/internal/resource"
)

// ListenerPort is the port the load balancer listens on (HTTP).
const ListenerPort = 80

// elbName is "deckhand-STACK" when that fits Elastic Load Balancing's 32
// characters, else a shortened, still unique "dh-…-HASH".
func elbName(stack string) string {
	if n := "deckhand-" + stack; len(n) <= 32 {
		return n
	}
	sum := sha256.Sum256([]byte(stack))
	return "dh-" + strings.TrimRight(stack[:20], "-") + "-" + hex.EncodeToString(sum[:4])
}

// LoadBalancerName and TargetGroupName are the stack's load balancer and
// target group (two namespaces, so the same name); LBGroupName is the load
// balancer's security group.
func LoadBalancerName(stack string) string { return elbName(stack) }
func TargetGroupName(stack string) string  { return elbName(stack) }
func LBGroupName(stack string) string      { return "deckhand-" + stack + "-lb" }

// healthPath is what the target group's health check asks: deckhand's
// Flask app has /health; for another image "/" is the one path known.
func (p *fargate) healthPath() string {
	if p.proj.Deckhand || p.health {
		return "/health"
	}
	return "/"
}

// lbSubnets picks one subnet per availability zone (an ALB takes one per
// zone and needs two zones).
func lbSubnets(subnets []cloud.Subnet) []string {
	var out, zones []string
	for _, s := range subnets {
		if !slices.Contains(zones, s.AZ) {
			zones = append(zones, s.AZ)
			out = append(out, s.ID)
		}
	}
	return out
}

func (p *fargate) lbGroupStep() launch.Step {
	name := LBGroupName(p.Stack)
	return launch.Step{
		Name:    "lb-security-group",
		Summary: fmt.Sprintf("Find or create the security group %s opening TCP %d (HTTP) from anywhere, for the load balancer", name, ListenerPort),
		Resources: []launch.Resource{
			{Action: "create", Kind: "security group", Name: name + " (if missing)"},
			{Action: "allow", Kind: "ingress", Name: fmt.Sprintf("tcp %d from 0.0.0.0/0", ListenerPort)},
		},
		Commands: []string{
			launch.Shell("aws", "ec2", "create-security-group", "--group-name", name, "--description", "deckhand: "+p.Stack+" load balancer",
				"--vpc-id", orPlaceholder(p.VpcID, "VPC_ID"), "--tag-specifications", "ResourceType=security-group,"+cliTags(p.Stack, "ec2")),
			launch.Shell("aws", "ec2", "authorize-security-group-ingress", "--group-id", "LB_SG_ID", "--protocol", "tcp", "--port", fmt.Sprint(ListenerPort), "--cidr", "0.0.0.0/0"),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			id, err := ensureGroup(ctx, p.be, out, cloud.SecurityGroupSpec{
				Name: name, Description: "deckhand: " + p.Stack + " load balancer", VpcID: p.vpc,
				Ingress: []cloud.IngressRule{{Protocol: "tcp", Port: ListenerPort, CIDR: "0.0.0.0/0", Description: "deckhand load balancer"}},
				Tags:    tags(p.Stack),
			}, fmt.Sprintf("tcp %d from anywhere", ListenerPort))
			p.lbGroupID = id
			return err
		},
	}
}

func (p *fargate) loadBalancerStep() launch.Step {
	lb, tg := LoadBalancerName(p.Stack), TargetGroupName(p.Stack)
	return launch.Step{
		Name: "load-balancer",
		Summary: fmt.Sprintf("Find or create the Application Load Balancer %s (internet-facing, one subnet per zone), "+
			"its target group (tasks' IPs on port %s, health check GET %s) and an HTTP listener on port %d", lb, p.portText(), p.healthPath(), ListenerPort),
		Resources: []launch.Resource{
			{Action: "create", Kind: "load balancer", Name: lb + " (if missing)"},
			{Action: "create", Kind: "target group", Name: tg + " (if missing)"},
			{Action: "create", Kind: "listener", Name: fmt.Sprintf("HTTP %d → %s (if missing)", ListenerPort, tg)},
		},
		Commands: []string{
			launch.Shell("aws", "elbv2", "create-load-balancer", "--name", lb, "--type", "application", "--scheme", "internet-facing",
				"--subnets", "SUBNET_A", "SUBNET_B", "--security-groups", "LB_SG_ID", "--tags", cliTags(p.Stack, "elbv2")),
			launch.Shell("aws", "elbv2", "create-target-group", "--name", tg, "--target-type", "ip", "--protocol", "HTTP", "--port", p.portText(),
				"--vpc-id", orPlaceholder(p.VpcID, "VPC_ID"), "--health-check-path", p.healthPath(), "--health-check-interval-seconds", "10",
				"--healthy-threshold-count", "2", "--tags", cliTags(p.Stack, "elbv2")),
			launch.Shell("aws", "elbv2", "modify-target-group-attributes", "--target-group-arn", "TG_ARN",
				"--attributes", "Key=deregistration_delay.timeout_seconds,Value=30"),
			launch.Shell("aws", "elbv2", "create-listener", "--load-balancer-arn", "LB_ARN", "--protocol", "HTTP", "--port", fmt.Sprint(ListenerPort),
				"--default-actions", "Type=forward,TargetGroupArn=TG_ARN"),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			got, created, err := p.be.EnsureLoadBalancer(ctx, cloud.LoadBalancerSpec{
				Name: lb, Subnets: p.lbSubnets, SecurityGroups: []string{p.lbGroupID}, Tags: tags(p.Stack),
			})
			if err != nil {
				return err
			}
			p.lb = got
			if created {
				out.Created(launch.Resource{Action: "create", Kind: "load balancer", Name: lb})
				out.Linef("created %s (%s), DNS name %s", lb, got.State, got.DNSName)
			} else {
				out.Linef("found %s (%s), DNS name %s", lb, got.State, got.DNSName)
			}
			group, created, err := p.be.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{
				Name: tg, VpcID: p.vpc, Port: int32(p.port), HealthPath: p.healthPath(), Tags: tags(p.Stack),
			})
			if err != nil {
				return err
			}
			p.targetGroup = group.ARN
			if created {
				out.Created(launch.Resource{Action: "create", Kind: "target group", Name: tg})
			}
			if group.Port != int32(p.port) {
				return fmt.Errorf("the target group %s exists with port %d, not the app's %d: destroy the launch (deckhand destroy --name %s) or keep the port", tg, group.Port, p.port, p.Stack)
			}
			_, created, err = p.be.EnsureListener(ctx, cloud.ListenerSpec{
				LoadBalancerARN: got.ARN, Port: ListenerPort, TargetGroupARN: group.ARN, Tags: tags(p.Stack),
			})
			if err != nil {
				return err
			}
			verb := "found"
			if created {
				verb = "created"
			}
			out.Result(fmt.Sprintf("%s, target group %s, listener HTTP %d (%s)", lb, tg, ListenerPort, verb))
			return nil
		},
	}
}

// lbReady reports whether the load balancer is active and a target of the
// service is healthy, saying each change of the load balancer's state and
// of each target's health as it is seen.
func (p *fargate) lbReady(ctx context.Context, out *launch.Output) (bool, error) {
	lb, err := p.be.LoadBalancer(ctx, LoadBalancerName(p.Stack))
	if err != nil {
		return false, err
	}
	p.lb = lb
	if s := "load balancer " + lb.Name + ": " + lb.State; s != p.lbSeen["lb"] {
		out.Line(s)
		p.lbSeen["lb"] = s
	}
	if lb.State == "failed" {
		return false, fmt.Errorf("the load balancer %s failed: %s", lb.Name, orDefault(lb.StateReason, "no reason given"))
	}
	ts, err := p.be.TargetHealth(ctx, p.targetGroup)
	if err != nil {
		return false, err
	}
	healthy := 0
	for _, t := range ts {
		key := fmt.Sprintf("%s:%d", t.ID, t.Port)
		s := "target " + key + ": " + t.State
		if t.State != "healthy" && t.Description != "" {
			s += " (" + t.Description + ")"
		}
		if s != p.lbSeen[key] {
			out.Line(s)
			p.lbSeen[key] = s
		}
		if t.State == "healthy" {
			healthy++
		}
	}
	return (lb.State == "active" || lb.State == "active_impaired") && healthy > 0, nil
}

// lbURLStep replaces the task-IP URL step when there is a load balancer.
func (p *fargate) lbURLStep() launch.Step {
	return launch.Step{
		Name:    "url",
		Summary: fmt.Sprintf("Find the URL: the load balancer's DNS name, port %d", ListenerPort),
		Commands: []string{launch.Shell("aws", "elbv2", "describe-load-balancers", "--names", LoadBalancerName(p.Stack),
			"--query", "LoadBalancers[0].DNSName")},
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.NoWait {
				return launch.Skip("--no-wait")
			}
			var lb cloud.LoadBalancer
			_, err := untilPublished(ctx, p.Sandbox, p.Poll, out, "the load balancer's proxy", func() (string, bool, error) {
				var err error
				lb, err = p.be.LoadBalancer(ctx, LoadBalancerName(p.Stack))
				return lb.LocalURL, false, err
			})
			if err != nil {
				return err
			}
			p.lb = lb
			url := fmt.Sprintf("http://%s/", lb.DNSName)
			if lb.LocalURL != "" {
				// The sandbox's DNS name resolves nowhere; its proxy on
				// the local engine stands in for it.
				out.Linef("the sandbox's load balancer %s answers on the local engine at %s", lb.DNSName, lb.LocalURL)
				url, p.local = lb.LocalURL, true
			}
			p.res.URL = url
			out.Result(url)
			return nil
		},
	}
}

// sameLoadBalancer refuses to update an existing service whose load
// balancer is not the one this launch asks for: ECS keeps a service's
// load balancers across deployments, so the update would quietly leave
// the service as it was (with, or without, a load balancer).
func (p *fargate) sameLoadBalancer(ctx context.Context) error {
	svcs, err := p.be.Services(ctx, p.res.ClusterARN)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(svcs, func(s resource.Service) bool { return s.Name == p.Stack && s.Status == "ACTIVE" })
	if i < 0 {
		return nil
	}
	s := svcs[i]
	ours := slices.ContainsFunc(s.TargetGroups, func(arn string) bool {
		return strings.Contains(arn, ":targetgroup/"+TargetGroupName(p.Stack)+"/")
	})
	switch {
	case p.LoadBalancer && !ours:
		what := "without a load balancer"
		if len(s.TargetGroups) > 0 {
			what = "with another target group (" + strings.Join(s.TargetGroups, ", ") + ")"
		}
		return fmt.Errorf("the service %s exists %s; a re-run cannot add one: destroy the launch first (deckhand destroy --name %s), then launch with the load balancer", p.Stack, what, p.Stack)
	case !p.LoadBalancer && len(s.TargetGroups) > 0:
		return fmt.Errorf("the service %s exists behind a load balancer; launch again with --load-balancer (in the TUI: Load balancer yes), or destroy the launch first to drop it", p.Stack)
	}
	return nil
}

// ensureGroup finds or creates a security group with its ingress rules and
// says which, and what it allows ("tcp 80 from anywhere"), as the step's
// result; the id is "" on error.
func ensureGroup(ctx context.Context, be Backend, out *launch.Output, spec cloud.SecurityGroupSpec, allows string) (string, error) {
	id, created, err := be.EnsureSecurityGroup(ctx, spec)
	if err != nil {
		return "", err
	}
	if created {
		out.Created(launch.Resource{Action: "create", Kind: "security group", Name: spec.Name + " " + id})
		out.Result(fmt.Sprintf("created %s: %s", id, allows))
	} else {
		out.Result(fmt.Sprintf("found %s; %s is allowed", id, allows))
	}
	return id, nil
}
