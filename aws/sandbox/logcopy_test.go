package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/cloud"
	"deckhand/internal/resource"
	"deckhand/internal/testbed"
)

// crasherMain prints three lines and exits 1, as an app that crashes at
// start does.
const crasherMain = `package main

import (
	"fmt"
	"os"
)

func main() {
	for i := 1; i <= 3; i++ {
		fmt.Printf("crasher: line %d\n", i)
	}
	os.Exit(1)
}
`

var crasherLines = []string{"crasher: line 1", "crasher: line 2", "crasher: line 3"}

// crasherImage builds crasherMain FROM scratch, tagged ref.
func crasherImage(t *testing.T, e *dockerops.Engine, ref string) {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(testbed.StaticBinary(t, crasherMain))
	mustNil(t, err)
	mustNil(t, os.WriteFile(filepath.Join(dir, "app"), data, 0o755))
	buildImage(t, e, ref, dir, "COPY app /app\nENTRYPOINT [\"/app\"]\n")
}

// crashingTask creates a one-task service of td and returns its first
// task once its container has exited on the engine (in real time, which
// the driven clock outruns), before any sync of a has seen the exit.
func crashingTask(t *testing.T, clk *clock, e *dockerops.Engine, a *Account, name, td string) string {
	t.Helper()
	_, err := a.CreateService(context.Background(), cloud.ServiceSpec{Cluster: "demo", Name: name, TaskDefinition: td, Desired: 1,
		LaunchType: "FARGATE", Subnets: []string{lookup(t, a).subnet}})
	mustNil(t, err)
	live, _ := serviceTasks(t, a, name)
	if len(live) != 1 {
		t.Fatalf("%d tasks, want 1", len(live))
	}
	arn := live[0].ARN
	until(t, clk, arn, 2*time.Minute, func(x resource.Task) bool {
		return len(taskContainers(t, e, a, arn)) > 0 || x.LastStatus == "STOPPED"
	}, a)
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if cs := taskContainers(t, e, a, arn); len(cs) == 0 || cs[0].State == "exited" {
			return arn
		}
		if time.Now().After(end) {
			t.Fatal("the container has not exited after 30 s")
		}
	}
}

func messages(evs []cloud.LogEvent) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Message)
	}
	return out
}

// TestLogsCopiedWhenTaskStops: a real container's output outlives it as its
// awslogs stream, as in CloudWatch Logs, when its task definition logs with
// awslogs to a group that exists; otherwise nothing is copied.
func TestLogsCopiedWhenTaskStops(t *testing.T) {
	e := engine(t)
	ref := "deckhand-test-crasher-" + randHex() + ":v1"
	crasherImage(t, e, ref)
	for _, c := range []struct {
		name            string
		group           string // the task definition's awslogs group, "" = none
		createGroup     bool
		want            []string
		recentCode      string // RecentLogEvents' error code
		taskLogsCode    string // TaskLogs' error code
		streamsExpected int
	}{
		{"awslogs to an existing group", "/ecs/crasher", true, crasherLines, "", "", 1},
		{"awslogs to a missing group", "/ecs/crasher", false, nil, "ResourceNotFoundException", "ResourceNotFoundException", 0},
		{"no awslogs configuration", "", false, nil, "", cloud.CodeNoLogConfiguration, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			a := openDocker(t, clk, e)
			if c.createGroup {
				_, err := a.EnsureLogGroup(ctx, c.group, nil)
				mustNil(t, err)
			} else if c.group == "" {
				// A group for RecentLogEvents to look in: nothing gets there.
				_, err := a.EnsureLogGroup(ctx, "/ecs/elsewhere", nil)
				mustNil(t, err)
			}
			arn := crashingTask(t, clk, e, a, "crasher", loggedDef(t, a, "crasher", ref, c.group))
			x := until(t, clk, arn, 2*time.Minute, status("STOPPED"), a)
			if x.StopCode != "EssentialContainerExited" {
				t.Errorf("stopped %s %q, want EssentialContainerExited", x.StopCode, x.StoppedReason)
			}
			if cs := taskContainers(t, e, a, arn); len(cs) != 0 {
				t.Errorf("the stopped task's container is still on the engine: %+v", cs)
			}

			prefix := "crasher/app/" + lastSegmentOf(arn)
			group := c.group
			if group == "" {
				group = "/ecs/elsewhere"
			}
			recent, err := a.RecentLogEvents(ctx, group, prefix, 100)
			if awsCode(err) != c.recentCode {
				t.Fatalf("RecentLogEvents = %+v, %v; want code %q", recent, err, c.recentCode)
			}
			if got := messages(recent); !slices.Equal(got, c.want) {
				t.Errorf("RecentLogEvents = %q, want %q", got, c.want)
			}
			for _, ev := range recent {
				if ev.At.IsZero() || ev.Stream != prefix {
					t.Errorf("event %+v: want the engine's time and the stream %s", ev, prefix)
				}
			}
			logs, err := a.TaskLogs(ctx, "demo", arn, "app", 100)
			if awsCode(err) != c.taskLogsCode {
				t.Fatalf("TaskLogs = %+v, %v; want code %q", logs, err, c.taskLogsCode)
			}
			if got := messages(logs); !slices.Equal(got, c.want) {
				t.Errorf("TaskLogs of the stopped task = %q, want %q", got, c.want)
			}

			// Later syncs (the service's replacements crash too) add
			// nothing to this task's stream.
			for range 5 {
				clk.Advance(10 * time.Second)
				getTask(t, a, arn)
			}
			again, _ := a.RecentLogEvents(ctx, group, prefix, 100)
			if got := messages(again); !slices.Equal(got, c.want) {
				t.Errorf("after more syncs RecentLogEvents = %q, want %q", got, c.want)
			}
			var streams int
			mustNil(t, a.view(ctx, func(w *world, r *region) error {
				if g := r.logGroup(group); g != nil {
					streams = len(filter(g.Streams, func(s *logStream) bool { return s.Name == prefix }))
				}
				return nil
			}))
			if streams != c.streamsExpected {
				t.Errorf("%d streams named %s, want %d", streams, prefix, c.streamsExpected)
			}
		})
	}
}

