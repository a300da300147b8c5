package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/testbed"
)

// printerMain prints three lines, then waits for SIGTERM.
const printerMain = `package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	for i := 1; i <= 3; i++ {
		fmt.Printf("printer: line %d\n", i)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
}
`

// loggedDef registers a one-container Fargate task definition of image,
// logging to group with awslogs ("" = no log configuration).
func loggedDef(t *testing.T, a *Account, family, image, group string) string {
	t.Helper()
	spec := cloud.TaskDefSpec{Family: family, CPU: "256", Memory: "512", Fargate: true,
		Containers: []cloud.ContainerSpec{{Name: "app", Image: image, Essential: true, LogGroup: group, LogPrefix: family}}}
	if group != "" {
		spec.ExecutionRoleARN = "arn:aws:iam::" + AccountID + ":role/deckhand-task-execution"
	}
	arn, err := a.RegisterTaskDefinition(context.Background(), spec)
	mustNil(t, err)
	return arn
}

func runOne(t *testing.T, a *Account, td string) string {
	t.Helper()
	ts, err := a.RunTask(context.Background(), cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: td, Count: 1,
		LaunchType: "FARGATE", Subnets: []string{lookup(t, a).subnet}})
	mustNil(t, err)
	return ts[0].ARN
}

// TestTaskLogsRealContainer: a task whose image is on the local engine runs
// there, and its container's output is its awslogs stream.
func TestTaskLogsRealContainer(t *testing.T) {
	e := engine(t)
	ref := "deckhand-test-printer-" + randHex() + ":v1"
	dir := t.TempDir()
	data, err := os.ReadFile(testbed.StaticBinary(t, printerMain))
	mustNil(t, err)
	mustNil(t, os.WriteFile(filepath.Join(dir, "app"), data, 0o755))
	buildImage(t, e, ref, dir, "COPY app /app\nENTRYPOINT [\"/app\"]\n")
	clk := newClock()
	a := openDocker(t, clk, e)
	arn := runOne(t, a, loggedDef(t, a, "printer", ref, "/ecs/printer"))
	until(t, clk, arn, 2*time.Minute, status("RUNNING"), a)

	want := []string{"printer: line 1", "printer: line 2", "printer: line 3"}
	var got []cloud.LogEvent
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got, err = a.TaskLogs(context.Background(), "demo", arn, "app", 200); err != nil || len(got) >= 3 {
			break
		}
	}
	mustNil(t, err)
	var lines []string
	for _, ev := range got {
		lines = append(lines, ev.Message)
		if ev.At.IsZero() || ev.Stream != "printer/app/"+lastSegmentOf(arn) {
			t.Errorf("event %+v: want a time and the stream printer/app/TASK-ID", ev)
		}
	}
	if !slices.Equal(lines, want) {
		t.Errorf("TaskLogs = %q, want %q", lines, want)
	}
	if last, err := a.TaskLogs(context.Background(), "demo", arn, "app", 1); err != nil || len(last) != 1 || last[0].Message != want[2] {
		t.Errorf("TaskLogs with limit 1 = %+v, %v; want the newest line", last, err)
	}
}

// TestTaskLogsSimulated: a simulated task has what its log group's model
// holds for its stream; a task definition without awslogs has no logs.
func TestTaskLogsSimulated(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	logged := runOne(t, a, loggedDef(t, a, "sim", "nginx:1.27", "/ecs/sim"))
	silent := runOne(t, a, loggedDef(t, a, "quiet", "nginx:1.27", ""))
	for _, c := range []struct {
		name, task, container string
		setup                 func()
		want                  []string
		code                  string
	}{
		{"no log group yet", logged, "app", func() {}, nil, "ResourceNotFoundException"},
		{"no stream yet", logged, "app", func() { _, err := a.EnsureLogGroup(ctx, "/ecs/sim", nil); mustNil(t, err) }, nil, "ResourceNotFoundException"},
		{"the stream's events", logged, "app", func() {
			mustNil(t, a.update(ctx, func(w *world, r *region) error {
				w.putLogEvents(r, "/ecs/sim", "sim/app/"+lastSegmentOf(logged), w.now, "one", "two")
				w.putLogEvents(r, "/ecs/sim", "sim/app/other-task", w.now, "not mine")
				return nil
			}))
		}, []string{"one", "two"}, ""},
		{"no awslogs configuration", silent, "app", func() {}, nil, cloud.CodeNoLogConfiguration},
		{"no such container", logged, "db", func() {}, nil, "InvalidParameterException"},
		{"unknown task", "0123456789abcdef0123456789abcdef", "app", func() {}, nil, "MISSING"},
		{"limit out of range", logged, "app", func() {}, nil, "InvalidParameterException"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.setup()
			limit := 200
			if c.name == "limit out of range" {
				limit = 20000
			}
			got, err := a.TaskLogs(ctx, "demo", c.task, c.container, limit)
			if awsCode(err) != c.code {
				t.Fatalf("TaskLogs = %+v, %v; want code %q", got, err, c.code)
			}
			var lines []string
			for _, ev := range got {
				lines = append(lines, ev.Message)
			}
			if !slices.Equal(lines, c.want) {
				t.Errorf("TaskLogs = %q, want %q", lines, c.want)
			}
		})
	}
}
