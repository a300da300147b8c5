package sandbox

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/internal/cloud"
)

// Tests of Elastic Load Balancing in the sandbox (elb.go); ECS's side is
// in elb_targets_test.go.

var (
	reLBARN       = regexp.MustCompile(`^arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/([a-z0-9-]+)/[0-9a-f]{16}$`)
	reTGARN       = regexp.MustCompile(`^arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/([a-z0-9-]+)/[0-9a-f]{16}$`)
	reListenerARN = regexp.MustCompile(`^arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/([a-z0-9-]+)/([0-9a-f]{16})/[0-9a-f]{16}$`)
	reDNSName     = regexp.MustCompile(`^([a-z0-9-]+)-\d{9,10}\.us-east-1\.elb\.amazonaws\.com$`)
)

// albFixture is a load balancer in two availability zones with its
// security group, a target group and a listener on port 80 forwarding to
// it.
type albFixture struct {
	vpc      string
	subnets  []string // one per availability zone, sorted by zone
	sg       string
	lb       cloud.LoadBalancer
	tg       cloud.TargetGroup
	listener string
}

func alb(t *testing.T, a *Account, name string, port int32, tags cloud.Tags) albFixture {
	t.Helper()
	ctx := context.Background()
	var fx albFixture
	vpc, err := a.DefaultVPC(ctx)
	mustNil(t, err)
	fx.vpc = vpc.ID
	sns, err := a.Subnets(ctx, vpc.ID)
	mustNil(t, err)
	for _, s := range sns {
		fx.subnets = append(fx.subnets, s.ID)
	}
	fx.sg, _, err = a.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: name + "-lb", VpcID: vpc.ID, Tags: tags,
		Ingress: []cloud.IngressRule{{Port: 80, CIDR: "0.0.0.0/0"}}})
	mustNil(t, err)
	fx.lb, _, err = a.EnsureLoadBalancer(ctx, cloud.LoadBalancerSpec{Name: name, Subnets: fx.subnets[:2], SecurityGroups: []string{fx.sg}, Tags: tags})
	mustNil(t, err)
	fx.tg, _, err = a.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{Name: name + "-tg", VpcID: vpc.ID, Port: port, HealthPath: "/health", Tags: tags})
	mustNil(t, err)
	fx.listener, _, err = a.EnsureListener(ctx, cloud.ListenerSpec{LoadBalancerARN: fx.lb.ARN, Port: 80, TargetGroupARN: fx.tg.ARN, Tags: tags})
	mustNil(t, err)
	return fx
}

// untilActive steps the clock a second at a time until the load balancer
// is active, and returns how long that took.
func untilActive(t *testing.T, clk *clock, a *Account, name string) time.Duration {
	t.Helper()
	start := clk.Now()
	for clk.Now().Sub(start) < 10*time.Minute {
		lb, err := a.LoadBalancer(context.Background(), name)
		mustNil(t, err)
		if lb.State == "active" {
			return clk.Now().Sub(start)
		}
		if lb.State != "provisioning" {
			t.Fatalf("load balancer %s is %q, want provisioning then active", name, lb.State)
		}
		clk.Advance(time.Second)
	}
	t.Fatalf("load balancer %s not active after 10 minutes", name)
	return 0
}

