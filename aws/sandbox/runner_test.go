package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/cloud"
	"deckhand/internal/resource"
	"deckhand/internal/testbed"
)

// These tests run tasks on the real Docker engine (skipped without one, or
// failed under CI=true), on the driven clock: only the engine runs in real
// time. The image is a tiny HTTP server built FROM scratch.

// fixtureMain answers "ok HOSTNAME" on :8080 and exits 0 on SIGTERM; with
// EXIT_CODE set it exits at once with that code; with IGNORE_TERM set it
// says so on SIGTERM and runs on (until SIGKILL).
const fixtureMain = `package main

import (
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

func main() {
	if c := os.Getenv("EXIT_CODE"); c != "" {
		n, _ := strconv.Atoi(c)
		fmt.Println("fixture: exiting with", n)
		os.Exit(n)
	}
	host := os.Getenv("HOSTNAME")
	srv := &http.Server{Addr: ":8080", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok "+host)
	})}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
		for range sig {
			if os.Getenv("IGNORE_TERM") != "" {
				fmt.Println("fixture: ignoring SIGTERM")
				continue
			}
			srv.Close()
		}
	}()
	srv.ListenAndServe()
}
`

// fixtureBinary is the fixture compiled once (see testbed.StaticBinary).
func fixtureBinary(t *testing.T) string {
	t.Helper()
	return testbed.StaticBinary(t, fixtureMain)
}

