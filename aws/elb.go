package aws

import (
	"deckhand/internal/cloud"

	"context"
	"maps"
	"slices"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// Elastic Load Balancing v2: the LoadBalancers capability (loadbalancer.go).
// The stack finder is in elb_stack.go.

// The SDK adapter offers LoadBalancers. Deployer does not embed it yet:
// the sandbox must offer it too first.
var _ cloud.LoadBalancers = (*Client)(nil)

// Target group settings deckhand creates with (see EnsureTargetGroup).
const (
	tgHealthInterval     = 10
	tgHealthyThreshold   = 2
	tgUnhealthyThreshold = 3
	tgMatcher            = "200-399" // redirects count as up: "/" often redirects to a login page
	// tgDeregistrationDelay replaces AWS's 300 s, which makes every
	// deployment wait five minutes for old tasks to drain.
	tgDeregistrationDelay = "30"
)

// EnsureLoadBalancer finds the load balancer by name (DescribeLoadBalancers)
// or creates it: application, internet-facing, IPv4, with spec's subnets,
// security groups and tags. A found one keeps its settings and tags. One
// created by someone else between the two calls (DuplicateLoadBalancerName)
// is found, not an error.
func (c *Client) EnsureLoadBalancer(ctx context.Context, spec cloud.LoadBalancerSpec) (cloud.LoadBalancer, bool, error) {
	if c.readonly {
		return cloud.LoadBalancer{}, false, cloud.ErrReadonly
	}
	if err := cloud.ValidateLoadBalancerSpec(spec); err != nil {
		return cloud.LoadBalancer{}, false, err
	}
	lb, found, err := c.findLoadBalancer(ctx, spec.Name)
	if err != nil || found {
		return lb, false, err
	}
	out, err := c.deploy.elb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
		Name:           sdkaws.String(spec.Name),
		Type:           elbtypes.LoadBalancerTypeEnumApplication,
		Scheme:         elbtypes.LoadBalancerSchemeEnumInternetFacing,
		IpAddressType:  elbtypes.IpAddressTypeIpv4,
		Subnets:        spec.Subnets,
		SecurityGroups: spec.SecurityGroups,
		Tags:           elbTags(spec.Tags),
	})
	if hasCode(err, "DuplicateLoadBalancerName") {
		lb, _, err := c.findLoadBalancer(ctx, spec.Name)
		return lb, false, err
	}
	if err != nil {
		return cloud.LoadBalancer{}, false, wrap("elbv2", "CreateLoadBalancer", err)
	}
	if len(out.LoadBalancers) == 0 {
		return cloud.LoadBalancer{}, false, &cloud.Error{Service: "elbv2", Operation: "CreateLoadBalancer", Message: "Elastic Load Balancing returned no load balancer"}
	}
	lb = toLoadBalancer(out.LoadBalancers[0])
	lb.Tags = maps.Clone(spec.Tags)
	return lb, true, nil
}

// LoadBalancer describes one load balancer by name, with its tags.
func (c *Client) LoadBalancer(ctx context.Context, name string) (cloud.LoadBalancer, error) {
	if err := cloud.ValidateELBName("DescribeLoadBalancers", name); err != nil {
		return cloud.LoadBalancer{}, err
	}
	return c.describeLoadBalancer(ctx, name)
}

// findLoadBalancer is LoadBalancer with found=false in place of
// LoadBalancerNotFound.
func (c *Client) findLoadBalancer(ctx context.Context, name string) (cloud.LoadBalancer, bool, error) {
	lb, err := c.describeLoadBalancer(ctx, name)
	if hasCode(err, cloud.CodeLoadBalancerNotFound) {
		return cloud.LoadBalancer{}, false, nil
	}
	return lb, err == nil, err
}

