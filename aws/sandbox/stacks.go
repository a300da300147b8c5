package sandbox

import (
	"context"
	"strings"

	"deckhand/internal/cloud"
)

// StackResources lists what carries deckhand:stack=STACK, as the SDK
// adapter does: live instances, security groups, key pairs, roles and
// instance profiles under aws.TaskExecutionRolePath, repositories, log
// groups, clusters, services that are not deleted, load balancers, target
// groups and task definitions; in aws.StackDeleteOrder.
func (a *Account) StackResources(ctx context.Context, stack string) ([]cloud.TaggedResource, error) {
	var out []cloud.TaggedResource
	err := a.viewCall(ctx, apiCall{"tag", "GetResources"}, func(w *world, r *region) error {
		if err := cloud.ValidateStackName(stack); err != nil {
			return err
		}
		ours := func(tags map[string]string) bool { return tags[cloud.StackTag] == stack }
		add := func(typ, id, arn, parent string) {
			out = append(out, cloud.TaggedResource{Type: typ, ID: id, ARN: arn, Parent: parent})
		}
		ec2ARN := func(kind, id string) string { return "arn:aws:ec2:" + r.Name + ":" + w.Account + ":" + kind + "/" + id }
		for _, in := range r.Instances {
			if in.State != "terminated" && ours(in.Tags) {
				add("ec2:instance", in.ID, ec2ARN("instance", in.ID), "")
			}
		}
		for _, g := range r.SecurityGroups {
			if ours(g.Tags) {
				add("ec2:security-group", g.ID, ec2ARN("security-group", g.ID), "")
			}
		}
		for _, k := range r.KeyPairs {
			if ours(k.Tags) {
				add("ec2:key-pair", k.Name, ec2ARN("key-pair", k.ID), "")
			}
		}
		for _, x := range w.Roles {
			if strings.HasPrefix(x.Path, cloud.TaskExecutionRolePath) && ours(x.Tags) {
				add("iam:role", x.Name, x.ARN, "")
			}
		}
		for _, x := range w.Profiles {
			if strings.HasPrefix(x.Path, cloud.TaskExecutionRolePath) && ours(x.Tags) {
				add("iam:instance-profile", x.Name, x.ARN, "")
			}
		}
		for _, x := range r.Repositories {
			if ours(x.Tags) {
				add("ecr:repository", x.Name, x.ARN, "")
			}
		}
		for _, g := range r.LogGroups {
			if ours(g.Tags) {
				add("logs:log-group", g.Name, g.ARN, "")
			}
		}
		for _, c := range r.Clusters {
			if ours(c.Tags) {
				add("ecs:cluster", c.Name, c.ARN, "")
			}
			for _, s := range c.Services {
				if s.Status != "INACTIVE" && ours(s.Tags) {
					add("ecs:service", s.Name, s.ARN, c.Name)
				}
			}
		}
		for _, lb := range r.LoadBalancers {
			if ours(lb.Tags) {
				add("elb:load-balancer", lb.ARN, lb.ARN, "")
			}
		}
		for _, g := range r.TargetGroups {
			if ours(g.Tags) {
				add("elb:target-group", g.ARN, g.ARN, "")
			}
		}
		for _, td := range r.TaskDefs {
			if !td.Inactive && ours(td.Tags) {
				add("ecs:task-definition", td.ARN[strings.LastIndex(td.ARN, "/")+1:], td.ARN, "")
			}
		}
		return nil
	})
	cloud.SortStack(out)
	return out, err
}