func TestLoadBalancerLifecycle(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	tags := cloud.StackTags("shop", nil)
	fx := alb(t, a, "shop", 8080, tags)
	lb := fx.lb
	if m := reLBARN.FindStringSubmatch(lb.ARN); m == nil || m[1] != "shop" {
		t.Errorf("ARN %q", lb.ARN)
	}
	if m := reDNSName.FindStringSubmatch(lb.DNSName); m == nil || m[1] != "shop" {
		t.Errorf("DNSName %q", lb.DNSName)
	}
	if lb.State != "provisioning" || lb.VpcID != fx.vpc || !slices.Equal(lb.Subnets, fx.subnets[:2]) || !maps.Equal(lb.Tags, tags) {
		t.Errorf("new load balancer %+v", lb)
	}
	within(t, "provisioning", untilActive(t, clk, a, "shop"), elbProvisioning.lo, elbProvisioning.hi)

	again, created, err := a.EnsureLoadBalancer(ctx, cloud.LoadBalancerSpec{Name: "shop", Subnets: fx.subnets[1:], SecurityGroups: []string{fx.sg}})
	mustNil(t, err)
	if created || again.ARN != lb.ARN || again.State != "active" || !slices.Equal(again.Subnets, lb.Subnets) || !maps.Equal(again.Tags, tags) {
		t.Errorf("EnsureLoadBalancer again = %+v, created %v; want the one found, with its settings and tags", again, created)
	}
	if _, err := a.LoadBalancer(ctx, "nope"); awsCode(err) != cloud.CodeLoadBalancerNotFound || !cloud.IsNotFound(err) {
		t.Errorf("LoadBalancer(nope) = %v, want LoadBalancerNotFound", err)
	}

	// The listener: found again, then re-pointed to another group.
	if m := reListenerARN.FindStringSubmatch(fx.listener); m == nil || m[1] != "shop" || !strings.HasSuffix(lb.ARN, "/"+m[2]) {
		t.Errorf("listener ARN %q of %q", fx.listener, lb.ARN)
	}
	if m := reTGARN.FindStringSubmatch(fx.tg.ARN); m == nil || m[1] != "shop-tg" || fx.tg.Port != 8080 || fx.tg.HealthPath != "/health" || len(fx.tg.LoadBalancerARNs) != 0 {
		t.Errorf("new target group %+v", fx.tg)
	}
	tg, created, err := a.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{Name: "shop-tg", VpcID: fx.vpc, Port: 9000, HealthPath: "/"})
	mustNil(t, err)
	if created || tg.ARN != fx.tg.ARN || tg.Port != 8080 || !slices.Equal(tg.LoadBalancerARNs, []string{lb.ARN}) || !maps.Equal(tg.Tags, tags) {
		t.Errorf("EnsureTargetGroup again = %+v, created %v", tg, created)
	}
	l, created, err := a.EnsureListener(ctx, cloud.ListenerSpec{LoadBalancerARN: lb.ARN, Port: 80, TargetGroupARN: fx.tg.ARN})
	if err != nil || created || l != fx.listener {
		t.Errorf("EnsureListener again = %q, %v, %v; want %q found", l, created, err, fx.listener)
	}
	green, _, err := a.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{Name: "shop-green", VpcID: fx.vpc, Port: 8080, HealthPath: "/health"})
	mustNil(t, err)
	l, created, err = a.EnsureListener(ctx, cloud.ListenerSpec{LoadBalancerARN: lb.ARN, Port: 80, TargetGroupARN: green.ARN})
	if err != nil || created || l != fx.listener {
		t.Errorf("EnsureListener re-pointed = %q, %v, %v; want %q modified", l, created, err, fx.listener)
	}
	err = a.DeleteTargetGroup(ctx, green.ARN)
	if e := (*cloud.Error)(nil); !errors.As(err, &e) || e.Code != "ResourceInUse" ||
		e.Message != "Target group '"+green.ARN+"' is currently in use by a listener or a rule" {
		t.Errorf("DeleteTargetGroup of the group forwarded to = %v, want ResourceInUse", err)
	}
	mustNil(t, a.DeleteTargetGroup(ctx, fx.tg.ARN)) // no longer forwarded to

	// One load balancer per target group of type ip.
	other, _, err := a.EnsureLoadBalancer(ctx, cloud.LoadBalancerSpec{Name: "other", Subnets: fx.subnets[:2], SecurityGroups: []string{fx.sg}})
	mustNil(t, err)
	_, _, err = a.EnsureListener(ctx, cloud.ListenerSpec{LoadBalancerARN: other.ARN, Port: 80, TargetGroupARN: green.ARN})
	if awsCode(err) != "TargetGroupAssociationLimit" {
		t.Errorf("a second load balancer forwarding to the group: %v, want TargetGroupAssociationLimit", err)
	}

	// Its security group stays while a load balancer uses it.
	if err := a.DeleteSecurityGroup(ctx, fx.sg); awsCode(err) != "DependencyViolation" {
		t.Errorf("DeleteSecurityGroup of the load balancer's group = %v, want DependencyViolation", err)
	}
	mustNil(t, a.DeleteLoadBalancer(ctx, lb.ARN))
	mustNil(t, a.DeleteLoadBalancer(ctx, lb.ARN)) // AWS: deleting one that is gone succeeds
	mustNil(t, a.DeleteLoadBalancer(ctx, other.ARN))
	mustNil(t, a.DeleteTargetGroup(ctx, green.ARN)) // its listener went with the load balancer
	mustNil(t, a.DeleteSecurityGroup(ctx, fx.sg))
	if _, err := a.LoadBalancer(ctx, "shop"); awsCode(err) != cloud.CodeLoadBalancerNotFound {
		t.Errorf("LoadBalancer after delete = %v", err)
	}
	if err := a.DeleteTargetGroup(ctx, green.ARN); awsCode(err) != "TargetGroupNotFound" || !cloud.IsNotFound(err) {
		t.Errorf("DeleteTargetGroup again = %v, want TargetGroupNotFound", err)
	}
}