func (c *Client) describeLoadBalancer(ctx context.Context, name string) (cloud.LoadBalancer, error) {
	out, err := c.deploy.elb.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{name}})
	if err != nil {
		return cloud.LoadBalancer{}, wrap("elbv2", "DescribeLoadBalancers", err)
	}
	if len(out.LoadBalancers) == 0 { // AWS answers LoadBalancerNotFound instead
		return cloud.LoadBalancer{}, &cloud.Error{Service: "elbv2", Operation: "DescribeLoadBalancers", Code: cloud.CodeLoadBalancerNotFound,
			Message: "Load balancers '[" + name + "]' not found"}
	}
	lb := toLoadBalancer(out.LoadBalancers[0])
	if lb.Tags, err = c.elbTagsOf(ctx, lb.ARN); err != nil {
		return cloud.LoadBalancer{}, err
	}
	return lb, nil
}

func toLoadBalancer(l elbtypes.LoadBalancer) cloud.LoadBalancer {
	lb := cloud.LoadBalancer{
		ARN:     sdkaws.ToString(l.LoadBalancerArn),
		Name:    sdkaws.ToString(l.LoadBalancerName),
		DNSName: sdkaws.ToString(l.DNSName),
		VpcID:   sdkaws.ToString(l.VpcId),
	}
	if l.State != nil {
		lb.State, lb.StateReason = string(l.State.Code), sdkaws.ToString(l.State.Reason)
	}
	for _, az := range l.AvailabilityZones {
		lb.Subnets = append(lb.Subnets, sdkaws.ToString(az.SubnetId))
	}
	return lb
}

// DeleteLoadBalancer deletes a load balancer by ARN; AWS deletes its
// listeners with it. AWS may answer ResourceInUse to deleting its target
// groups for a few seconds after.
func (c *Client) DeleteLoadBalancer(ctx context.Context, arn string) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateELBARN("DeleteLoadBalancer", "loadbalancer", arn); err != nil {
		return err
	}
	_, err := c.deploy.elb.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: sdkaws.String(arn)})
	return wrap("elbv2", "DeleteLoadBalancer", err)
}

// EnsureTargetGroup finds the target group by name (DescribeTargetGroups)
// or creates it (type ip, HTTP, the health check of the constants above,
// tags), then sets its deregistration delay. A found one keeps its settings
// and tags. When setting the delay fails, the new group is returned with
// created=true and the error, so that the caller knows it exists (it is
// tagged: destroy finds it).
func (c *Client) EnsureTargetGroup(ctx context.Context, spec cloud.TargetGroupSpec) (cloud.TargetGroup, bool, error) {
	if c.readonly {
		return cloud.TargetGroup{}, false, cloud.ErrReadonly
	}
	if err := cloud.ValidateTargetGroupSpec(spec); err != nil {
		return cloud.TargetGroup{}, false, err
	}
	tg, found, err := c.findTargetGroup(ctx, spec.Name)
	if err != nil || found {
		return tg, false, err
	}
	out, err := c.deploy.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{
		Name:                       sdkaws.String(spec.Name),
		TargetType:                 elbtypes.TargetTypeEnumIp,
		Protocol:                   elbtypes.ProtocolEnumHttp,
		Port:                       sdkaws.Int32(spec.Port),
		VpcId:                      sdkaws.String(spec.VpcID),
		HealthCheckPath:            sdkaws.String(spec.HealthPath),
		HealthCheckIntervalSeconds: sdkaws.Int32(tgHealthInterval),
		HealthyThresholdCount:      sdkaws.Int32(tgHealthyThreshold),
		UnhealthyThresholdCount:    sdkaws.Int32(tgUnhealthyThreshold),
		Matcher:                    &elbtypes.Matcher{HttpCode: sdkaws.String(tgMatcher)},
		Tags:                       elbTags(spec.Tags),
	})
	if hasCode(err, "DuplicateTargetGroupName") {
		tg, _, err := c.findTargetGroup(ctx, spec.Name)
		return tg, false, err
	}
	if err != nil {
		return cloud.TargetGroup{}, false, wrap("elbv2", "CreateTargetGroup", err)
	}
	if len(out.TargetGroups) == 0 {
		return cloud.TargetGroup{}, false, &cloud.Error{Service: "elbv2", Operation: "CreateTargetGroup", Message: "Elastic Load Balancing returned no target group"}
	}
	tg = toTargetGroup(out.TargetGroups[0])
	tg.Tags = maps.Clone(spec.Tags)
	_, err = c.deploy.elb.ModifyTargetGroupAttributes(ctx, &elb.ModifyTargetGroupAttributesInput{
		TargetGroupArn: sdkaws.String(tg.ARN),
		Attributes: []elbtypes.TargetGroupAttribute{{
			Key: sdkaws.String("deregistration_delay.timeout_seconds"), Value: sdkaws.String(tgDeregistrationDelay),
		}},
	})
	return tg, true, wrap("elbv2", "ModifyTargetGroupAttributes", err)
}