// engine connects to the test engine.
func engine(t *testing.T) *dockerops.Engine {
	t.Helper()
	c := testbed.Docker(t)
	e, err := dockerops.New(dockerops.Options{Host: c.DaemonHost()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func randHex() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ecrRef is a reference in the sandbox account's ECR registry, unique to
// the test run.
func ecrRef(what string) string {
	return AccountID + ".dkr.ecr.us-east-1.amazonaws.com/deckhand-test-" + what + "-" + randHex() + ":v1"
}

// fixtureImage builds the fixture FROM scratch, tagged ref, and removes it
// when the test ends. Build it before opening the account, so that the
// account's containers are removed first.
func fixtureImage(t *testing.T, e *dockerops.Engine, ref string) {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(fixtureBinary(t))
	mustNil(t, err)
	mustNil(t, os.WriteFile(filepath.Join(dir, "app"), data, 0o755))
	buildImage(t, e, ref, dir, "COPY app /app\nEXPOSE 8080\nENTRYPOINT [\"/app\"]\n")
}

// testImageLabel marks the images these tests build, for the cleanup.
const testImageLabel = "deckhand.sandbox.test"

// buildImage builds dir FROM scratch with the Dockerfile lines, tagged ref,
// and removes the image when the test ends. A label unique to the build
// comes first, so that no two builds share cached layers: a concurrent
// test run (another package, another process) removing its own image
// cannot pull a layer from under this build.
func buildImage(t *testing.T, e *dockerops.Engine, ref, dir, lines string) {
	t.Helper()
	id := randHex()
	df := "FROM scratch\nLABEL " + testImageLabel + "=" + id + "\n" + lines
	mustNil(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		ctx := context.Background()
		// A container an account's worker was creating as its test ended
		// would hold the image: Close cancels the create, but the engine
		// may finish a create whose request was cancelled (seen in CI: a
		// "Created" container made after the first removal). So remove
		// containers and images again until none is left.
		var ims []dockerops.ImageInfo
		for try := 0; try < 20; try++ {
			cs, _ := e.ContainersByLabel(ctx, testImageLabel, id)
			for _, c := range cs {
				e.Remove(ctx, c.ID, true)
			}
			e.RemoveImage(ctx, ref)
			ims, _ = e.ImagesByLabel(ctx, testImageLabel, id)
			for i := len(ims) - 1; i >= 0; i-- { // newest (children) first
				e.RemoveImage(ctx, ims[i].ID)
			}
			if ims, _ = e.ImagesByLabel(ctx, testImageLabel, id); len(ims) == 0 {
				return
			}
			time.Sleep(250 * time.Millisecond)
		}
		t.Errorf("test images left: %+v", ims)
	})
	var out []string
	if _, err := e.Build(ctx, dockerops.BuildOptions{Dir: dir, Tags: []string{ref}}, func(l string) { out = append(out, l) }); err != nil {
		t.Fatalf("building %s: %v\n%s", ref, err, strings.Join(out, "\n"))
	}
}

// openDocker opens a fresh account on the engine; every container it made
// is removed when the test ends.
func openDocker(t *testing.T, clk *clock, e *dockerops.Engine, mod ...func(*Options)) *Account {
	t.Helper()
	a := open(t, clk, append([]func(*Options){func(o *Options) { o.Docker = e }}, mod...)...)
	t.Cleanup(func() {
		a.Close() // no worker starts one meanwhile
		cs, _ := e.ContainersByLabel(context.Background(), labelAccount, a.Path())
		for _, c := range cs {
			e.Remove(context.Background(), c.ID, true)
		}
	})
	return a
}

// containers are the account's containers on the engine, stopped ones
// included.
func containers(t *testing.T, e *dockerops.Engine, a *Account) []dockerops.ContainerInfo {
	t.Helper()
	a.settle() // the round the last read started has done its engine calls
	cs, err := e.ContainersByLabel(context.Background(), labelAccount, a.Path())
	mustNil(t, err)
	return cs
}

func taskContainers(t *testing.T, e *dockerops.Engine, a *Account, taskARN string) []dockerops.ContainerInfo {
	var out []dockerops.ContainerInfo
	for _, c := range containers(t, e, a) {
		if c.Labels[labelTask] == taskARN {
			out = append(out, c)
		}
	}
	return out
}

// serverDef registers a one-container Fargate task definition serving on 8080.
func serverDef(t *testing.T, a *Account, family, image string, env map[string]string) string {
	t.Helper()
	arn, err := a.RegisterTaskDefinition(context.Background(), cloud.TaskDefSpec{
		Family: family, CPU: "256", Memory: "512", Fargate: true,
		Containers: []cloud.ContainerSpec{{Name: "app", Image: image, Port: 8080, Essential: true, Env: env}},
	})
	mustNil(t, err)
	return arn
}

// until steps the clock a second at a time, reading the task through each
// account in turn (several processes share one account), until ok accepts
// it; at most limit of simulated time.
func until(t *testing.T, clk *clock, arn string, limit time.Duration, ok func(resource.Task) bool, accts ...*Account) resource.Task {
	t.Helper()
	for i, end := 0, clk.Now().Add(limit); ; i++ {
		x := getTask(t, accts[i%len(accts)], arn)
		if ok(x) {
			return x
		}
		if !clk.Now().Before(end) {
			t.Fatalf("task %s after %v: %s/%s %s %q\n%s", x.ID, limit, x.LastStatus, x.DesiredStatus, x.StopCode, x.StoppedReason, diagnose(accts[0], arn))
		}
		clk.Advance(time.Second)
	}
}

// diagnose describes the task's containers as the state records them and
// the account's containers on the engine, for a failure message.
func diagnose(a *Account, arn string) string {
	var b strings.Builder
	a.view(context.Background(), func(w *world, r *region) error {
		for _, c := range r.Clusters {
			for _, t := range slices.Concat(c.Tasks, c.Stopped) {
				if t.ARN == arn {
					for _, ct := range t.Containers {
						fmt.Fprintf(&b, "state: %+v\n", *ct)
					}
				}
			}
		}
		return nil
	})
	if r, ok := a.runner.(*engineRunner); ok {
		cs, err := r.e.ContainersByLabel(context.Background(), labelAccount, a.Path())
		fmt.Fprintf(&b, "engine: %+v %v\n", cs, err)
		for _, c := range cs {
			info, err := r.e.InspectContainer(context.Background(), c.ID)
			fmt.Fprintf(&b, "  %s: %s exit %d %v\n", c.Name, info.State, info.ExitCode, err)
		}
	}
	return b.String()
}

func status(s string) func(resource.Task) bool {
	return func(x resource.Task) bool { return x.LastStatus == s }
}

// httpGet fetches url, retrying for a few seconds of real time while the
// server starts.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	var err error
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		var res *http.Response
		if res, err = http.Get(url); err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			return string(b)
		}
	}
	t.Fatalf("GET %s: %v", url, err)
	return ""
}

