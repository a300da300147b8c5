package aws

import (
	"deckhand/internal/cloud"

	"context"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
)

// describeTagsMax is how many ARNs one DescribeTags call takes (AWS's
// limit).
const describeTagsMax = 20

// stackELB finds the stack's load balancers and target groups: every one
// (DescribeLoadBalancers and DescribeTargetGroups, paginated), then their
// tags, 20 ARNs per DescribeTags. Not through the tagging API: moto's
// covers ELB unreliably, and the region's load balancers and target
// groups are few.
func (c *Client) stackELB(ctx context.Context, stack string) ([]cloud.TaggedResource, error) {
	var lbs, tgs []string
	lp := elb.NewDescribeLoadBalancersPaginator(c.deploy.elb, &elb.DescribeLoadBalancersInput{})
	for lp.HasMorePages() {
		page, err := lp.NextPage(ctx)
		if err != nil {
			return nil, wrap("elbv2", "DescribeLoadBalancers", err)
		}
		for _, l := range page.LoadBalancers {
			lbs = append(lbs, sdkaws.ToString(l.LoadBalancerArn))
		}
	}
	tp := elb.NewDescribeTargetGroupsPaginator(c.deploy.elb, &elb.DescribeTargetGroupsInput{})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			return nil, wrap("elbv2", "DescribeTargetGroups", err)
		}
		for _, g := range page.TargetGroups {
			tgs = append(tgs, sdkaws.ToString(g.TargetGroupArn))
		}
	}
	var out []cloud.TaggedResource
	for _, kind := range []struct {
		typ  string
		arns []string
	}{{"elb:load-balancer", lbs}, {"elb:target-group", tgs}} {
		tagged, err := c.elbTagged(ctx, kind.arns, stack)
		if err != nil {
			return nil, err
		}
		for _, arn := range tagged {
			out = append(out, cloud.TaggedResource{Type: kind.typ, ID: arn, ARN: arn})
		}
	}
	return out, nil
}

// elbTagged returns the arns tagged StackTag=stack, in their order.
func (c *Client) elbTagged(ctx context.Context, arns []string, stack string) ([]string, error) {
	var out []string
	for i := 0; i < len(arns); i += describeTagsMax {
		batch := arns[i:min(i+describeTagsMax, len(arns))]
		tags, err := c.describeELBTags(ctx, batch)
		if err != nil {
			return nil, err
		}
		for _, arn := range batch {
			if tags[arn][cloud.StackTag] == stack {
				out = append(out, arn)
			}
		}
	}
	return out, nil
}

// describeELBTags reads the tags of up to 20 ARNs. AWS fails the whole
// call when one of them was deleted since it was listed
// (LoadBalancerNotFound, TargetGroupNotFound); then each is asked alone,
// and the deleted ones are left out.
func (c *Client) describeELBTags(ctx context.Context, arns []string) (map[string]cloud.Tags, error) {
	out, err := c.deploy.elb.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: arns})
	if err = wrap("elbv2", "DescribeTags", err); cloud.IsNotFound(err) {
		tags := map[string]cloud.Tags{}
		if len(arns) == 1 {
			return tags, nil // deleted meanwhile
		}
		for _, arn := range arns {
			one, err := c.describeELBTags(ctx, []string{arn})
			if err != nil {
				return nil, err
			}
			tags[arn] = one[arn]
		}
		return tags, nil
	}
	if err != nil {
		return nil, err
	}
	tags := map[string]cloud.Tags{}
	for _, d := range out.TagDescriptions {
		t := cloud.Tags{}
		for _, kv := range d.Tags {
			t[sdkaws.ToString(kv.Key)] = sdkaws.ToString(kv.Value)
		}
		tags[sdkaws.ToString(d.ResourceArn)] = t
	}
	return tags, nil
}