// TestLoadBalancerErrors: ELB's codes for what only the account can tell.
func TestLoadBalancerErrors(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	fx := alb(t, a, "errs", 80, nil)
	// A second subnet in the first subnet's zone (the default VPC has one a
	// zone, as in AWS; a custom VPC may have more).
	var sameAZ string
	mustNil(t, a.update(ctx, func(w *world, r *region) error {
		first := r.subnet(fx.subnets[0])
		sn := &subnet{ID: w.ec2ID("subnet"), VpcID: first.VpcID, AZ: first.AZ, CIDR: "172.31.128.0/20"}
		r.Subnets, sameAZ = append(r.Subnets, sn), sn.ID
		return nil
	}))
	const noSubnet, noGroup = "subnet-0123456789abcdef0", "sg-0123456789abcdef0"
	tgARN := strings.Replace(fx.tg.ARN, "/errs-tg/", "/gone/", 1)
	lbSpec := func(subnets ...string) cloud.LoadBalancerSpec {
		return cloud.LoadBalancerSpec{Name: "new", Subnets: subnets, SecurityGroups: []string{fx.sg}}
	}
	ensureLB := func(spec cloud.LoadBalancerSpec) func() error {
		return func() error { _, _, err := a.EnsureLoadBalancer(ctx, spec); return err }
	}
	cases := []struct {
		name, op, code, msg string
		call                func() error
	}{
		{"one subnet", "CreateLoadBalancer", "ValidationError", "", ensureLB(lbSpec(fx.subnets[0]))},
		{"two subnets in one zone", "CreateLoadBalancer", "ValidationError", "At least two subnets in two different Availability Zones must be specified",
			ensureLB(lbSpec(fx.subnets[0], sameAZ))},
		{"two subnets of three in one zone", "CreateLoadBalancer", "InvalidConfigurationRequest", "A load balancer cannot be attached to multiple subnets in the same Availability Zone",
			ensureLB(lbSpec(fx.subnets[0], sameAZ, fx.subnets[1]))},
		{"unknown subnet", "CreateLoadBalancer", "InvalidSubnet", "The subnet ID '" + noSubnet + "' is not valid", ensureLB(lbSpec(fx.subnets[0], noSubnet))},
		{"unknown security group", "CreateLoadBalancer", "InvalidSecurityGroup", "Security group '" + noGroup + "' does not exist",
			ensureLB(cloud.LoadBalancerSpec{Name: "new", Subnets: fx.subnets[:2], SecurityGroups: []string{noGroup}})},
		{"target group in an unknown VPC", "CreateTargetGroup", "ValidationError", "The VPC ID 'vpc-0123456789abcdef0' is not found", func() error {
			_, _, err := a.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{Name: "new", VpcID: "vpc-0123456789abcdef0", Port: 80, HealthPath: "/"})
			return err
		}},
		{"listener of an unknown load balancer", "CreateListener", cloud.CodeLoadBalancerNotFound, "", func() error {
			_, _, err := a.EnsureListener(ctx, cloud.ListenerSpec{LoadBalancerARN: strings.Replace(fx.lb.ARN, "/errs/", "/gone/", 1), Port: 80, TargetGroupARN: fx.tg.ARN})
			return err
		}},
		{"listener to an unknown target group", "CreateListener", "TargetGroupNotFound", "Target groups '" + tgARN + "' not found", func() error {
			_, _, err := a.EnsureListener(ctx, cloud.ListenerSpec{LoadBalancerARN: fx.lb.ARN, Port: 8080, TargetGroupARN: tgARN})
			return err
		}},
		{"health of an unknown target group", "DescribeTargetHealth", "TargetGroupNotFound", "", func() error {
			_, err := a.TargetHealth(ctx, tgARN)
			return err
		}},
		{"delete an unknown target group", "DeleteTargetGroup", "TargetGroupNotFound", "", func() error { return a.DeleteTargetGroup(ctx, tgARN) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e *cloud.Error
			if err := c.call(); !errors.As(err, &e) || e.Service != "elbv2" || e.Operation != c.op || e.Code != c.code || (c.msg != "" && e.Message != c.msg) {
				t.Errorf("got %v, want elbv2:%s %s %q", err, c.op, c.code, c.msg)
			}
		})
	}
	lb, err := a.LoadBalancer(ctx, "new")
	if awsCode(err) != cloud.CodeLoadBalancerNotFound {
		t.Errorf("a refused EnsureLoadBalancer created %+v (%v)", lb, err)
	}
}