// findTargetGroup describes one target group by name, with its tags;
// found is false when it does not exist.
func (c *Client) findTargetGroup(ctx context.Context, name string) (cloud.TargetGroup, bool, error) {
	out, err := c.deploy.elb.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{Names: []string{name}})
	if hasCode(err, "TargetGroupNotFound") {
		return cloud.TargetGroup{}, false, nil
	}
	if err != nil {
		return cloud.TargetGroup{}, false, wrap("elbv2", "DescribeTargetGroups", err)
	}
	if len(out.TargetGroups) == 0 {
		return cloud.TargetGroup{}, false, nil
	}
	tg := toTargetGroup(out.TargetGroups[0])
	if tg.Tags, err = c.elbTagsOf(ctx, tg.ARN); err != nil {
		return cloud.TargetGroup{}, false, err
	}
	return tg, true, nil
}

func toTargetGroup(g elbtypes.TargetGroup) cloud.TargetGroup {
	return cloud.TargetGroup{
		ARN:              sdkaws.ToString(g.TargetGroupArn),
		Name:             sdkaws.ToString(g.TargetGroupName),
		Port:             sdkaws.ToInt32(g.Port),
		HealthPath:       sdkaws.ToString(g.HealthCheckPath),
		LoadBalancerARNs: g.LoadBalancerArns,
	}
}

// DeleteTargetGroup deletes a target group by ARN.
func (c *Client) DeleteTargetGroup(ctx context.Context, arn string) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateELBARN("DeleteTargetGroup", "targetgroup", arn); err != nil {
		return err
	}
	_, err := c.deploy.elb.DeleteTargetGroup(ctx, &elb.DeleteTargetGroupInput{TargetGroupArn: sdkaws.String(arn)})
	return wrap("elbv2", "DeleteTargetGroup", err)
}

// EnsureListener finds the load balancer's listener on spec.Port
// (DescribeListeners) or creates it: HTTP, forward to spec.TargetGroupARN,
// tags. A found listener whose default action is anything but a forward to
// exactly that group (another group, several weighted ones, a redirect or a
// fixed response) is changed to forward to it (ModifyListener): that is
// what makes a deployment's new target group receive the traffic. Its
// protocol, rules and tags are left alone.
func (c *Client) EnsureListener(ctx context.Context, spec cloud.ListenerSpec) (string, bool, error) {
	if c.readonly {
		return "", false, cloud.ErrReadonly
	}
	if err := cloud.ValidateListenerSpec(spec); err != nil {
		return "", false, err
	}
	forward := []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: sdkaws.String(spec.TargetGroupARN)}}
	l, err := c.listenerOn(ctx, spec.LoadBalancerARN, spec.Port)
	if err != nil {
		return "", false, err
	}
	if l != nil {
		arn := sdkaws.ToString(l.ListenerArn)
		if forwardsOnlyTo(l.DefaultActions, spec.TargetGroupARN) {
			return arn, false, nil
		}
		_, err := c.deploy.elb.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: l.ListenerArn, DefaultActions: forward})
		return arn, false, wrap("elbv2", "ModifyListener", err)
	}
	out, err := c.deploy.elb.CreateListener(ctx, &elb.CreateListenerInput{
		LoadBalancerArn: sdkaws.String(spec.LoadBalancerARN),
		Protocol:        elbtypes.ProtocolEnumHttp,
		Port:            sdkaws.Int32(spec.Port),
		DefaultActions:  forward,
		Tags:            elbTags(spec.Tags),
	})
	if err != nil {
		return "", false, wrap("elbv2", "CreateListener", err)
	}
	if len(out.Listeners) == 0 {
		return "", false, &cloud.Error{Service: "elbv2", Operation: "CreateListener", Message: "Elastic Load Balancing returned no listener"}
	}
	return sdkaws.ToString(out.Listeners[0].ListenerArn), true, nil
}

