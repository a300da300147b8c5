package cloud

import (
	"context"
	"strings"
)

// TaskLogReader reads what one container of an ECS task wrote to its
// CloudWatch Logs stream: the logs page of the TUI.
type TaskLogReader interface {
	// TaskLogs returns up to limit (1–10000) of the newest events of the
	// container's awslogs stream, oldest first. A container whose task
	// definition does not log to CloudWatch is an *Error with
	// CodeNoLogConfiguration.
	TaskLogs(ctx context.Context, clusterARN, taskARN, container string, limit int) ([]LogEvent, error)
}

// CodeNoLogConfiguration: the container's task definition has no awslogs
// log configuration, so its output is not in CloudWatch Logs (TaskLogs).
const CodeNoLogConfiguration = "NoLogConfiguration"

// AWSLogsStream is the stream awslogs writes a task's container to:
// PREFIX/CONTAINER/TASK-ID. Without a prefix ECS names the stream after
// the Docker container id (runtimeID).
func AWSLogsStream(prefix, container, taskARN, runtimeID string) string {
	if prefix == "" {
		return runtimeID
	}
	return prefix + "/" + container + "/" + lastARNSegment(taskARN)
}

// NoLogConfiguration is the error TaskLogs gives for a container that does
// not log to CloudWatch; driver is its log driver ("" = none).
func NoLogConfiguration(container, taskDef, driver string) error {
	why := "has no log configuration"
	if driver != "" {
		why = "logs with the " + driver + " driver, not awslogs"
	}
	return &Error{Service: "ecs", Operation: "DescribeTaskDefinition", Code: CodeNoLogConfiguration,
		Message: "container " + container + " of task definition " + lastARNSegment(taskDef) + " " + why +
			", so its output is not in CloudWatch Logs"}
}

// lastARNSegment is what follows an ARN's last '/' (a task's id, a task
// definition's family:revision).
func lastARNSegment(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}
