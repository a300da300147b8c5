package aws

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"deckhand/internal/cloud"
)

// TestTaskLogsAgainstMoto registers a task definition that logs with
// awslogs and one that does not, runs a task of each, writes events into
// the stream ECS would name (PREFIX/CONTAINER/TASK-ID) and reads them back.
func TestTaskLogsAgainstMoto(t *testing.T) {
	f := newDeployFixture(t)
	c, _ := f.client(t)
	ctx := context.Background()
	cluster := f.cluster(t, "logs")
	register := func(family string, lc *ecstypes.LogConfiguration) string {
		out, err := f.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
			Family: sdkaws.String(family),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{
				Name: sdkaws.String("web"), Image: sdkaws.String("nginx:1.27"), MemoryReservation: sdkaws.Int32(64),
				LogConfiguration: lc,
			}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return sdkaws.ToString(out.TaskDefinition.TaskDefinitionArn)
	}
	logged := f.runTasks(t, cluster, register("logged", &ecstypes.LogConfiguration{
		LogDriver: ecstypes.LogDriverAwslogs,
		Options:   map[string]string{"awslogs-group": "/deckhand/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"},
	}), "", 1)[0]
	silent := f.runTasks(t, cluster, register("silent", nil), "", 1)[0]

	if _, err := c.EnsureLogGroup(ctx, "/deckhand/web", nil); err != nil {
		t.Fatal(err)
	}
	stream := "app/web/" + lastSegment(logged)
	if _, err := f.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{
		LogGroupName: sdkaws.String("/deckhand/web"), LogStreamName: sdkaws.String(stream),
	}); err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	var evs []logstypes.InputLogEvent
	for i := 1; i <= 5; i++ {
		evs = append(evs, logstypes.InputLogEvent{
			Timestamp: sdkaws.Int64(base.Add(time.Duration(i) * time.Second).UnixMilli()),
			Message:   sdkaws.String(fmt.Sprintf("request %d\n", i)),
		})
	}
	if _, err := f.logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: sdkaws.String("/deckhand/web"), LogStreamName: sdkaws.String(stream), LogEvents: evs,
	}); err != nil {
		t.Fatal(err)
	}

	unknown := cluster[:len(cluster)-len("cluster/logs")] + "task/logs/0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		name, task, container string
		limit                 int
		want                  []string
		code                  string
	}{
		{"all events, oldest first", logged, "web", 200, []string{"request 1", "request 2", "request 3", "request 4", "request 5"}, ""},
		{"the newest within the limit", logged, "web", 2, []string{"request 4", "request 5"}, ""},
		{"no awslogs configuration", silent, "web", 200, nil, cloud.CodeNoLogConfiguration},
		{"no such container", logged, "db", 200, nil, "InvalidParameterException"},
		{"unknown task", unknown, "web", 200, nil, "MISSING"},
		{"no container named", logged, "", 200, nil, "InvalidParameterException"},
		{"limit out of range", logged, "web", 0, nil, "InvalidParameterException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.TaskLogs(ctx, cluster, tc.task, tc.container, tc.limit)
			if tc.code != "" {
				if codeOf(err) != tc.code {
					t.Fatalf("TaskLogs = %v, %v; want code %s", got, err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, e := range got {
				lines = append(lines, e.Message)
				if e.Stream != stream {
					t.Errorf("event %+v, want stream %s", e, stream)
				}
			}
			if !slices.Equal(lines, tc.want) {
				t.Errorf("TaskLogs = %q, want %q", lines, tc.want)
			}
			if last := got[len(got)-1]; !last.At.Equal(base.Add(5 * time.Second)) {
				t.Errorf("newest event at %v, want %v", last.At, base.Add(5*time.Second))
			}
		})
	}
}
