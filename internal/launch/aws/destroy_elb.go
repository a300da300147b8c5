package aws

import (
	"context"
	"fmt"
	"strings"

	awsapi "deckhand/aws"
	"deckhand/internal/launch"
)

// elbStep deletes a load balancer (with its listeners) or a target group;
// ok is false for other types. The load balancer goes first
// (StackDeleteOrder): a target group cannot be deleted while a listener
// forwards to it, and AWS releases the listeners shortly after the load
// balancer, so the target group's delete retries ResourceInUse.
func (d *destroyer) elbStep(r awsapi.TaggedResource, del func(kind string, cmds ...string) launch.Step) (launch.Step, bool) {
	lbs, _ := d.be.(awsapi.LoadBalancers)
	missing := func(context.Context, *launch.Output) error {
		return fmt.Errorf("this account's backend cannot delete load balancers; delete %s yourself", r.ARN)
	}
	switch r.Type {
	case "elb:load-balancer":
		s := del("load balancer", launch.Shell("aws", "elbv2", "delete-load-balancer", "--load-balancer-arn", r.ARN))
		s.Summary = "Delete the load balancer " + elbShortName(r.ARN) + " and its listeners"
		s.Run = missing
		if lbs != nil {
			s.Run = func(ctx context.Context, out *launch.Output) error {
				return gone(out, lbs.DeleteLoadBalancer(ctx, r.ARN), "deleted "+elbShortName(r.ARN))
			}
		}
		return s, true
	case "elb:target-group":
		s := del("target group", launch.Shell("aws", "elbv2", "delete-target-group", "--target-group-arn", r.ARN))
		s.Summary = "Delete the target group " + elbShortName(r.ARN) + " (retrying while the deleted load balancer's listener lets go of it)"
		s.Run = missing
		if lbs != nil {
			s.Run = func(ctx context.Context, out *launch.Output) error {
				err := retryable(ctx, out, d.Timeout, d.Poll, func(err error) bool { return hasCode(err, "ResourceInUse") },
					"DeleteTargetGroup", func() error { return lbs.DeleteTargetGroup(ctx, r.ARN) })
				return gone(out, err, "deleted "+elbShortName(r.ARN))
			}
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
