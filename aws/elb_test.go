package aws

import (
	"deckhand/internal/cloud"

	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// Tests of the LoadBalancers capability against moto: what the adapter
// creates is read back with the SDK directly.

// elbFixture is a moto with an ELBv2 SDK client and the default VPC's
// network.
type elbFixture struct {
	*deployFixture
	elb     *elb.Client
	vpc     string
	subnets []string // two, in different availability zones
}

func newELBFixture(t *testing.T) *elbFixture {
	t.Helper()
	f := newDeployFixture(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	e := &elbFixture{deployFixture: f, elb: elb.NewFromConfig(cfg, func(o *elb.Options) { o.BaseEndpoint = sdkaws.String(f.m.URL) })}
	c, _ := f.client(t)
	vpc, err := c.DefaultVPC(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	subnets, err := c.Subnets(context.Background(), vpc.ID)
	if err != nil || len(subnets) < 2 || subnets[0].AZ == subnets[1].AZ {
		t.Fatalf("default subnets: %v, %v", subnets, err)
	}
	e.vpc, e.subnets = vpc.ID, []string{subnets[0].ID, subnets[1].ID}
	return e
}

// group makes a security group for a load balancer.
func (f *elbFixture) group(t *testing.T, c *Client, name string, tags cloud.Tags) string {
	t.Helper()
	id, _, err := c.EnsureSecurityGroup(context.Background(), cloud.SecurityGroupSpec{Name: name, VpcID: f.vpc, Tags: tags,
		Ingress: []cloud.IngressRule{{Port: 80, CIDR: "0.0.0.0/0"}}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *elbFixture) tags(t *testing.T, arn string) cloud.Tags {
	t.Helper()
	out, err := f.elb.DescribeTags(context.Background(), &elb.DescribeTagsInput{ResourceArns: []string{arn}})
	if err != nil || len(out.TagDescriptions) != 1 {
		t.Fatalf("DescribeTags %s: %v", arn, err)
	}
	tags := cloud.Tags{}
	for _, kv := range out.TagDescriptions[0].Tags {
		tags[sdkaws.ToString(kv.Key)] = sdkaws.ToString(kv.Value)
	}
	return tags
}

func TestLoadBalancersAgainstMoto(t *testing.T) {
	f := newELBFixture(t)
	for name, test := range map[string]func(*testing.T, *elbFixture){
		"load balancer, target group, listener": testLoadBalancer,
		"stack resources, 20 per DescribeTags":  testELBStackBatches,
		"ingress from a source group":           testSourceGroupIngress,
		"service with a target group":           testServiceTargetGroup,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, f)
		})
	}
}

func testLoadBalancer(t *testing.T, f *elbFixture) {
	ctx := context.Background()
	c, rec := recordingClient(t, Options{EndpointURL: f.m.URL, Region: "us-east-1"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	stack := cloud.StackTags("lb", cloud.Tags{"team": "deck"})
	sg := f.group(t, c, "lb-alb", stack)
	lbSpec := cloud.LoadBalancerSpec{Name: "lb-web", Subnets: f.subnets, SecurityGroups: []string{sg}, Tags: stack}
	lb, created, err := c.EnsureLoadBalancer(ctx, lbSpec)
	if err != nil || !created {
		t.Fatalf("EnsureLoadBalancer = %+v, %v, %v; want created", lb, created, err)
	}
	if lb.Name != "lb-web" || !strings.Contains(lb.ARN, ":loadbalancer/app/lb-web/") || lb.VpcID != f.vpc ||
		!strings.HasPrefix(lb.DNSName, "lb-web-") || !strings.HasSuffix(lb.DNSName, ".us-east-1.elb.amazonaws.com") ||
		!slices.Equal(slices.Sorted(slices.Values(lb.Subnets)), slices.Sorted(slices.Values(f.subnets))) ||
		!maps.Equal(lb.Tags, stack) || (lb.State != "provisioning" && lb.State != "active") {
		t.Errorf("load balancer = %+v", lb)
	}
	d, err := f.elb.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{lb.ARN}})
	must(err)
	if l := d.LoadBalancers[0]; l.Type != elbtypes.LoadBalancerTypeEnumApplication || l.Scheme != elbtypes.LoadBalancerSchemeEnumInternetFacing ||
		l.IpAddressType != elbtypes.IpAddressTypeIpv4 || !slices.Equal(l.SecurityGroups, []string{sg}) {
		t.Errorf("created %s %s %s with groups %v", l.Type, l.Scheme, l.IpAddressType, l.SecurityGroups)
	}
	if got := f.tags(t, lb.ARN); !maps.Equal(got, stack) {
		t.Errorf("load balancer tags = %v, want %v", got, stack)
	}
	// Found again: not created, the first call's tags, same ARN.
	lbSpec.Tags = cloud.Tags{"other": "tags"}
	again, created, err := c.EnsureLoadBalancer(ctx, lbSpec)
	if err != nil || created || again.ARN != lb.ARN || !maps.Equal(again.Tags, stack) {
		t.Errorf("second EnsureLoadBalancer = %+v, %v, %v; want found with its own tags", again, created, err)
	}

	tgSpec := cloud.TargetGroupSpec{Name: "lb-web-1", VpcID: f.vpc, Port: 5000, HealthPath: "/health", Tags: stack}
	tg, created, err := c.EnsureTargetGroup(ctx, tgSpec)
	if err != nil || !created || tg.Name != "lb-web-1" || tg.Port != 5000 || tg.HealthPath != "/health" ||
		!strings.Contains(tg.ARN, ":targetgroup/lb-web-1/") || !maps.Equal(tg.Tags, stack) {
		t.Fatalf("EnsureTargetGroup = %+v, %v, %v; want created", tg, created, err)
	}
	dg, err := f.elb.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{tg.ARN}})
	must(err)
	if g := dg.TargetGroups[0]; g.TargetType != elbtypes.TargetTypeEnumIp || g.Protocol != elbtypes.ProtocolEnumHttp ||
		sdkaws.ToString(g.VpcId) != f.vpc || sdkaws.ToInt32(g.HealthCheckIntervalSeconds) != 10 ||
		sdkaws.ToInt32(g.HealthyThresholdCount) != 2 || sdkaws.ToInt32(g.UnhealthyThresholdCount) != 3 ||
		g.Matcher == nil || sdkaws.ToString(g.Matcher.HttpCode) != "200-399" {
		t.Errorf("target group: type %s protocol %s vpc %s interval %d healthy %d unhealthy %d matcher %+v", g.TargetType, g.Protocol,
			sdkaws.ToString(g.VpcId), sdkaws.ToInt32(g.HealthCheckIntervalSeconds), sdkaws.ToInt32(g.HealthyThresholdCount),
			sdkaws.ToInt32(g.UnhealthyThresholdCount), g.Matcher)
	}
	attrs, err := f.elb.DescribeTargetGroupAttributes(ctx, &elb.DescribeTargetGroupAttributesInput{TargetGroupArn: sdkaws.String(tg.ARN)})
	must(err)
	delay := ""
	for _, a := range attrs.Attributes {
		if sdkaws.ToString(a.Key) == "deregistration_delay.timeout_seconds" {
			delay = sdkaws.ToString(a.Value)
		}
	}
	if delay != "30" {
		t.Errorf("deregistration delay = %q, want 30", delay)
	}
	if got := f.tags(t, tg.ARN); !maps.Equal(got, stack) {
		t.Errorf("target group tags = %v", got)
	}
	tgAgain, created, err := c.EnsureTargetGroup(ctx, tgSpec)
	if err != nil || created || tgAgain.ARN != tg.ARN || !maps.Equal(tgAgain.Tags, stack) {
		t.Errorf("second EnsureTargetGroup = %+v, %v, %v; want found", tgAgain, created, err)
	}
	tgSpec.Name = "lb-web-2"
	tg2, _, err := c.EnsureTargetGroup(ctx, tgSpec)
	must(err)

	// The listener: created, found, then re-pointed to the second group.
	lsSpec := cloud.ListenerSpec{LoadBalancerARN: lb.ARN, Port: 80, TargetGroupARN: tg.ARN, Tags: stack}
	ls, created, err := c.EnsureListener(ctx, lsSpec)
	if err != nil || !created || !strings.Contains(ls, ":listener/app/lb-web/") {
		t.Fatalf("EnsureListener = %q, %v, %v; want created", ls, created, err)
	}
	sent := last[*elb.CreateListenerInput](t, rec, "CreateListener")
	if sent.Protocol != elbtypes.ProtocolEnumHttp || sdkaws.ToInt32(sent.Port) != 80 {
		t.Errorf("CreateListener sent %s %d", sent.Protocol, sdkaws.ToInt32(sent.Port))
	}
	if got := f.tags(t, ls); !maps.Equal(got, stack) {
		t.Errorf("listener tags = %v", got)
	}
	forwardsTo := func(want string) {
		t.Helper()
		dl, err := f.elb.DescribeListeners(ctx, &elb.DescribeListenersInput{ListenerArns: []string{ls}})
		must(err)
		if a := dl.Listeners[0].DefaultActions; !forwardsOnlyTo(a, want) {
			t.Errorf("listener forwards with %+v, want to %s only", a, want)
		}
	}
	forwardsTo(tg.ARN)
	n := len(rec.ops())
	if again, created, err := c.EnsureListener(ctx, lsSpec); err != nil || created || again != ls {
		t.Errorf("second EnsureListener = %q, %v, %v", again, created, err)
	}
	if ops := rec.ops()[n:]; slices.Contains(ops, "ModifyListener") || slices.Contains(ops, "CreateListener") {
		t.Errorf("unchanged listener: sent %v", ops)
	}
	lsSpec.TargetGroupARN = tg2.ARN
	if again, created, err := c.EnsureListener(ctx, lsSpec); err != nil || created || again != ls {
		t.Errorf("re-pointing EnsureListener = %q, %v, %v", again, created, err)
	}
	if mod := last[*elb.ModifyListenerInput](t, rec, "ModifyListener"); sdkaws.ToString(mod.ListenerArn) != ls {
		t.Errorf("ModifyListener of %s", sdkaws.ToString(mod.ListenerArn))
	}
	forwardsTo(tg2.ARN)

	if hs, err := c.TargetHealth(ctx, tg2.ARN); err != nil || hs == nil || len(hs) != 0 {
		t.Errorf("TargetHealth of an empty group = %#v, %v; want an empty list", hs, err)
	}
	found, err := c.LoadBalancer(ctx, "lb-web")
	if err != nil || found.ARN != lb.ARN || found.DNSName != lb.DNSName || !maps.Equal(found.Tags, stack) {
		t.Errorf("LoadBalancer = %+v, %v", found, err)
	}

	// An untagged look-alike is not the stack's.
	other := f.group(t, c, "lb-other", nil)
	stray, _, err := c.EnsureLoadBalancer(ctx, cloud.LoadBalancerSpec{Name: "lb-web-copy", Subnets: f.subnets, SecurityGroups: []string{other}})
	must(err)
	strayTG, _, err := c.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{Name: "lb-web-copy", VpcID: f.vpc, Port: 80, HealthPath: "/"})
	must(err)
	rs, err := c.StackResources(ctx, "lb")
	must(err)
	tgs := slices.Sorted(slices.Values([]string{tg.ARN, tg2.ARN}))
	want := []string{ // in delete order: the load balancer uses the group
		"elb:load-balancer " + lb.ARN, "elb:target-group " + tgs[0], "elb:target-group " + tgs[1], "ec2:security-group " + sg,
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.Type+" "+r.ID)
		if strings.HasPrefix(r.Type, "elb:") && r.ARN != r.ID {
			t.Errorf("%s: ID %s, ARN %s; want the ARN for both", r.Type, r.ID, r.ARN)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("StackResources =\n%v\nwant\n%v", got, want)
	}

	// A group a listener forwards to cannot go first; the load balancer
	// takes its listeners with it.
	if err := c.DeleteTargetGroup(ctx, tg2.ARN); codeOf(err) != "ResourceInUse" {
		t.Errorf("deleting a group in use: %v, want ResourceInUse", err)
	}
	for _, r := range rs[:3] {
		del := c.DeleteTargetGroup
		if r.Type == "elb:load-balancer" {
			del = c.DeleteLoadBalancer
		}
		must(del(ctx, r.ID))
	}
	// AWS: "If the load balancer does not exist or has already been
	// deleted, the call succeeds." (DeleteLoadBalancer); moto agrees.
	must(c.DeleteLoadBalancer(ctx, lb.ARN))
	_, err = c.LoadBalancer(ctx, "lb-web")
	if codeOf(err) != cloud.CodeLoadBalancerNotFound || !cloud.IsNotFound(err) {
		t.Errorf("LoadBalancer of a deleted one: %v, want %s", err, cloud.CodeLoadBalancerNotFound)
	}
	if _, err := c.TargetHealth(ctx, tg.ARN); codeOf(err) != "TargetGroupNotFound" || !cloud.IsNotFound(err) {
		t.Errorf("TargetHealth of a deleted group: %v, want TargetGroupNotFound", err)
	}
	rs, err = c.StackResources(ctx, "lb")
	must(err)
	if len(rs) != 1 || rs[0].Type != "ec2:security-group" {
		t.Errorf("after deleting: StackResources = %+v, want only the security group", rs)
	}
	must(c.DeleteLoadBalancer(ctx, stray.ARN))
	must(c.DeleteTargetGroup(ctx, strayTG.ARN))
}

// testELBStackBatches: more target groups than one DescribeTags takes
// (the fixture's callLog fails a call with more than 20 ARNs, as AWS does).
func testELBStackBatches(t *testing.T, f *elbFixture) {
	ctx := context.Background()
	c, log := f.client(t)
	var want []string
	for i := range 25 {
		tags := cloud.StackTags("many", nil)
		if i%5 == 4 {
			tags = cloud.StackTags("many-other", nil)
		}
		tg, _, err := c.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{Name: fmt.Sprintf("many-%02d", i), VpcID: f.vpc, Port: 80, HealthPath: "/", Tags: tags})
		if err != nil {
			t.Fatal(err)
		}
		if tags[cloud.StackTag] == "many" {
			want = append(want, tg.ARN)
		}
	}
	rs, err := c.StackResources(ctx, "many")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		if r.Type != "elb:target-group" || r.ID != r.ARN {
			t.Errorf("unexpected %+v", r)
		}
		got = append(got, r.ID)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("StackResources found %d target groups, want %d:\n%v\n%v", len(got), len(want), got, want)
	}
	if n := len(log.ops("DescribeTags")); n < 2 {
		t.Errorf("%d DescribeTags calls for 25+ ARNs, want batches of 20", n)
	}
	log.check(t)
}