// TestLogsCopiedOnce: a read-only deckhand that sees the container exit
// copies its output (it removes nothing); the deckhand that then removes
// the container does not copy it again.
func TestLogsCopiedOnce(t *testing.T) {
	ctx := context.Background()
	e := engine(t)
	ref := "deckhand-test-crasher-" + randHex() + ":v1"
	crasherImage(t, e, ref)
	clk := newClock()
	a := openDocker(t, clk, e)
	_, err := a.EnsureLogGroup(ctx, "/ecs/once", nil)
	mustNil(t, err)
	ro, err := Open(Options{Path: a.Path(), Clock: clk, Docker: e, Readonly: true})
	mustNil(t, err)
	arn := crashingTask(t, clk, e, a, "once", loggedDef(t, a, "once", ref, "/ecs/once"))
	prefix := "once/app/" + lastSegmentOf(arn)

	getTask(t, ro, arn) // the read-only sync observes the exit
	if cs := taskContainers(t, e, a, arn); len(cs) != 1 {
		t.Fatalf("engine containers after the read-only sync: %+v, want the exited one", cs)
	}
	evs, err := ro.RecentLogEvents(ctx, "/ecs/once", prefix, 100)
	mustNil(t, err)
	if got := messages(evs); !slices.Equal(got, crasherLines) {
		t.Errorf("copied by the read-only sync: %q, want %q", got, crasherLines)
	}
	// While its container is still on the engine, TaskLogs reads the copy.
	logs, err := a.TaskLogs(ctx, "demo", arn, "app", 100)
	mustNil(t, err)
	if got := messages(logs); !slices.Equal(got, crasherLines) {
		t.Errorf("TaskLogs = %q, want %q", got, crasherLines)
	}

	until(t, clk, arn, 2*time.Minute, status("STOPPED"), a)
	if cs := taskContainers(t, e, a, arn); len(cs) != 0 {
		t.Errorf("the stopped task's container is still on the engine: %+v", cs)
	}
	evs, err = a.RecentLogEvents(ctx, "/ecs/once", prefix, 100)
	mustNil(t, err)
	if got := messages(evs); !slices.Equal(got, crasherLines) {
		t.Errorf("after the removal: %q, want each line once: %q", got, crasherLines)
	}
}