// url is where the task's app container answers.
func url(t *testing.T, x resource.Task) string {
	t.Helper()
	bs := x.Containers[0].NetworkBindings
	if len(bs) != 1 || bs[0].HostIP != "127.0.0.1" || bs[0].ContainerPort != 8080 || bs[0].HostPort == 0 || bs[0].Protocol != "tcp" {
		t.Fatalf("bindings %+v, want 127.0.0.1:PORT → 8080/tcp", bs)
	}
	return fmt.Sprintf("http://127.0.0.1:%d/", bs[0].HostPort)
}

// A sandbox service whose image is on the local engine runs for real: it
// answers HTTP on its published port; a stopped task's container is
// stopped, then removed as the task goes STOPPED; the replacement answers
// too; deleting the service removes every container. Two Accounts on one
// file (two deckhand processes) agree on the containers.
func TestRealService(t *testing.T) {
	ctx := context.Background()
	e := engine(t)
	ref := ecrRef("web")
	fixtureImage(t, e, ref)
	clk := newClock()
	a := openDocker(t, clk, e)
	b, err := Open(Options{Path: a.Path(), Clock: clk, Docker: e})
	mustNil(t, err)
	ids := lookup(t, a)
	td := serverDef(t, a, "real-web", ref, nil)
	_, err = a.CreateService(ctx, cloud.ServiceSpec{
		Cluster: "demo", Name: "real-web", TaskDefinition: td, Desired: 1, LaunchType: "FARGATE",
		Subnets: []string{ids.subnet}, CircuitBreaker: true,
	})
	mustNil(t, err)
	live, _ := serviceTasks(t, a, "real-web")
	if len(live) != 1 {
		t.Fatalf("%d tasks, want 1", len(live))
	}
	first := until(t, clk, live[0].ARN, 2*time.Minute, status("RUNNING"), a, b)
	body := httpGet(t, url(t, first))
	if !strings.HasPrefix(body, "ok ") {
		t.Fatalf("GET answered %q", body)
	}
	cs := taskContainers(t, e, a, first.ARN)
	if len(cs) != 1 || cs[0].State != "running" || cs[0].Image != ref {
		t.Fatalf("engine containers of the task: %+v, want one running %s", cs, ref)
	}

	mustNil(t, b.StopTask(ctx, "demo", first.ARN, "learner stopped it"))
	x := until(t, clk, first.ARN, 2*time.Minute, func(x resource.Task) bool {
		return x.LastStatus == "DEPROVISIONING" || x.LastStatus == "STOPPED"
	}, a, b)
	if x.LastStatus == "DEPROVISIONING" {
		if cs := taskContainers(t, e, a, first.ARN); len(cs) != 1 || cs[0].State != "exited" {
			t.Errorf("container while DEPROVISIONING: %+v, want it stopped", cs)
		}
	}
	x = until(t, clk, first.ARN, time.Minute, status("STOPPED"), a, b)
	if c := x.Containers[0]; c.ExitCode == nil || *c.ExitCode != 0 || len(c.NetworkBindings) != 0 {
		t.Errorf("stopped container %+v, want exit code 0 (the fixture exits on SIGTERM) and no bindings", c)
	}
	if cs := taskContainers(t, e, a, first.ARN); len(cs) != 0 {
		t.Errorf("the stopped task's container is still there: %+v", cs)
	}

	live, _ = serviceTasks(t, a, "real-web")
	if len(live) != 1 || live[0].ARN == first.ARN {
		t.Fatalf("after the stop: %d live tasks, want the replacement", len(live))
	}
	second := until(t, clk, live[0].ARN, 2*time.Minute, status("RUNNING"), b, a)
	if body2 := httpGet(t, url(t, second)); !strings.HasPrefix(body2, "ok ") || body2 == body {
		t.Errorf("the replacement answered %q, want ok from another container than %q", body2, body)
	}
	if n := len(containers(t, e, a)); n != 1 {
		t.Errorf("%d containers on the engine, want the replacement's only", n)
	}

	mustNil(t, a.DeleteService(ctx, "demo", "real-web"))
	until(t, clk, second.ARN, 2*time.Minute, status("STOPPED"), a, b)
	if cs := containers(t, e, a); len(cs) != 0 {
		t.Errorf("containers left after DeleteService: %+v", cs)
	}
}

