package cloud

import (
	"strings"
	"testing"
)

func TestValidateLoadBalancing(t *testing.T) {
	const tgARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
	const lbARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef"
	lb := LoadBalancerSpec{Name: "deckhand-web", Subnets: []string{"subnet-0123abcd", "subnet-4567abcd"}, SecurityGroups: []string{"sg-0123abcd"}}
	tg := TargetGroupSpec{Name: "deckhand-web", VpcID: "vpc-0123abcd", Port: 5000, HealthPath: "/health"}
	ls := ListenerSpec{LoadBalancerARN: lbARN, Port: 80, TargetGroupARN: tgARN}
	withLB := func(f func(*LoadBalancerSpec)) error { s := lb; f(&s); return ValidateLoadBalancerSpec(s) }
	withTG := func(f func(*TargetGroupSpec)) error { s := tg; f(&s); return ValidateTargetGroupSpec(s) }
	withLS := func(f func(*ListenerSpec)) error { s := ls; f(&s); return ValidateListenerSpec(s) }
	svc := func(f func(*ServiceSpec)) error { s := validService; f(&s); return ValidateServiceSpec(s) }
	rule := func(r IngressRule) error {
		return ValidateSecurityGroupSpec(SecurityGroupSpec{Name: "g", VpcID: "vpc-0123abcd", Ingress: []IngressRule{r}})
	}
	attach := &ServiceLoadBalancer{TargetGroupARN: tgARN, ContainerName: "web", ContainerPort: 5000}

	for _, err := range []error{
		ValidateLoadBalancerSpec(lb), ValidateTargetGroupSpec(tg), ValidateListenerSpec(ls),
		svc(func(s *ServiceSpec) { s.LoadBalancer, s.HealthCheckGrace = attach, 60 }),
		rule(IngressRule{Port: 5000, SourceGroupID: "sg-0123abcd"}),
		ValidateELBARN("DeleteLoadBalancer", "loadbalancer", lbARN),
	} {
		if err != nil {
			t.Errorf("valid input refused: %v", err)
		}
	}
	for _, tc := range []struct {
		err                      error
		service, op, code, field string
	}{
		{withLB(func(s *LoadBalancerSpec) { s.Name = "" }), "elbv2", "CreateLoadBalancer", "ValidationError", "Name"},
		{withLB(func(s *LoadBalancerSpec) { s.Name = strings.Repeat("a", 33) }), "elbv2", "CreateLoadBalancer", "ValidationError", "Name"},
		{withLB(func(s *LoadBalancerSpec) { s.Name = "-web" }), "elbv2", "CreateLoadBalancer", "ValidationError", "Name"},
		{withLB(func(s *LoadBalancerSpec) { s.Name = "web_1" }), "elbv2", "CreateLoadBalancer", "ValidationError", "Name"},
		{withLB(func(s *LoadBalancerSpec) { s.Name = "internal-web" }), "elbv2", "CreateLoadBalancer", "ValidationError", "Name"},
		{withLB(func(s *LoadBalancerSpec) { s.Subnets = s.Subnets[:1] }), "elbv2", "CreateLoadBalancer", "ValidationError", "Subnets"},
		{withLB(func(s *LoadBalancerSpec) { s.Subnets = []string{"subnet-0123abcd", "subnet-0123abcd"} }), "elbv2", "CreateLoadBalancer", "ValidationError", "Subnets"},
		{withLB(func(s *LoadBalancerSpec) { s.Subnets = []string{"subnet-0123abcd", "nope"} }), "elbv2", "CreateLoadBalancer", "InvalidSubnet", "Subnets[1]"},
		{withLB(func(s *LoadBalancerSpec) { s.SecurityGroups = nil }), "elbv2", "CreateLoadBalancer", "ValidationError", "SecurityGroups"},
		{withLB(func(s *LoadBalancerSpec) { s.SecurityGroups = []string{"web"} }), "elbv2", "CreateLoadBalancer", "InvalidSecurityGroup", "SecurityGroups[0]"},
		{withTG(func(s *TargetGroupSpec) { s.Name = "a.b" }), "elbv2", "CreateTargetGroup", "ValidationError", "Name"},
		{withTG(func(s *TargetGroupSpec) { s.VpcID = "" }), "ec2", "CreateTargetGroup", "MissingParameter", "VpcID"},
		{withTG(func(s *TargetGroupSpec) { s.Port = 0 }), "elbv2", "CreateTargetGroup", "ValidationError", "Port"},
		{withTG(func(s *TargetGroupSpec) { s.HealthPath = "health" }), "elbv2", "CreateTargetGroup", "ValidationError", "HealthPath"},
		{withLS(func(s *ListenerSpec) { s.LoadBalancerARN = tgARN }), "elbv2", "CreateListener", "ValidationError", "LoadBalancerARN"},
		{withLS(func(s *ListenerSpec) { s.TargetGroupARN = "" }), "elbv2", "CreateListener", "ValidationError", "TargetGroupARN"},
		{withLS(func(s *ListenerSpec) { s.Port = 70000 }), "elbv2", "CreateListener", "ValidationError", "Port"},
		{ValidateELBARN("DeleteTargetGroup", "targetgroup", lbARN), "elbv2", "DeleteTargetGroup", "ValidationError", "ARN"},
		{svc(func(s *ServiceSpec) { s.HealthCheckGrace = 60 }), "ecs", "CreateService", "InvalidParameterException", "HealthCheckGrace"},
		{svc(func(s *ServiceSpec) {
			s.LoadBalancer = &ServiceLoadBalancer{TargetGroupARN: tgARN, ContainerPort: 5000}
		}), "ecs", "CreateService", "InvalidParameterException", "LoadBalancer.ContainerName"},
		{svc(func(s *ServiceSpec) {
			s.LoadBalancer = &ServiceLoadBalancer{TargetGroupARN: "x", ContainerName: "web", ContainerPort: 5000}
		}), "ecs", "CreateService", "InvalidParameterException", "LoadBalancer.TargetGroupARN"},
		{rule(IngressRule{Port: 5000, SourceGroupID: "sg-0123abcd", CIDR: "0.0.0.0/0"}), "ec2", "AuthorizeSecurityGroupIngress", "InvalidParameterCombination", "Ingress[0].SourceGroupID"},
		{rule(IngressRule{Port: 5000, SourceGroupID: "web"}), "ec2", "AuthorizeSecurityGroupIngress", "InvalidGroupId.Malformed", "Ingress[0].SourceGroupID"},
	} {
		checkInvalid(t, tc.err, tc.service, tc.op, tc.code, tc.field)
	}
}
