package aws

import (
	"context"
	"slices"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// TestFargateLoadBalancerAgainstMoto: with --load-balancer the launch
// creates an ALB in one subnet per zone, an ip target group with the
// health check, an HTTP listener forwarding to it, and a service
// registered there; only the ALB's group is open to the world, the tasks'
// port only to the ALB. A re-run finds all of it; destroy removes it.
func TestFargateLoadBalancerAgainstMoto(t *testing.T) {
	f := newMoto(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	lbc := elb.NewFromConfig(cfg, func(o *elb.Options) { o.BaseEndpoint = sdkaws.String(f.url) })
	const stack = "lbweb"

	opts := FargateOptions{Stack: stack, Image: "public.ecr.aws/nginx/nginx:1.27", Port: 8080, HealthCheck: "python", NoWait: true, LoadBalancer: true}
	steps, _, err := Fargate(f.be, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, steps)
	want := []string{"image:done", "log-group:done", "exec-role:done", "task-definition:done", "cluster:done", "network:done",
		"lb-security-group:done", "security-group:done", "load-balancer:done", "service:done", "wait:skipped", "url:skipped", "check:skipped"}
	if got := r.states(); !slices.Equal(got, want) {
		t.Fatalf("steps = %v, want %v", got, want)
	}

	lbs, err := lbc.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{"deckhand-lbweb"}})
	if err != nil || len(lbs.LoadBalancers) != 1 {
		t.Fatalf("load balancer: %v %+v", err, lbs)
	}
	lb := lbs.LoadBalancers[0]
	zones := map[string]bool{}
	for _, z := range lb.AvailabilityZones {
		zones[sdkaws.ToString(z.ZoneName)] = true
	}
	if lb.Scheme != elbtypes.LoadBalancerSchemeEnumInternetFacing || lb.Type != elbtypes.LoadBalancerTypeEnumApplication ||
		len(lb.AvailabilityZones) < 2 || len(zones) != len(lb.AvailabilityZones) || len(lb.SecurityGroups) != 1 {
		t.Errorf("load balancer: scheme %v type %v zones %+v groups %v", lb.Scheme, lb.Type, lb.AvailabilityZones, lb.SecurityGroups)
	}
	lbGroup := describeGroup(t, f, lb.SecurityGroups[0])
	if sdkaws.ToString(lbGroup.GroupName) != "deckhand-lbweb-lb" || !slices.Equal(rules(lbGroup), []string{"tcp 80 0.0.0.0/0"}) || !hasEC2Tag(lbGroup.Tags, stack) {
		t.Errorf("load balancer's group %s: ingress %v tags %v", sdkaws.ToString(lbGroup.GroupName), rules(lbGroup), lbGroup.Tags)
	}

	tgs, err := lbc.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{Names: []string{"deckhand-lbweb"}})
	if err != nil || len(tgs.TargetGroups) != 1 {
		t.Fatalf("target group: %v %+v", err, tgs)
	}
	tg := tgs.TargetGroups[0]
	if tg.TargetType != elbtypes.TargetTypeEnumIp || sdkaws.ToInt32(tg.Port) != 8080 || sdkaws.ToString(tg.HealthCheckPath) != "/health" {
		t.Errorf("target group: type %v port %d health %q", tg.TargetType, sdkaws.ToInt32(tg.Port), sdkaws.ToString(tg.HealthCheckPath))
	}
	ls, err := lbc.DescribeListeners(ctx, &elb.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
	if err != nil || len(ls.Listeners) != 1 || sdkaws.ToInt32(ls.Listeners[0].Port) != 80 ||
		len(ls.Listeners[0].DefaultActions) != 1 || sdkaws.ToString(ls.Listeners[0].DefaultActions[0].TargetGroupArn) != sdkaws.ToString(tg.TargetGroupArn) {
		t.Errorf("listeners: %v %+v", err, ls)
	}
	tags, err := lbc.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: []string{sdkaws.ToString(lb.LoadBalancerArn), sdkaws.ToString(tg.TargetGroupArn)}})
	if err != nil || len(tags.TagDescriptions) != 2 {
		t.Fatalf("tags: %v %+v", err, tags)
	}
	for _, d := range tags.TagDescriptions {
		if !slices.ContainsFunc(d.Tags, func(tag elbtypes.Tag) bool {
			return sdkaws.ToString(tag.Key) == "deckhand:stack" && sdkaws.ToString(tag.Value) == stack
		}) {
			t.Errorf("%s tags = %+v", sdkaws.ToString(d.ResourceArn), d.Tags)
		}
	}

	svc := describeService(t, f, "deckhand-lbweb", stack)
	if len(svc.LoadBalancers) != 1 || sdkaws.ToString(svc.LoadBalancers[0].TargetGroupArn) != sdkaws.ToString(tg.TargetGroupArn) ||
		sdkaws.ToString(svc.LoadBalancers[0].ContainerName) != stack || sdkaws.ToInt32(svc.LoadBalancers[0].ContainerPort) != 8080 {
		t.Errorf("service load balancers = %+v", svc.LoadBalancers)
	}
	taskGroup := describeGroup(t, f, svc.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[0])
	if got := rules(taskGroup); !slices.Equal(got, []string{"tcp 8080 " + sdkaws.ToString(lbGroup.GroupId)}) {
		t.Errorf("tasks' ingress = %v, want tcp 8080 from the load balancer's group only", got)
	}

	// A re-run finds everything; one without the load balancer is refused
	// before it changes the service.
	steps, _, err = Fargate(f.be, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	r = run(t, steps)
	if d := r.detail("load-balancer"); !strings.Contains(d, "(found)") {
		t.Errorf("re-run load-balancer = %q, want found", d)
	}
	if d := r.detail("service"); !strings.Contains(d, "updated lbweb to lbweb:2") {
		t.Errorf("re-run service = %q", d)
	}
	plain := opts
	plain.LoadBalancer = false
	steps, _, err = Fargate(f.be, nil, plain)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := runFailing(t, steps); !strings.Contains(err.Error(), "exists behind a load balancer") || !slices.Contains(r.states(), "network:failed") {
		t.Errorf("re-run without the load balancer: %v (steps %v), want a refusal at the network step", err, r.states())
	}
	if got := rules(describeGroup(t, f, sdkaws.ToString(taskGroup.GroupId))); !slices.Equal(got, []string{"tcp 8080 " + sdkaws.ToString(lbGroup.GroupId)}) {
		t.Errorf("after the refused re-run the tasks' ingress = %v; it must not have been opened to the world", got)
	}

	// Destroy: the load balancer before its target group, both before the
	// security groups; nothing tagged is left.
	dsteps, err := Destroy(ctx, f.be, stack, DestroyOptions{Poll: pollFast})
	if err != nil {
		t.Fatal(err)
	}
	order := names(dsteps)
	iLB := slices.Index(order, "delete load-balancer deckhand-lbweb")
	iTG := slices.Index(order, "delete target-group deckhand-lbweb")
	iSG := slices.IndexFunc(order, func(s string) bool { return strings.HasPrefix(s, "delete security-group") })
	if iLB < 0 || iTG < iLB || iSG < iTG {
		t.Errorf("destroy order = %v", order)
	}
	run(t, dsteps)
	if left := stackOf(t, f.be, stack); len(left) != 0 {
		t.Errorf("left after destroy: %v", left)
	}
	if lbs, err := lbc.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{}); err != nil || len(lbs.LoadBalancers) != 0 {
		t.Errorf("load balancers after destroy: %v %+v", err, lbs)
	}
}