// A real container that exits by itself stops its task the way ECS does:
// EssentialContainerExited, with the container's exit code. Any local tag
// runs, not only the sandbox's ECR URIs.
func TestRealContainerExits(t *testing.T) {
	e := engine(t)
	ref := "deckhand-test-exit-" + randHex() + ":v1"
	fixtureImage(t, e, ref)
	clk := newClock()
	a := openDocker(t, clk, e)
	ids := lookup(t, a)
	td := serverDef(t, a, "exits", ref, map[string]string{"EXIT_CODE": "3"})
	ts, err := a.RunTask(context.Background(), cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: td, Count: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet}})
	mustNil(t, err)
	until(t, clk, ts[0].ARN, 2*time.Minute, func(x resource.Task) bool {
		return len(taskContainers(t, e, a, ts[0].ARN)) > 0 || x.LastStatus == "STOPPED"
	}, a)
	// The container exits in real time, which the driven clock outruns.
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if cs := taskContainers(t, e, a, ts[0].ARN); len(cs) == 0 || cs[0].State == "exited" {
			break
		}
		if time.Now().After(end) {
			t.Fatal("the container has not exited after 30 s")
		}
	}
	x := until(t, clk, ts[0].ARN, 2*time.Minute, status("STOPPED"), a)
	if x.StopCode != "EssentialContainerExited" || x.StoppedReason != "Essential container in task exited" {
		t.Errorf("stopped %s %q, want EssentialContainerExited", x.StopCode, x.StoppedReason)
	}
	if c := x.Containers[0]; c.LastStatus != "STOPPED" || c.ExitCode == nil || *c.ExitCode != 3 {
		t.Errorf("container %+v, want STOPPED with exit code 3", c)
	}
	if cs := containers(t, e, a); len(cs) != 0 {
		t.Errorf("containers left: %+v", cs)
	}
}

// Without an engine, an image of the sandbox's ECR registry cannot run:
// CannotPullContainerError, saying the sandbox has no Docker engine.
// Public images are simulated (the seeded web service keeps running).
func TestNoEngine(t *testing.T) {
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	ref := AccountID + ".dkr.ecr.us-east-1.amazonaws.com/app:v1"
	td := serverDef(t, a, "app", ref, nil)
	ts, err := a.RunTask(context.Background(), cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: td, Count: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet}})
	mustNil(t, err)
	x := until(t, clk, ts[0].ARN, 2*time.Minute, status("STOPPED"), a)
	t.Logf("stoppedReason: %s", x.StoppedReason)
	if x.StopCode != "TaskFailedToStart" || !strings.HasPrefix(x.StoppedReason, "CannotPullContainerError: ") ||
		!strings.Contains(x.StoppedReason, "the sandbox has no Docker engine to run it") {
		t.Errorf("stopped %s %q, want a CannotPullContainerError naming the missing engine", x.StopCode, x.StoppedReason)
	}
	if s := getService(t, a, "web"); s.Running != 2 {
		t.Errorf("seeded web service: %d running, want 2 (nginx is simulated)", s.Running)
	}
}

