package aws

import (
	"deckhand/internal/cloud"

	"context"
	"slices"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// What the load balancer needs from the other capabilities, against moto:
// a task security group open to the load balancer's group, and a service
// whose tasks ECS registers in the target group.

func testSourceGroupIngress(t *testing.T, f *elbFixture) {
	ctx := context.Background()
	c, rec := recordingClient(t, Options{EndpointURL: f.m.URL, Region: "us-east-1"})
	alb := f.group(t, c, "src-alb", nil)
	other := f.group(t, c, "src-other", nil)
	spec := cloud.SecurityGroupSpec{Name: "src-task", VpcID: f.vpc, Tags: cloud.StackTags("src", nil),
		Ingress: []cloud.IngressRule{{Port: 5000, SourceGroupID: alb, Description: "from the load balancer"}}}
	id, created, err := c.EnsureSecurityGroup(ctx, spec)
	if err != nil || !created {
		t.Fatalf("EnsureSecurityGroup = %q, %v, %v", id, created, err)
	}
	ingress := func() []cloud.IngressRule {
		t.Helper()
		d, err := f.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		rules := ingressOf(d.SecurityGroups[0].IpPermissions)
		slices.SortFunc(rules, func(a, b cloud.IngressRule) int {
			if a.Port != b.Port {
				return int(a.Port - b.Port)
			}
			return strings.Compare(a.SourceGroupID, b.SourceGroupID)
		})
		return rules
	}
	if got, want := ingress(), []cloud.IngressRule{{Protocol: "tcp", Port: 5000, SourceGroupID: alb, Description: "from the load balancer"}}; !slices.Equal(got, want) {
		t.Errorf("ingress = %+v, want %+v", got, want)
	}

	for _, step := range []struct {
		name string
		add  []cloud.IngressRule
		want int // rules authorized by this run
	}{
		{"unchanged", nil, 0},
		{"one CIDR rule more", []cloud.IngressRule{{Port: 22, CIDR: "203.0.113.7/32"}}, 1},
		{"same port from another group", []cloud.IngressRule{{Port: 5000, SourceGroupID: other}}, 1},
		{"unchanged again", nil, 0},
	} {
		spec.Ingress = append(spec.Ingress, step.add...)
		n := len(rec.ops())
		again, created, err := c.EnsureSecurityGroup(ctx, spec)
		if err != nil || created || again != id {
			t.Fatalf("%s: EnsureSecurityGroup = %q, %v, %v; want found", step.name, again, created, err)
		}
		ops := rec.ops()[n:]
		if step.want == 0 {
			// No Authorize at all: a re-run cannot meet InvalidPermission.Duplicate.
			if slices.Contains(ops, "AuthorizeSecurityGroupIngress") {
				t.Errorf("%s: sent %v", step.name, ops)
			}
			continue
		}
		auth := last[*ec2.AuthorizeSecurityGroupIngressInput](t, rec, "AuthorizeSecurityGroupIngress")
		if len(auth.IpPermissions) != step.want {
			t.Errorf("%s: authorized %+v, want only %+v", step.name, auth.IpPermissions, step.add)
		}
	}
	want := []cloud.IngressRule{
		{Protocol: "tcp", Port: 22, CIDR: "203.0.113.7/32"},
		{Protocol: "tcp", Port: 5000, SourceGroupID: alb, Description: "from the load balancer"},
		{Protocol: "tcp", Port: 5000, SourceGroupID: other},
	}
	slices.SortFunc(want[1:], func(a, b cloud.IngressRule) int { return strings.Compare(a.SourceGroupID, b.SourceGroupID) })
	if got := ingress(); !slices.Equal(got, want) {
		t.Errorf("ingress = %+v, want %+v", got, want)
	}
}

// testServiceTargetGroup creates a service attached to a target group. AWS
// refuses a target group no load balancer forwards to
// (InvalidParameterException "… does not have an associated load
// balancer"; moto does not check), so the listener comes first, as a
// launch does it.
func testServiceTargetGroup(t *testing.T, f *elbFixture) {
	ctx := context.Background()
	c, rec := recordingClient(t, Options{EndpointURL: f.m.URL, Region: "us-east-1"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	stack := cloud.StackTags("svc", nil)
	sg := f.group(t, c, "svc-alb", stack)
	lb, _, err := c.EnsureLoadBalancer(ctx, cloud.LoadBalancerSpec{Name: "svc-web", Subnets: f.subnets, SecurityGroups: []string{sg}, Tags: stack})
	must(err)
	tg, _, err := c.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{Name: "svc-web", VpcID: f.vpc, Port: 5000, HealthPath: "/health", Tags: stack})
	must(err)
	_, _, err = c.EnsureListener(ctx, cloud.ListenerSpec{LoadBalancerARN: lb.ARN, Port: 80, TargetGroupARN: tg.ARN, Tags: stack})
	must(err)
	cl, err := c.CreateCluster(ctx, "svc", stack)
	must(err)
	td, err := c.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{Family: "svc-web", CPU: "256", Memory: "512", Fargate: true,
		Containers: []cloud.ContainerSpec{{Name: "web", Image: "nginx:1.27", Port: 5000, Essential: true, MemoryReservation: 64}}, Tags: stack})
	must(err)

	for _, tc := range []struct {
		name  string
		lb    *cloud.ServiceLoadBalancer
		grace int32
		want  []string
	}{
		{"web", &cloud.ServiceLoadBalancer{TargetGroupARN: tg.ARN, ContainerName: "web", ContainerPort: 5000}, 60, []string{tg.ARN}},
		{"worker", nil, 0, nil},
	} {
		svc, err := c.CreateService(ctx, cloud.ServiceSpec{Cluster: "svc", Name: tc.name, TaskDefinition: td, Desired: 1, LaunchType: "FARGATE",
			Subnets: f.subnets[:1], SecurityGroups: []string{sg}, PublicIP: true, LoadBalancer: tc.lb, HealthCheckGrace: tc.grace, Tags: stack})
		must(err)
		if !slices.Equal(svc.TargetGroups, tc.want) {
			t.Errorf("%s: CreateService returned target groups %v, want %v", tc.name, svc.TargetGroups, tc.want)
		}
		// moto (5.2) drops healthCheckGracePeriodSeconds (AWS returns it),
		// so the request is checked.
		sent := last[*ecs.CreateServiceInput](t, rec, "CreateService")
		if sdkaws.ToInt32(sent.HealthCheckGracePeriodSeconds) != tc.grace || (tc.grace == 0) != (sent.HealthCheckGracePeriodSeconds == nil) {
			t.Errorf("%s: sent grace period %v, want %d", tc.name, sent.HealthCheckGracePeriodSeconds, tc.grace)
		}
		if tc.lb != nil {
			if l := sent.LoadBalancers; len(l) != 1 || sdkaws.ToString(l[0].TargetGroupArn) != tg.ARN ||
				sdkaws.ToString(l[0].ContainerName) != "web" || sdkaws.ToInt32(l[0].ContainerPort) != 5000 || l[0].LoadBalancerName != nil {
				t.Errorf("%s: sent load balancers %+v", tc.name, l)
			}
		} else if sent.LoadBalancers != nil {
			t.Errorf("%s: sent load balancers %+v without one", tc.name, sent.LoadBalancers)
		}
	}
	// The read path: what the TUI lists.
	svcs, err := c.Services(ctx, cl.ARN)
	must(err)
	got := map[string][]string{}
	for _, s := range svcs {
		got[s.Name] = s.TargetGroups
	}
	if len(got) != 2 || !slices.Equal(got["web"], []string{tg.ARN}) || got["worker"] != nil {
		t.Errorf("Services: target groups %v, want web: [%s], worker: none", got, tg.ARN)
	}
}
