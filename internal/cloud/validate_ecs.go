package cloud

// Validation of ECS services and tasks (see validate.go for the rules).

import (
	"fmt"
	"regexp"
	"strings"
)

// ValidateServiceSpec checks a service before CreateService.
func ValidateServiceSpec(s ServiceSpec) error {
	const op, code = "CreateService", "InvalidParameterException"
	bad := func(field, format string, args ...any) error {
		return invalid("ecs", op, code, field, format, args...)
	}
	if err := ecsRef(op, "Cluster", s.Cluster, false); err != nil {
		return err
	}
	if err := ecsRef(op, "Name", s.Name, true); err != nil {
		return err
	}
	if err := taskDefRef(op, "TaskDefinition", s.TaskDefinition); err != nil {
		return err
	}
	switch {
	case s.Desired < 0:
		return bad("Desired", "is %d; the desired count cannot be negative", s.Desired)
	case s.Desired > MaxDesired:
		return bad("Desired", "is %d; a service runs at most %d tasks (the ECS tasks-per-service quota)", s.Desired, MaxDesired)
	case s.LaunchType != "" && s.LaunchType != "FARGATE" && s.LaunchType != "EC2":
		return bad("LaunchType", "%q is not a launch type; use FARGATE or EC2", s.LaunchType)
	}
	if err := validateNetwork(op, s.LaunchType, s.Subnets, s.SecurityGroups, s.PublicIP); err != nil {
		return err
	}
	if lb := s.LoadBalancer; lb != nil {
		switch {
		case !strings.Contains(lb.TargetGroupARN, ":targetgroup/"):
			return bad("LoadBalancer.TargetGroupARN", "%q is not a target group's ARN", lb.TargetGroupARN)
		case lb.ContainerName == "":
			return bad("LoadBalancer.ContainerName", "is empty; name the task definition's container that serves the port")
		case lb.ContainerPort < 1 || lb.ContainerPort > 65535:
			return bad("LoadBalancer.ContainerPort", "%d is not a port; use the container's port mapping, 1–65535", lb.ContainerPort)
		}
	}
	switch {
	case s.HealthCheckGrace < 0:
		return bad("HealthCheckGrace", "is %d; use 0 or more seconds", s.HealthCheckGrace)
	case s.HealthCheckGrace > 0 && s.LoadBalancer == nil:
		return bad("HealthCheckGrace", "is set but the service has no load balancer; ECS allows a grace period only with one")
	}
	return validateTags("ecs", op, code, s.Tags, 0)
}

// validateNetwork checks an awsvpc configuration. Fargate always uses
// awsvpc, so it needs subnets.
func validateNetwork(op, launchType string, subnets, groups []string, publicIP bool) error {
	bad := func(field, format string, args ...any) error {
		return invalid("ecs", op, "InvalidParameterException", field, format, args...)
	}
	switch {
	case launchType == "FARGATE" && len(subnets) == 0:
		// AWS: "Network Configuration must be provided when networkMode
		// 'awsvpc' is specified."
		return bad("Subnets", "is empty; Fargate tasks use awsvpc networking and need at least one subnet (e.g. the default VPC's)")
	case len(subnets) > 16:
		return bad("Subnets", "has %d subnets; ECS allows 16", len(subnets))
	case len(groups) > 5:
		return bad("SecurityGroups", "has %d groups; ECS allows 5", len(groups))
	case publicIP && launchType != "FARGATE":
		// AWS: "Assign public IP is not supported for this launch type."
		return bad("PublicIP", "is only supported for the FARGATE launch type")
	case publicIP && len(subnets) == 0:
		return bad("PublicIP", "needs Subnets: a public IP is assigned to the task's network interface in a subnet")
	}
	for i, s := range subnets {
		if !reSubnet.MatchString(s) {
			return bad(fmt.Sprintf("Subnets[%d]", i), "%q is not a subnet id; it looks like subnet-0123456789abcdef0", s)
		}
	}
	for i, g := range groups {
		if !reSG.MatchString(g) {
			return bad(fmt.Sprintf("SecurityGroups[%d]", i), "%q is not a security group id; it looks like sg-0123456789abcdef0", g)
		}
	}
	return nil
}