// With an engine that lacks the image, an ECR image is not found, as in
// ECS; a public image the engine lacks is simulated, and starts nothing.
func TestEngineWithoutImage(t *testing.T) {
	e := engine(t)
	clk := newClock()
	a := openDocker(t, clk, e)
	ids := lookup(t, a)
	ref := ecrRef("absent")
	run := func(image string) string {
		ts, err := a.RunTask(context.Background(), cloud.RunTaskSpec{
			Cluster: "demo", TaskDefinition: serverDef(t, a, "absent", image, nil), Count: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet},
		})
		mustNil(t, err)
		return ts[0].ARN
	}
	ecr, public := run(ref), run("nginx:deckhand-test-never-pulled-"+randHex())
	x := until(t, clk, ecr, 2*time.Minute, status("STOPPED"), a)
	if x.StopCode != "TaskFailedToStart" || !strings.HasPrefix(x.StoppedReason, "CannotPullContainerError: ") ||
		!strings.Contains(x.StoppedReason, ref+": not found") || strings.Contains(x.StoppedReason, "no Docker engine") {
		t.Errorf("stopped %s %q, want CannotPullContainerError … not found", x.StopCode, x.StoppedReason)
	}
	if y := until(t, clk, public, time.Minute, status("RUNNING"), a); len(y.Containers[0].NetworkBindings) != 0 {
		t.Errorf("public image task with bindings %+v, want none (simulated)", y.Containers[0].NetworkBindings)
	}
	if cs := containers(t, e, a); len(cs) != 0 {
		t.Errorf("containers started: %+v", cs)
	}
}

// Reopening after a day replays the history without starting containers
// for tasks that stopped meanwhile: the engine ends up with the
// containers of the tasks running now, and none of the old ones.
func TestReopenAfterADay(t *testing.T) {
	ctx := context.Background()
	e := engine(t)
	ref := ecrRef("day")
	fixtureImage(t, e, ref)
	clk := newClock()
	a := openDocker(t, clk, e)
	ids := lookup(t, a)
	td := serverDef(t, a, "day", ref, nil)
	_, err := a.CreateService(ctx, cloud.ServiceSpec{
		Cluster: "demo", Name: "day", TaskDefinition: td, Desired: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet},
	})
	mustNil(t, err)
	live, _ := serviceTasks(t, a, "day")
	first := until(t, clk, live[0].ARN, 2*time.Minute, status("RUNNING"), a)
	httpGet(t, url(t, first))
	// The last calls before deckhand closes: stop the service's task, and
	// run a task and stop it before it starts.
	mustNil(t, a.StopTask(ctx, "demo", first.ARN, ""))
	ts, err := a.RunTask(ctx, cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: td, Count: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet}})
	mustNil(t, err)
	mustNil(t, a.StopTask(ctx, "demo", ts[0].ARN, ""))

	clk.Advance(24 * time.Hour)
	b, err := Open(Options{Path: a.Path(), Clock: clk, Docker: e})
	mustNil(t, err)
	live, stopped := serviceTasks(t, b, "day")
	if len(live) != 1 || len(stopped) != 0 || live[0].LastStatus != "RUNNING" {
		t.Fatalf("after a day: %d live (%v), %d stopped tasks; want the replacement RUNNING", len(live), live, len(stopped))
	}
	cs := containers(t, e, b)
	if len(cs) != 1 || cs[0].Labels[labelTask] != live[0].ARN || cs[0].State != "running" {
		t.Errorf("containers after a day: %+v, want one, running, of task %s", cs, live[0].ARN)
	}
	if body := httpGet(t, url(t, getTask(t, b, live[0].ARN))); !strings.HasPrefix(body, "ok ") {
		t.Errorf("the replacement answered %q", body)
	}
}

