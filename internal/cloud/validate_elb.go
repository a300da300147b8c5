package cloud

import (
	"fmt"
	"regexp"
	"strings"
)

// Validation of the LoadBalancers capability's input (loadbalancer.go),
// with the codes Elastic Load Balancing answers.

// reELBName: docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
// (and CreateTargetGroup): letters, digits and hyphens.
var reELBName = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$`)

// ValidateELBName checks a load balancer or target group name (field
// "Name") given to op.
func ValidateELBName(op, name string) error {
	bad := func(format string, args ...any) error {
		return invalid("elbv2", op, "ValidationError", "Name", format, args...)
	}
	switch {
	case name == "":
		return bad("is empty; name it, e.g. \"deckhand-web\"")
	case len(name) > 32:
		return bad("%q has %d characters; Elastic Load Balancing allows at most 32", name, len(name))
	case !reELBName.MatchString(name):
		return bad("%q is not allowed: use letters, digits and hyphens, not starting or ending with a hyphen", name)
	case op == "CreateLoadBalancer" && strings.HasPrefix(strings.ToLower(name), "internal-"):
		return bad("%q starts with \"internal-\", which Elastic Load Balancing reserves", name)
	}
	return nil
}

// ValidateLoadBalancerSpec checks EnsureLoadBalancer's input. That the
// subnets are in two availability zones only AWS can tell (it answers
// ValidationError); here there must be two distinct ones.
func ValidateLoadBalancerSpec(s LoadBalancerSpec) error {
	const op = "CreateLoadBalancer"
	if err := ValidateELBName(op, s.Name); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, id := range s.Subnets {
		if !reSubnet.MatchString(id) {
			return invalid("elbv2", op, "InvalidSubnet", fmt.Sprintf("Subnets[%d]", i), "%q is not a subnet id; it looks like subnet-0123456789abcdef0", id)
		}
		seen[id] = true
	}
	if len(seen) < 2 {
		return invalid("elbv2", op, "ValidationError", "Subnets", "has %d distinct subnet(s); an Application Load Balancer needs at least two, in different availability zones", len(seen))
	}
	if len(s.SecurityGroups) == 0 {
		return invalid("elbv2", op, "ValidationError", "SecurityGroups", "is empty; give the security group that opens the listener's port")
	}
	for i, id := range s.SecurityGroups {
		if !reSG.MatchString(id) {
			return invalid("elbv2", op, "InvalidSecurityGroup", fmt.Sprintf("SecurityGroups[%d]", i), "%q is not a security group id; it looks like sg-0123456789abcdef0", id)
		}
	}
	return validateTags("elbv2", op, "ValidationError", s.Tags, 0)
}

// ValidateTargetGroupSpec checks EnsureTargetGroup's input.
func ValidateTargetGroupSpec(s TargetGroupSpec) error {
	const op = "CreateTargetGroup"
	if err := ValidateELBName(op, s.Name); err != nil {
		return err
	}
	if err := ValidateVpcID(op, s.VpcID); err != nil {
		return err
	}
	switch {
	case s.Port < 1 || s.Port > 65535:
		return invalid("elbv2", op, "ValidationError", "Port", "%d is not a port; use the container's port, 1–65535", s.Port)
	case !strings.HasPrefix(s.HealthPath, "/") || len(s.HealthPath) > 1024:
		return invalid("elbv2", op, "ValidationError", "HealthPath", "%q is not a path; it starts with \"/\", e.g. \"/health\"", s.HealthPath)
	}
	return validateTags("elbv2", op, "ValidationError", s.Tags, 0)
}

// ValidateListenerSpec checks EnsureListener's input.
func ValidateListenerSpec(s ListenerSpec) error {
	const op = "CreateListener"
	switch {
	case !strings.Contains(s.LoadBalancerARN, ":loadbalancer/app/"):
		return invalid("elbv2", op, "ValidationError", "LoadBalancerARN", "%q is not an Application Load Balancer's ARN", s.LoadBalancerARN)
	case !strings.Contains(s.TargetGroupARN, ":targetgroup/"):
		return invalid("elbv2", op, "ValidationError", "TargetGroupARN", "%q is not a target group's ARN", s.TargetGroupARN)
	case s.Port < 1 || s.Port > 65535:
		return invalid("elbv2", op, "ValidationError", "Port", "%d is not a port; listeners usually use 80", s.Port)
	}
	return validateTags("elbv2", op, "ValidationError", s.Tags, 0)
}

// ValidateELBARN checks the ARN of a load balancer (kind "loadbalancer")
// or target group ("targetgroup") given to op.
func ValidateELBARN(op, kind, arn string) error {
	if !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":"+kind+"/") {
		return invalid("elbv2", op, "ValidationError", "ARN", "%q is not a %s ARN", arn, kind)
	}
	return nil
}
