package aws

import (
	"deckhand/internal/cloud"

	"context"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

var _ cloud.TaskLogReader = (*Client)(nil)

// TaskLogs finds the container's log configuration through the task's
// definition (DescribeTasks, DescribeTaskDefinition) and reads the newest
// events of its awslogs stream (GetLogEvents from the tail).
func (c *Client) TaskLogs(ctx context.Context, cluster, taskARN, container string, limit int) ([]cloud.LogEvent, error) {
	if err := cloud.ValidateTaskLogs(cluster, taskARN, container, limit); err != nil {
		return nil, err
	}
	out, err := c.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: sdkaws.String(cluster), Tasks: []string{taskARN}})
	if err != nil {
		return nil, wrap("ecs", "DescribeTasks", err)
	}
	if len(out.Tasks) == 0 {
		// ECS answers an unknown task with a failure, not an error: its
		// reason (MISSING) is the code.
		code, msg := "MISSING", "task "+lastSegment(taskARN)+" is not known in cluster "+lastSegment(cluster)+" (ECS forgets stopped tasks after about an hour)"
		if len(out.Failures) > 0 && out.Failures[0].Reason != nil {
			code = sdkaws.ToString(out.Failures[0].Reason)
		}
		return nil, &cloud.Error{Service: "ecs", Operation: "DescribeTasks", Code: code, Message: msg}
	}
	task := out.Tasks[0]
	tdARN := sdkaws.ToString(task.TaskDefinitionArn)
	td, err := c.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: sdkaws.String(tdARN)})
	if err != nil {
		return nil, wrap("ecs", "DescribeTaskDefinition", err)
	}
	var def *types.ContainerDefinition
	var names []string
	for i, d := range td.TaskDefinition.ContainerDefinitions {
		names = append(names, sdkaws.ToString(d.Name))
		if sdkaws.ToString(d.Name) == container {
			def = &td.TaskDefinition.ContainerDefinitions[i]
		}
	}
	if def == nil {
		return nil, &cloud.Error{Service: "ecs", Operation: "DescribeTaskDefinition", Code: "InvalidParameterException", Field: "Container",
			Message: "task definition " + lastSegment(tdARN) + " has no container " + container + "; it has " + strings.Join(names, ", ")}
	}
	lc := def.LogConfiguration
	if lc == nil || lc.LogDriver != types.LogDriverAwslogs {
		driver := ""
		if lc != nil {
			driver = string(lc.LogDriver)
		}
		return nil, cloud.NoLogConfiguration(container, tdARN, driver)
	}
	runtimeID := ""
	for _, ct := range task.Containers {
		if sdkaws.ToString(ct.Name) == container {
			runtimeID = sdkaws.ToString(ct.RuntimeId)
		}
	}
	stream := cloud.AWSLogsStream(lc.Options["awslogs-stream-prefix"], container, taskARN, runtimeID)
	if stream == "" {
		return nil, &cloud.Error{Service: "ecs", Operation: "DescribeTasks", Code: cloud.CodeNoLogConfiguration,
			Message: "container " + container + " logs without an awslogs-stream-prefix, so its stream is named after its Docker container id, which ECS has not reported yet"}
	}
	ev, err := c.deploy.logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{
		LogGroupName: sdkaws.String(lc.Options["awslogs-group"]), LogStreamName: sdkaws.String(stream),
		Limit: sdkaws.Int32(int32(limit)), StartFromHead: sdkaws.Bool(false),
	})
	if err != nil {
		return nil, wrap("logs", "GetLogEvents", err)
	}
	events := make([]cloud.LogEvent, 0, len(ev.Events))
	for _, e := range ev.Events {
		events = append(events, cloud.LogEvent{
			At: time.UnixMilli(sdkaws.ToInt64(e.Timestamp)).UTC(), Stream: stream,
			Message: strings.TrimRight(sdkaws.ToString(e.Message), "\n"),
		})
	}
	return newestEvents(events, limit), nil
}