// ValidateUpdateService checks UpdateService's arguments.
// reTaskDefRef is a task definition as a family, or family:revision with a
// revision from 1 (ECS numbers them from 1, so "web:0" names nothing).
var reTaskDefRef = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}(:[1-9][0-9]*)?$`)

// taskDefRef checks a reference to a task definition: an ARN, a family (its
// latest ACTIVE revision) or family:revision.
func taskDefRef(op, field, v string) error {
	if err := ecsRef(op, field, v, false); err != nil || strings.HasPrefix(v, "arn:") {
		return err
	}
	if !reTaskDefRef.MatchString(v) {
		return invalid("ecs", op, "ClientException", field, "%q is not a task definition: give family or family:revision with a revision from 1 (e.g. web:3), or its ARN", v)
	}
	return nil
}

// MaxDesired is ECS's default tasks-per-service quota. Checked here so a typo
// such as 10000000 is refused before a call, and so the sandbox, which
// simulates every task, never tries to start millions.
const MaxDesired = 5000

func ValidateUpdateService(cluster, service string, desired int32, taskDef string) error {
	const op = "UpdateService"
	if err := ecsRef(op, "Cluster", cluster, false); err != nil {
		return err
	}
	if err := ecsRef(op, "Service", service, false); err != nil {
		return err
	}
	if desired < 0 {
		return invalid("ecs", op, "InvalidParameterException", "Desired", "is %d; the desired count cannot be negative", desired)
	}
	if desired > MaxDesired {
		return invalid("ecs", op, "InvalidParameterException", "Desired", "is %d; a service runs at most %d tasks (the ECS tasks-per-service quota)", desired, MaxDesired)
	}
	if taskDef != "" {
		return taskDefRef(op, "TaskDefinition", taskDef)
	}
	return nil
}

// ValidateServiceRef checks the cluster and service given to op (e.g.
// DeleteService).
func ValidateServiceRef(op, cluster, service string) error {
	if err := ecsRef(op, "Cluster", cluster, false); err != nil {
		return err
	}
	return ecsRef(op, "Service", service, false)
}

// ValidateRunTaskSpec checks a RunTask request. ECS starts 1 to 10 tasks per
// call.
func ValidateRunTaskSpec(s RunTaskSpec) error {
	const op = "RunTask"
	if err := ecsRef(op, "Cluster", s.Cluster, false); err != nil {
		return err
	}
	if err := ecsRef(op, "TaskDefinition", s.TaskDefinition, false); err != nil {
		return err
	}
	switch {
	case s.Count < 1 || s.Count > 10:
		return invalid("ecs", op, "InvalidParameterException", "Count", "is %d; RunTask starts 1 to 10 tasks", s.Count)
	case s.LaunchType != "" && s.LaunchType != "FARGATE" && s.LaunchType != "EC2":
		return invalid("ecs", op, "InvalidParameterException", "LaunchType", "%q is not a launch type; use FARGATE or EC2", s.LaunchType)
	case len(s.Group) > 255:
		return invalid("ecs", op, "InvalidParameterException", "Group", "is %d characters; ECS allows 255", len(s.Group))
	}
	return validateNetwork(op, s.LaunchType, s.Subnets, s.SecurityGroups, s.PublicIP)
}

// ValidateStopTask checks StopTask's arguments; ECS keeps at most 255
// characters of the reason.
func ValidateStopTask(cluster, task, reason string) error {
	const op = "StopTask"
	if err := ecsRef(op, "Cluster", cluster, false); err != nil {
		return err
	}
	if err := ecsRef(op, "Task", task, false); err != nil {
		return err
	}
	if len(reason) > 255 {
		return invalid("ecs", op, "InvalidParameterException", "Reason", "is %d characters; ECS allows 255", len(reason))
	}
	return nil
}

// ValidateTaskDefRef checks a task definition reference given to
// DescribeTaskDefinition: a family, family:revision (revision ≥ 1) or an ARN.
func ValidateTaskDefRef(ref string) error {
	return taskDefRef("DescribeTaskDefinition", "TaskDefinition", ref)
}