// TestSourceGroupIngress: a rule allowing a security group's members
// (the load balancer's) is stored, returned, never doubled, and keeps the
// source group from being deleted.
func TestSourceGroupIngress(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	vpc, err := a.DefaultVPC(ctx)
	mustNil(t, err)
	lbSG, _, err := a.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: "lb", VpcID: vpc.ID, Ingress: []cloud.IngressRule{{Port: 80, CIDR: "0.0.0.0/0"}}})
	mustNil(t, err)
	spec := cloud.SecurityGroupSpec{Name: "app", VpcID: vpc.ID, Ingress: []cloud.IngressRule{{Port: 8080, SourceGroupID: lbSG, Description: "from the load balancer"}}}
	app, created, err := a.EnsureSecurityGroup(ctx, spec)
	if err != nil || !created {
		t.Fatalf("EnsureSecurityGroup = %v, %v", created, err)
	}
	spec.Ingress = append(spec.Ingress, cloud.IngressRule{Port: 22, CIDR: "198.51.100.9/32"})
	again, created, err := a.EnsureSecurityGroup(ctx, spec)
	if err != nil || created || again != app {
		t.Errorf("EnsureSecurityGroup again = %q, %v, %v", again, created, err)
	}
	mustNil(t, a.view(ctx, func(w *world, r *region) error {
		want := []cloud.IngressRule{{Protocol: "tcp", Port: 8080, SourceGroupID: lbSG, Description: "from the load balancer"}, {Protocol: "tcp", Port: 22, CIDR: "198.51.100.9/32"}}
		if got := r.securityGroup(app).rules(); !slices.Equal(got, want) {
			t.Errorf("rules %+v, want %+v", got, want)
		}
		return nil
	}))

	_, _, err = a.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: "orphan", VpcID: vpc.ID, Ingress: []cloud.IngressRule{{Port: 80, SourceGroupID: "sg-0123456789abcdef0"}}})
	if awsCode(err) != "InvalidGroup.NotFound" {
		t.Errorf("a rule from an unknown group: %v, want InvalidGroup.NotFound", err)
	}
	mustNil(t, a.view(ctx, func(w *world, r *region) error {
		if find(r.SecurityGroups, func(g *securityGroup) bool { return g.Name == "orphan" }) != nil {
			t.Error("the refused call created its group")
		}
		return nil
	}))

	if err := a.DeleteSecurityGroup(ctx, lbSG); awsCode(err) != "DependencyViolation" {
		t.Errorf("DeleteSecurityGroup of a source group = %v, want DependencyViolation", err)
	}
	mustNil(t, a.DeleteSecurityGroup(ctx, app))
	mustNil(t, a.DeleteSecurityGroup(ctx, lbSG))
}

