package contract

import (
	"context"
	"maps"
	"slices"
	"strings"

	"deckhand/internal/cloud"
)

// elb exercises the LoadBalancers capability the way a launch with a load
// balancer and its destroy use it: the load balancer's security group and
// a task group open to it only (a source group rule), find-or-create of
// the load balancer (provisioning, then active), two target groups and a
// listener re-pointed from one to the other; what AWS refuses while
// things are in use; the stack found by its tag, deleted in
// aws.StackDeleteOrder, and deleting again answering "gone".
func (r *run) elb() {
	t, ctx := r.t, context.Background()
	lbs, ok := r.b.(cloud.LoadBalancers)
	d, ok2 := r.b.(cloud.Deployer)
	if !ok || !ok2 {
		t.Skipf("%s: the backend is not an aws.LoadBalancers and aws.Deployer", r.tg.Name)
	}
	region := "us-east-1"
	if rg, ok := r.b.(interface{ Region() string }); ok {
		region = rg.Region()
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	stack := "elb-" + r.tag
	tags := cloud.StackTags(stack, nil)

	// Two subnets in two availability zones of the default VPC.
	vpc, err := d.DefaultVPC(ctx)
	must("DefaultVPC", err)
	all, err := d.Subnets(ctx, vpc.ID)
	must("Subnets", err)
	var subnets []string
	for i, s := range all {
		if i == 0 || s.AZ != all[i-1].AZ {
			subnets = append(subnets, s.ID)
		}
	}
	if len(subnets) < 2 {
		t.Fatalf("the default VPC's subnets %+v span fewer than two availability zones", all)
	}
	subnets = subnets[:2]

	// The load balancer's group, and the tasks' group open to it only.
	lbSG, _, err := d.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: stack + "-alb", VpcID: vpc.ID, Tags: tags,
		Ingress: []cloud.IngressRule{{Port: 80, CIDR: "0.0.0.0/0"}}})
	must("EnsureSecurityGroup (load balancer)", err)
	taskSpec := cloud.SecurityGroupSpec{Name: stack + "-task", VpcID: vpc.ID, Tags: tags,
		Ingress: []cloud.IngressRule{{Port: 8080, SourceGroupID: lbSG, Description: "from the load balancer"}}}
	taskSG, created, err := d.EnsureSecurityGroup(ctx, taskSpec)
	must("EnsureSecurityGroup (from a source group)", err)
	if again, againCreated, err := d.EnsureSecurityGroup(ctx, taskSpec); err != nil || againCreated || again != taskSG || !created {
		t.Errorf("EnsureSecurityGroup with a source group, twice = %q (created %v), then %q, %v, %v; want created, then found", taskSG, created, again, againCreated, err)
	}
	_, _, err = d.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: stack + "-orphan", VpcID: vpc.ID,
		Ingress: []cloud.IngressRule{{Port: 80, SourceGroupID: "sg-0123456789abcdef0"}}})
	r.wantCode(err, "ec2", "", "InvalidGroup.NotFound")

	// The load balancer: provisioning when created, active later.
	name := "deckhand-" + r.tag
	lbSpec := cloud.LoadBalancerSpec{Name: name, Subnets: subnets, SecurityGroups: []string{lbSG}, Tags: tags}
	lb, created, err := lbs.EnsureLoadBalancer(ctx, lbSpec)
	must("EnsureLoadBalancer", err)
	if !created || lb.Name != name || lb.State != "provisioning" || lb.VpcID != vpc.ID || !maps.Equal(lb.Tags, tags) ||
		!strings.HasPrefix(lb.ARN, "arn:aws:elasticloadbalancing:"+region+":") || !strings.Contains(lb.ARN, ":loadbalancer/app/"+name+"/") ||
		!strings.HasPrefix(lb.DNSName, name+"-") || !strings.HasSuffix(lb.DNSName, "."+region+".elb.amazonaws.com") ||
		!slices.Equal(slices.Sorted(slices.Values(lb.Subnets)), slices.Sorted(slices.Values(subnets))) {
		t.Errorf("EnsureLoadBalancer = %+v, created %v", lb, created)
	}
	r.eventually("load balancer active", func() (bool, string) {
		got, err := lbs.LoadBalancer(ctx, name)
		return err == nil && got.State == "active", got.State + " " + errString(err)
	})
	lbSpec.Tags = cloud.Tags{"other": "tags"}
	if again, created, err := lbs.EnsureLoadBalancer(ctx, lbSpec); err != nil || created || again.ARN != lb.ARN || !maps.Equal(again.Tags, tags) {
		t.Errorf("EnsureLoadBalancer again = %+v, %v, %v; want found, with its tags", again, created, err)
	}
	_, err = lbs.LoadBalancer(ctx, name+"-none")
	if r.wantCode(err, "elbv2", "DescribeLoadBalancers", cloud.CodeLoadBalancerNotFound); !cloud.IsNotFound(err) {
		t.Errorf("LoadBalancer of an unknown name: IsNotFound(%v) is false", err)
	}

	// Target groups and the listener.
	tgSpec := cloud.TargetGroupSpec{Name: name + "-a", VpcID: vpc.ID, Port: 8080, HealthPath: "/health", Tags: tags}
	tgA, created, err := lbs.EnsureTargetGroup(ctx, tgSpec)
	must("EnsureTargetGroup", err)
	if !created || tgA.Name != tgSpec.Name || tgA.Port != 8080 || tgA.HealthPath != "/health" ||
		!strings.Contains(tgA.ARN, ":targetgroup/"+tgSpec.Name+"/") || !maps.Equal(tgA.Tags, tags) {
		t.Errorf("EnsureTargetGroup = %+v, created %v", tgA, created)
	}
	tgSpec.Name = name + "-b"
	tgB, _, err := lbs.EnsureTargetGroup(ctx, tgSpec)
	must("EnsureTargetGroup (second)", err)
	lsSpec := cloud.ListenerSpec{LoadBalancerARN: lb.ARN, Port: 80, TargetGroupARN: tgA.ARN, Tags: tags}
	ls, created, err := lbs.EnsureListener(ctx, lsSpec)
	must("EnsureListener", err)
	if !created || !strings.Contains(ls, ":listener/app/"+name+"/") {
		t.Errorf("EnsureListener = %q, created %v", ls, created)
	}
	if again, created, err := lbs.EnsureListener(ctx, lsSpec); err != nil || created || again != ls {
		t.Errorf("EnsureListener again = %q, %v, %v; want found", again, created, err)
	}
	tgSpec.Name = name + "-a"
	if again, created, err := lbs.EnsureTargetGroup(ctx, tgSpec); err != nil || created || again.ARN != tgA.ARN || !slices.Equal(again.LoadBalancerARNs, []string{lb.ARN}) {
		t.Errorf("EnsureTargetGroup of the group the listener forwards to = %+v, %v, %v; want found, with the load balancer", again, created, err)
	}
	lsSpec.TargetGroupARN = tgB.ARN
	if again, created, err := lbs.EnsureListener(ctx, lsSpec); err != nil || created || again != ls {
		t.Errorf("EnsureListener to another group = %q, %v, %v; want the same listener, modified", again, created, err)
	}
	if hs, err := lbs.TargetHealth(ctx, tgB.ARN); err != nil || hs == nil || len(hs) != 0 {
		t.Errorf("TargetHealth of a group without targets = %#v, %v; want an empty list", hs, err)
	}
	r.wantCode(lbs.DeleteTargetGroup(ctx, tgB.ARN), "elbv2", "DeleteTargetGroup", "ResourceInUse")
	if !r.quirk(r.tg.Quirks.NoSecurityGroupDependencyChecks, "NoSecurityGroupDependencyChecks", "DependencyViolation while a load balancer uses the group, or another group's rule names it") {
		r.wantCode(d.DeleteSecurityGroup(ctx, lbSG), "ec2", "DeleteSecurityGroup", "DependencyViolation")
	}

	// The stack, deleted in order; deleting again is "gone".
	rs, err := d.StackResources(ctx, stack)
	must("StackResources", err)
	var got []string
	for _, x := range rs {
		got = append(got, x.Type+" "+x.ID)
	}
	groups := slices.Sorted(slices.Values([]string{"ec2:security-group " + lbSG, "ec2:security-group " + taskSG}))
	tgs := slices.Sorted(slices.Values([]string{"elb:target-group " + tgA.ARN, "elb:target-group " + tgB.ARN}))
	if want := slices.Concat([]string{"elb:load-balancer " + lb.ARN}, tgs, groups); !slices.Equal(got, want) {
		t.Fatalf("StackResources =\n%v\nwant\n%v", got, want)
	}
	must("DeleteLoadBalancer", lbs.DeleteLoadBalancer(ctx, lb.ARN))
	for _, tg := range []string{tgA.ARN, tgB.ARN} {
		r.eventually("DeleteTargetGroup", func() (bool, string) {
			err := lbs.DeleteTargetGroup(ctx, tg)
			return err == nil, errString(err) // AWS may answer ResourceInUse for a moment
		})
	}
	must("DeleteSecurityGroup (tasks)", d.DeleteSecurityGroup(ctx, taskSG))
	must("DeleteSecurityGroup (load balancer)", d.DeleteSecurityGroup(ctx, lbSG))
	// AWS: "If the load balancer does not exist or has already been
	// deleted, the call succeeds."
	must("DeleteLoadBalancer again", lbs.DeleteLoadBalancer(ctx, lb.ARN))
	if err := lbs.DeleteTargetGroup(ctx, tgA.ARN); err != nil && !cloud.IsNotFound(err) {
		t.Errorf("DeleteTargetGroup again = %v, want success or not found", err)
	}
	_, err = lbs.TargetHealth(ctx, tgA.ARN)
	r.wantCode(err, "elbv2", "DescribeTargetHealth", "TargetGroupNotFound")
	if rs, err := d.StackResources(ctx, stack); err != nil || len(rs) != 0 {
		t.Errorf("StackResources after the delete = %+v, %v", rs, err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
