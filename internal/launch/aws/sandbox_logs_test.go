package aws

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/internal/launch"
	"deckhand/internal/testbed"
)

// crashMain says why it fails and exits 1, as an app that crashes at start.
const crashMain = `package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("starting the app")
	fmt.Println("boom: the app failed on purpose")
	os.Exit(1)
}
`

// TestFargateCrashLogsOnSandbox: an app that crashes on the sandbox fails
// the launch at the wait step with its own last lines, read from CloudWatch
// Logs after its task stopped, as on AWS: the sandbox copies a real
// container's output into its awslogs stream before removing it.
//
// The service has a load balancer, whose health check needs the app to
// answer: without one, the sandbox may mark the task RUNNING and the
// rollout COMPLETED in the same call that starts the container, before any
// sync can see it crash, and the wait would pass (the HTTP check would then
// fail instead).
func TestFargateCrashLogsOnSandbox(t *testing.T) {
	eng := testEngine(t)
	stack := uniqStack("crash")
	a := openSandbox(t, eng, stack)
	dir := programProject(t, testbed.StaticBinary(t, crashMain))
	steps, _, err := Fargate(a, eng, FargateOptions{Stack: stack, Dir: dir, Port: 8080, LoadBalancer: true,
		Poll: pollFast, Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{t: t}
	start := time.Now()
	err = launch.Execute(context.Background(), steps, r.report)
	t.Logf("failed after %v:\n%v", time.Since(start).Round(time.Millisecond), err)
	var se *launch.StepError
	if !errors.As(err, &se) || se.Step != "wait" {
		t.Fatalf("err = %v, want the wait step to fail", err)
	}
	var de *DeployError
	if !errors.As(err, &de) || len(de.Stopped) == 0 {
		t.Fatalf("err = %v, want a *DeployError with the stopped tasks", err)
	}
	const boom = "boom: the app failed on purpose"
	if !slices.Contains(de.Logs, boom) {
		t.Errorf("DeployError.Logs = %q, want the app's line %q", de.Logs, boom)
	}
	if msg := de.Error(); !strings.Contains(msg, "its log:") || !strings.Contains(msg[strings.Index(msg, "its log:")+1:], boom) {
		t.Errorf("the error does not show the app's log:\n%s", msg)
	}
	if last := de.Stopped[len(de.Stopped)-1]; last.StopCode != "EssentialContainerExited" {
		t.Errorf("the last stopped task: %s %q, want EssentialContainerExited", last.StopCode, last.StoppedReason)
	}
}