// TestELBStackPersistsAndReadonly: the stack lists its load balancer and
// target group (not an untagged look-alike) in delete order; they survive
// reopening the state file, where time went on; a read-only account reads
// them and refuses every change.
func TestELBStackPersistsAndReadonly(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	path := filepath.Join(t.TempDir(), "sandbox.json")
	a, err := Open(Options{Path: path, Clock: clk})
	mustNil(t, err)
	fx := alb(t, a, "keep", 8080, cloud.StackTags("keep", nil))
	alb(t, a, "keep-copy", 8080, nil)
	want := []cloud.TaggedResource{
		{Type: "elb:load-balancer", ID: fx.lb.ARN, ARN: fx.lb.ARN},
		{Type: "elb:target-group", ID: fx.tg.ARN, ARN: fx.tg.ARN},
		{Type: "ec2:security-group", ID: fx.sg, ARN: "arn:aws:ec2:us-east-1:" + AccountID + ":security-group/" + fx.sg},
	}
	cloud.SortStack(want)
	if got, err := a.StackResources(ctx, "keep"); err != nil || !slices.Equal(got, want) {
		t.Errorf("StackResources = %+v, %v; want %+v", got, err, want)
	}

	clk.Advance(elbProvisioning.hi)
	b, err := Open(Options{Path: path, Clock: clk})
	mustNil(t, err)
	lb, created, err := b.EnsureLoadBalancer(ctx, cloud.LoadBalancerSpec{Name: "keep", Subnets: fx.subnets[:2], SecurityGroups: []string{fx.sg}})
	if err != nil || created || lb.ARN != fx.lb.ARN || lb.State != "active" || lb.DNSName != fx.lb.DNSName {
		t.Errorf("after reopening: %+v, %v, %v", lb, created, err)
	}
	if tg, created, err := b.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{Name: "keep-tg", VpcID: fx.vpc, Port: 8080, HealthPath: "/health"}); err != nil || created ||
		tg.ARN != fx.tg.ARN || !slices.Equal(tg.LoadBalancerARNs, []string{fx.lb.ARN}) {
		t.Errorf("target group after reopening: %+v, %v, %v", tg, created, err)
	}

	ro, err := Open(Options{Path: path, Clock: clk, Readonly: true})
	mustNil(t, err)
	if lb, err := ro.LoadBalancer(ctx, "keep"); err != nil || lb.ARN != fx.lb.ARN {
		t.Errorf("read-only LoadBalancer = %+v, %v", lb, err)
	}
	if hs, err := ro.TargetHealth(ctx, fx.tg.ARN); err != nil || hs == nil || len(hs) != 0 {
		t.Errorf("read-only TargetHealth = %#v, %v; want an empty list", hs, err)
	}
	calls := map[string]func() error{
		"EnsureLoadBalancer": func() error { _, _, err := ro.EnsureLoadBalancer(ctx, cloud.LoadBalancerSpec{}); return err },
		"DeleteLoadBalancer": func() error { return ro.DeleteLoadBalancer(ctx, fx.lb.ARN) },
		"EnsureTargetGroup":  func() error { _, _, err := ro.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{}); return err },
		"DeleteTargetGroup":  func() error { return ro.DeleteTargetGroup(ctx, fx.tg.ARN) },
		"EnsureListener":     func() error { _, _, err := ro.EnsureListener(ctx, cloud.ListenerSpec{}); return err },
	}
	for _, name := range sortedKeys(calls) {
		if err := calls[name](); !errors.Is(err, cloud.ErrReadonly) {
			t.Errorf("read-only %s = %v, want ErrReadonly", name, err)
		}
	}
}
