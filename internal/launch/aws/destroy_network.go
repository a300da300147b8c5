package aws

import (
	"context"
	"slices"
	"strings"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

// elbStep deletes a load balancer (with its listeners) or a target group;
// ok is false for other types. The load balancer goes first
// (StackDeleteOrder): a target group cannot be deleted while a listener
// forwards to it, and AWS releases the listeners shortly after the load
// balancer, so the target group's delete retries ResourceInUse.
func (d *destroyer) elbStep(r cloud.TaggedResource, del func(kind string, cmds ...string) launch.Step) (launch.Step, bool) {
	switch r.Type {
	case "elb:load-balancer":
		s := del("load balancer", launch.Shell("aws", "elbv2", "delete-load-balancer", "--load-balancer-arn", r.ARN))
		s.Summary = "Delete the load balancer " + elbShortName(r.ARN) + " and its listeners"
		s.Resources[0].Name = elbShortName(r.ARN)
		s.Run = func(ctx context.Context, out *launch.Output) error {
			return gone(out, d.be.DeleteLoadBalancer(ctx, r.ARN), "deleted "+elbShortName(r.ARN))
		}
		return s, true
	case "elb:target-group":
		s := del("target group", launch.Shell("aws", "elbv2", "delete-target-group", "--target-group-arn", r.ARN))
		s.Summary = "Delete the target group " + elbShortName(r.ARN) + " (retrying while the deleted load balancer's listener lets go of it)"
		s.Resources[0].Name = elbShortName(r.ARN)
		s.Run = func(ctx context.Context, out *launch.Output) error {
			err := retryable(ctx, out, d.Timeout, d.Poll, func(err error) bool { return hasCode(err, "ResourceInUse") },
				"DeleteTargetGroup", func() error { return d.be.DeleteTargetGroup(ctx, r.ARN) })
			return gone(out, err, "deleted "+elbShortName(r.ARN))
		}
		return s, true
	}
	return launch.Step{}, false
}

// elbShortName is the name in a load balancer or target group ARN
// (…:loadbalancer/app/NAME/ID, …:targetgroup/NAME/ID).
func elbShortName(arn string) string {
	parts := strings.Split(arn, "/")
	if len(parts) >= 3 {
		return parts[len(parts)-2]
	}
	return arn
}

// groupStep deletes a security group. EC2 answers DependencyViolation
// while a task, instance or load balancer still uses it, or while another
// group's rule names it as the source (the tasks' group allows the load
// balancer's): the step retries, and on each refusal first tries the
// stack's groups after this one, whose rules may be what holds it. A group
// deleted that way is "already gone" at its own step.
func (d *destroyer) groupStep(r cloud.TaggedResource, del func(kind string, cmds ...string) launch.Step) launch.Step {
	s := del("security group", launch.Shell("aws", "ec2", "delete-security-group", "--group-id", r.ID))
	s.Summary = "Delete the security group " + r.ID + " (retrying while tasks, instances, load balancers or other groups' rules still use it)"
	s.Run = func(ctx context.Context, out *launch.Output) error {
		later := d.groups[slices.Index(d.groups, r.ID)+1:]
		err := retryable(ctx, out, d.Timeout, d.Poll, func(err error) bool { return hasCode(err, "DependencyViolation") },
			"DeleteSecurityGroup", func() error {
				err := d.be.DeleteSecurityGroup(ctx, r.ID)
				if !hasCode(err, "DependencyViolation") {
					return err
				}
				for _, id := range later {
					if e := d.be.DeleteSecurityGroup(ctx, id); e == nil {
						out.Linef("deleted %s first, a later group of the stack whose rules may name %s", id, r.ID)
						return d.be.DeleteSecurityGroup(ctx, r.ID)
					}
				}
				return err
			})
		return gone(out, err, "deleted "+r.ID)
	}
	return s
}