// A container the engine cannot start fails its task the way ECS does:
// TaskFailedToStart, with the engine's message as a
// CannotStartContainerError; nothing is left on the engine.
func TestRealStartFails(t *testing.T) {
	e := engine(t)
	ref := ecrRef("nostart")
	buildImage(t, e, ref, t.TempDir(), "COPY Dockerfile /\nENTRYPOINT [\"/nope\"]\n")
	clk := newClock()
	a := openDocker(t, clk, e)
	ids := lookup(t, a)
	ts, err := a.RunTask(context.Background(), cloud.RunTaskSpec{
		Cluster: "demo", TaskDefinition: serverDef(t, a, "nostart", ref, nil), Count: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet},
	})
	mustNil(t, err)
	x := until(t, clk, ts[0].ARN, 2*time.Minute, status("STOPPED"), a)
	t.Logf("stoppedReason: %s", x.StoppedReason)
	if x.StopCode != "TaskFailedToStart" || !strings.HasPrefix(x.StoppedReason, "CannotStartContainerError: ") ||
		!strings.Contains(x.StoppedReason, "/nope") || !strings.HasPrefix(x.StoppedReason, "CannotStartContainerError: Error response from daemon: ") {
		t.Errorf("stopped %s %q, want TaskFailedToStart with the engine's CannotStartContainerError", x.StopCode, x.StoppedReason)
	}
	if c := x.Containers[0]; c.ExitCode != nil || c.Reason != x.StoppedReason {
		t.Errorf("container %+v, want no exit code and the reason", c)
	}
	if cs := containers(t, e, a); len(cs) != 0 {
		t.Errorf("containers left: %+v", cs)
	}
}

// A running task's container that someone removes from the engine stops
// the task: its essential container is gone.
func TestRealContainerRemoved(t *testing.T) {
	e := engine(t)
	ref := ecrRef("removed")
	fixtureImage(t, e, ref)
	clk := newClock()
	a := openDocker(t, clk, e)
	ids := lookup(t, a)
	ts, err := a.RunTask(context.Background(), cloud.RunTaskSpec{
		Cluster: "demo", TaskDefinition: serverDef(t, a, "removed", ref, nil), Count: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet},
	})
	mustNil(t, err)
	until(t, clk, ts[0].ARN, 2*time.Minute, status("RUNNING"), a)
	cs := taskContainers(t, e, a, ts[0].ARN)
	if len(cs) != 1 {
		t.Fatalf("containers %+v, want 1", cs)
	}
	mustNil(t, e.Remove(context.Background(), cs[0].ID, true))
	x := until(t, clk, ts[0].ARN, 2*time.Minute, status("STOPPED"), a)
	if c := x.Containers[0]; x.StopCode != "EssentialContainerExited" || c.ExitCode != nil || !strings.Contains(c.Reason, "gone from the local Docker engine") {
		t.Errorf("stopped %s, container %+v; want EssentialContainerExited, the container gone", x.StopCode, c)
	}
}

// A read-only deckhand (another process on the same account) observes but
// changes nothing on the engine: the task waits in ACTIVATING, as nothing
// runs it (health.go); the next deckhand that may starts its container,
// and once a later call finds it running the task is RUNNING, whichever
// deckhand looks.
func TestReadonlyStartsNothing(t *testing.T) {
	e := engine(t)
	ref := ecrRef("readonly")
	fixtureImage(t, e, ref)
	clk := newClock()
	a := openDocker(t, clk, e)
	ids := lookup(t, a)
	ts, err := a.RunTask(context.Background(), cloud.RunTaskSpec{
		Cluster: "demo", TaskDefinition: serverDef(t, a, "readonly", ref, nil), Count: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet},
	})
	mustNil(t, err)
	ro, err := Open(Options{Path: a.Path(), Clock: clk, Docker: e, Readonly: true})
	mustNil(t, err)
	until(t, clk, ts[0].ARN, 2*time.Minute, status("ACTIVATING"), ro)
	clk.Advance(time.Minute)
	if x := getTask(t, ro, ts[0].ARN); x.LastStatus != "ACTIVATING" {
		t.Errorf("with only a read-only deckhand: %s, want ACTIVATING (nothing runs it)", x.LastStatus)
	}
	if cs := containers(t, e, a); len(cs) != 0 {
		t.Fatalf("a read-only account started %+v", cs)
	}
	getTask(t, a, ts[0].ARN) // starts it
	x := until(t, clk, ts[0].ARN, time.Minute, status("RUNNING"), ro)
	if body := httpGet(t, url(t, x)); !strings.HasPrefix(body, "ok ") {
		t.Errorf("GET answered %q", body)
	}
}