// listenerOn is the load balancer's listener on port, or nil.
func (c *Client) listenerOn(ctx context.Context, lbARN string, port int32) (*elbtypes.Listener, error) {
	p := elb.NewDescribeListenersPaginator(c.deploy.elb, &elb.DescribeListenersInput{LoadBalancerArn: sdkaws.String(lbARN)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("elbv2", "DescribeListeners", err)
		}
		for _, l := range page.Listeners {
			if sdkaws.ToInt32(l.Port) == port {
				return &l, nil
			}
		}
	}
	return nil, nil
}

// forwardsOnlyTo reports whether actions are one forward to tgARN only.
// AWS describes a forward with TargetGroupArn, a ForwardConfig, or both
// (naming the same group).
func forwardsOnlyTo(actions []elbtypes.Action, tgARN string) bool {
	if len(actions) != 1 || actions[0].Type != elbtypes.ActionTypeEnumForward {
		return false
	}
	var groups []string
	if a := actions[0]; a.TargetGroupArn != nil {
		groups = append(groups, sdkaws.ToString(a.TargetGroupArn))
	}
	if fc := actions[0].ForwardConfig; fc != nil {
		for _, t := range fc.TargetGroups {
			groups = append(groups, sdkaws.ToString(t.TargetGroupArn))
		}
	}
	for _, g := range groups {
		if g != tgARN {
			return false
		}
	}
	return len(groups) > 0
}

// TargetHealth lists the group's registered targets and their health.
func (c *Client) TargetHealth(ctx context.Context, targetGroupARN string) ([]cloud.TargetHealth, error) {
	if err := cloud.ValidateELBARN("DescribeTargetHealth", "targetgroup", targetGroupARN); err != nil {
		return nil, err
	}
	out, err := c.deploy.elb.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: sdkaws.String(targetGroupARN)})
	if err != nil {
		return nil, wrap("elbv2", "DescribeTargetHealth", err)
	}
	hs := []cloud.TargetHealth{}
	for _, d := range out.TargetHealthDescriptions {
		var h cloud.TargetHealth
		if d.Target != nil {
			h.ID, h.Port = sdkaws.ToString(d.Target.Id), sdkaws.ToInt32(d.Target.Port)
		}
		if d.TargetHealth != nil {
			h.State, h.Reason, h.Description = string(d.TargetHealth.State), string(d.TargetHealth.Reason), sdkaws.ToString(d.TargetHealth.Description)
		}
		hs = append(hs, h)
	}
	return hs, nil
}

// elbTagsOf reads one resource's tags (DescribeTags).
func (c *Client) elbTagsOf(ctx context.Context, arn string) (cloud.Tags, error) {
	out, err := c.deploy.elb.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: []string{arn}})
	if err != nil {
		return nil, wrap("elbv2", "DescribeTags", err)
	}
	tags := cloud.Tags{}
	for _, d := range out.TagDescriptions {
		for _, t := range d.Tags {
			tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
		}
	}
	return tags, nil
}

// elbTags converts tags, sorted by key so requests are reproducible.
func elbTags(tags cloud.Tags) []elbtypes.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]elbtypes.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, elbtypes.Tag{Key: sdkaws.String(k), Value: sdkaws.String(tags[k])})
	}
	return out
}
