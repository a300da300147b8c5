// Package explain turns the terse codes AWS reports when something fails
// (a task's stopCode and stoppedReason, an API error code) into a sentence a
// newcomer can act on. The TUI shows it next to the raw text and the launch
// pipeline prints it with a failed step, so both say the same thing.
package explain

import "strings"

// rule matches when the text contains key (case-sensitive: AWS's codes are).
type rule struct{ key, why string }

// rules are checked in order, so put specific keys before general ones.
var rules = []rule{
	{"CannotPullContainerError", "ECS could not pull the container image: the image or tag does not exist, " +
		"the task execution role lacks ECR permissions (AmazonECSTaskExecutionRolePolicy), " +
		"or the task's subnet has no route to the registry (public IP or NAT gateway, or VPC endpoints for ECR and S3)."},
	{"ResourceInitializationError", "ECS could not prepare the task: usually secrets or the log group cannot be " +
		"reached or read (execution role permissions, or no route from the subnet to the AWS APIs)."},
	{"failed ELB health checks", "The load balancer's health check of the task failed, so ECS stopped it and starts another: the app must answer " +
		"the target group's health check path with HTTP 200–399 on the container port, and within the service's health check grace period."},
	{"OutOfMemoryError", "A container used more memory than its limit and was killed; raise the task or container memory."},
	{"EssentialContainerExited", "An essential container exited, so ECS stopped the whole task; its exit code and logs tell why."},
	{"TaskFailedToStart", "The task never reached RUNNING; the reason after the code says which step failed."},
	{"ServiceSchedulerInitiated", "The service replaced the task: a new deployment, a scale-in, or a failed health check."},
	{"SpotInterruption", "The Spot capacity the task ran on was reclaimed by AWS."},
	{"Client.UserInitiatedShutdown", "The instance was stopped or terminated by a user or an API call."},
	{"Server.SpotInstanceTermination", "The Spot instance was reclaimed by AWS."},
	{"Client.InstanceInitiatedShutdown", "The instance shut itself down (e.g. `shutdown` inside it)."},
	{"UserInitiated", "Someone (or a tool) stopped the task with StopTask."},
	{"Task failed ELB health checks", "The load balancer's health check failed; check the target group's path, port and the app's startup time."},
	{"Task failed container health checks", "The container's HEALTHCHECK kept failing; check the command and the app's startup time."},
	{"InsufficientInstanceCapacity", "AWS has no capacity for this instance type in this Availability Zone right now; try another type or zone."},
	{"Client.InvalidSnapshot.NotFound", "The instance's root volume could not be created: the AMI refers to an EBS snapshot that no longer exists. Choose another AMI."},
	{"Client.VolumeLimitExceeded", "The account reached its EBS volume limit, so the instance's volumes could not be created; delete volumes or ask for a higher quota."},
	{"Server.InternalError", "EC2 failed to launch the instance because of an internal error; try again."},
}

// Reason returns a plain explanation for the first known code found in the
// given texts (e.g. a task's stopCode and stoppedReason), or "".
func Reason(texts ...string) string {
	for _, r := range rules {
		for _, t := range texts {
			if t != "" && strings.Contains(t, r.key) {
				return r.why
			}
		}
	}
	return ""
}
