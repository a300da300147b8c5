package aws

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/aws/sandbox"
	"deckhand/dockerops"
	"deckhand/internal/launch"
	"deckhand/internal/testbed"
)

// Tests against the sandbox account with the real Docker engine: the
// sandbox runs a service's tasks on the engine when it has their image, so
// a Fargate launch ends with a URL on 127.0.0.1 that answers. The sandbox
// runs at 50× AWS's pace; the steps poll in real time.

// sandboxSpeed makes the sandbox's minutes into seconds.
const sandboxSpeed = 50

// appMain is the test image's program: "hello from the sandbox" on :8080,
// exiting on SIGTERM.
const appMain = `package main

import (
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	srv := &http.Server{Addr: ":8080", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello from the sandbox")
	})}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
		<-sig
		srv.Close()
	}()
	srv.ListenAndServe()
}
`

// appBinary is the test program compiled once (see testbed.StaticBinary).
func appBinary(t *testing.T) string {
	t.Helper()
	return testbed.StaticBinary(t, appMain)
}

// appProject is a directory with the test app and a Dockerfile FROM
// scratch.
func appProject(t *testing.T) string {
	t.Helper()
	return programProject(t, appBinary(t))
}

// programProject is a directory with a statically linked program as /app
// and a Dockerfile FROM scratch. A label unique to the project keeps its
// build from sharing cached layers with other tests' builds.
func programProject(t *testing.T, binary string) string {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "app"), data, 0o755)
	df := fmt.Sprintf("FROM scratch\nLABEL deckhand.test=%d\nCOPY app /app\nEXPOSE 8080\nENTRYPOINT [\"/app\"]\n", time.Now().UnixNano())
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644)
	return dir
}

// openSandbox opens a fresh sandbox account on the engine; its containers
// and the images a launch of stack built are removed when the test ends.
func openSandbox(t *testing.T, eng *dockerops.Engine, stack string) *sandbox.Account {
	t.Helper()
	a, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Speed: sandboxSpeed, Docker: eng})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Close() // its engine worker starts nothing more
		ctx := context.Background()
		cs, _ := eng.ContainersByLabel(ctx, "deckhand.sandbox.account", a.Path())
		for _, c := range cs {
			eng.Remove(ctx, c.ID, true)
		}
		ims, _ := eng.ImagesByLabel(ctx, launch.LabelStack, stack)
		for _, im := range ims {
			for _, tag := range im.Tags {
				eng.RemoveImage(ctx, tag)
			}
			eng.RemoveImage(ctx, im.ID)
		}
	})
	return a
}

// simSandbox opens a fresh sandbox account without an engine: every task
// and instance is simulated.
func simSandbox(t *testing.T) *sandbox.Account {
	t.Helper()
	a, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Speed: sandboxSpeed})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func testEngine(t *testing.T) *dockerops.Engine {
	t.Helper()
	c := testbed.Docker(t)
	eng, err := dockerops.New(dockerops.Options{Host: c.DaemonHost()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

func uniqStack(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, time.Now().UnixNano()%1e8)
}

// TestFargateOnSandbox: build → push to the sandbox's ECR (a tag in the
// local engine) → every step → the service's task answers on 127.0.0.1;
// a re-run deploys a new revision to the same service; destroy removes
// everything, containers included.
func TestFargateOnSandbox(t *testing.T) {
	eng := testEngine(t)
	stack := uniqStack("fg")
	a := openSandbox(t, eng, stack)
	dir := appProject(t)
	ctx := context.Background()

	opts := FargateOptions{Stack: stack, Dir: dir, Poll: pollFast, Timeout: 2 * time.Minute, CheckTimeout: 30 * time.Second}
	steps, res, err := Fargate(a, eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := run(t, steps)
	t.Logf("launch took %v", time.Since(start).Round(time.Millisecond))
	want := []string{"build:done", "repository:done", "login:done", "push:done", "log-group:done", "exec-role:done", "task-definition:done",
		"cluster:done", "network:done", "security-group:done", "service:done", "wait:done", "url:done", "check:done"}
	if got := r.states(); !slices.Equal(got, want) {
		t.Fatalf("states = %v, want %v", got, want)
	}
	if !strings.HasPrefix(res.URL, "http://127.0.0.1:") || !strings.Contains(r.detail("check"), `"hello from the sandbox"`) {
		t.Errorf("URL %q, check %q", res.URL, r.detail("check"))
	}
	if !strings.Contains(r.detail("push"), "nothing to upload") || !strings.HasPrefix(res.Image, sandbox.AccountID+".dkr.ecr.us-east-1.amazonaws.com/deckhand/"+stack+":") {
		t.Errorf("push = %q, image %q", r.detail("push"), res.Image)
	}
	if !contains(r.lines("wait"), "RUNNING") {
		t.Errorf("the wait reported no task state: %v", r.lines("wait"))
	}
	t.Logf("wait: %v", r.lines("wait"))
	_, body, err := launch.Get(ctx, res.URL)
	if err != nil || body != "hello from the sandbox" {
		t.Errorf("GET %s = %q, %v", res.URL, body, err)
	}

	// Re-run: a new revision, a new deployment of the same service.
	steps, res2, err := Fargate(a, eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	r = run(t, steps)
	if !strings.HasSuffix(res2.TaskDefinition, stack+":2") || !strings.Contains(r.detail("service"), "a new deployment") {
		t.Errorf("re-run: task definition %s, service %q", res2.TaskDefinition, r.detail("service"))
	}
	svcs, err := a.Services(ctx, res2.ClusterARN)
	if err != nil || len(svcs) != 1 || svcs[0].TaskDefinition != res2.TaskDefinition {
		t.Errorf("services after the re-run: %v %+v", err, svcs)
	}
	cls, _ := a.Clusters(ctx)
	n := 0
	for _, c := range cls {
		if c.Name == ClusterName(stack) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d clusters named %s", n, ClusterName(stack))
	}
	if _, body, err := launch.Get(ctx, res2.URL); err != nil || body != "hello from the sandbox" {
		t.Errorf("after the re-run GET %s = %q, %v", res2.URL, body, err)
	}

	// Destroy.
	dsteps, err := Destroy(ctx, a, stack, DestroyOptions{Poll: pollFast, Timeout: time.Minute, Engine: eng})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("destroy: %v", names(dsteps))
	dr := run(t, dsteps)
	for _, s := range dr.states() {
		if !strings.HasSuffix(s, ":done") {
			t.Errorf("destroy step %s", s)
		}
	}
	if left := stackOf(t, a, stack); len(left) != 0 {
		t.Errorf("left after destroy: %v", left)
	}
	// As deckhand destroy does before it exits (cmd/deckhand/backend.go).
	mustFlush(t, a)
	if cs, _ := eng.ContainersByLabel(ctx, "deckhand.sandbox.account", a.Path()); len(cs) != 0 {
		t.Errorf("containers left after destroy: %+v", cs)
	}
	ims, _ := eng.ImagesByLabel(ctx, launch.LabelStack, stack)
	for _, im := range ims {
		for _, tag := range im.Tags {
			if strings.Contains(tag, ".dkr.ecr.") {
				t.Errorf("the sandbox ECR tag %s is left", tag)
			}
		}
	}
}

// TestFargateFailsFastOnSandbox: an image that cannot be pulled ends the
// wait as soon as tasks keep failing, with ECS's reason and the plain
// explanation, long before the timeout.
func TestFargateFailsFastOnSandbox(t *testing.T) {
	eng := testEngine(t)
	stack := uniqStack("bad")
	a := openSandbox(t, eng, stack)
	steps, _, err := Fargate(a, eng, FargateOptions{Stack: stack, Image: "example.com/team/missing-app:1", Port: 8080,
		Poll: pollFast, Timeout: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{t: t}
	start := time.Now()
	err = launch.Execute(context.Background(), steps, r.report)
	took := time.Since(start)
	var se *launch.StepError
	if !errors.As(err, &se) || se.Step != "wait" {
		t.Fatalf("err = %v, want the wait step to fail", err)
	}
	t.Logf("failed after %v:\n%v", took.Round(time.Millisecond), err)
	var de *DeployError
	if !errors.As(err, &de) || len(de.Stopped) == 0 {
		t.Fatalf("err = %v, want a *DeployError with the stopped tasks", err)
	}
	if !strings.Contains(se.Err.Error(), "CannotPullContainerError") || !strings.Contains(se.Hint, "could not pull the container image") {
		t.Errorf("error %q, hint %q", se.Err, se.Hint)
	}
	if took > time.Minute {
		t.Errorf("the wait took %v to give up", took)
	}
	if !contains(r.lines("wait"), "STOPPED") {
		t.Errorf("the stopped tasks were not reported: %v", r.lines("wait"))
	}
	// What was created can be destroyed.
	ds, err := Destroy(context.Background(), a, stack, DestroyOptions{Poll: pollFast, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	run(t, ds)
	if left := stackOf(t, a, stack); len(left) != 0 {
		t.Errorf("left after destroy: %v", left)
	}
}

// TestEC2OnSandbox: every step up to the status checks; the HTTP check is
// skipped saying why (no engine: the sandbox's instances run no software);
// destroy.
func TestEC2OnSandbox(t *testing.T) {
	stack := uniqStack("vm")
	a := simSandbox(t)
	sshDir := t.TempDir()
	steps, res, err := EC2(a, nil, EC2Options{Stack: stack, Image: "nginx:1.27", Port: 80, SSHDir: sshDir, Sandbox: true, Poll: pollFast,
		Timeout: 2 * time.Minute, LookupIP: func(context.Context) (string, error) { return "", errors.New("offline") }})
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, steps)
	want := []string{"address:skipped", "key-pair:done", "ami:done", "network:done", "security-group:done", "instance:done",
		"wait:done", "check:skipped", "retire:skipped", "ssh:done"}
	if got := r.states(); !slices.Equal(got, want) {
		t.Errorf("states = %v, want %v", got, want)
	}
	t.Logf("wait: %v", r.lines("wait"))
	if !contains(r.lines("wait"), "pending") || !contains(r.lines("wait"), "status checks ok") {
		t.Errorf("wait lines %v, want pending … status checks ok", r.lines("wait"))
	}
	if d := r.detail("check"); !strings.Contains(d, "run no software") {
		t.Errorf("check = %q", d)
	}
	if res.PublicIP == "" || !strings.Contains(res.SSHCommand, "@"+res.PublicIP) {
		t.Errorf("result %+v", res)
	}
	ds, err := Destroy(context.Background(), a, stack, DestroyOptions{Poll: pollFast, Timeout: time.Minute, SSHDir: sshDir})
	if err != nil {
		t.Fatal(err)
	}
	run(t, ds)
	if left := stackOf(t, a, stack); len(left) != 0 {
		t.Errorf("left after destroy: %v", left)
	}
}

// TestFargateSimulatedOnSandbox: a public image the local engine does not
// have is simulated by the sandbox; its task gets an address that nothing
// answers on, and the check says so instead of failing or pretending.
func TestFargateSimulatedOnSandbox(t *testing.T) {
	stack := uniqStack("sim")
	a := simSandbox(t)
	steps, res, err := Fargate(a, nil, FargateOptions{Stack: stack, Image: "nginx:1.27", Port: 80, Sandbox: true, Poll: pollFast, Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, steps)
	if got := r.states(); got[len(got)-3] != "wait:done" || got[len(got)-2] != "url:done" || got[len(got)-1] != "check:skipped" {
		t.Errorf("states = %v", got)
	}
	if d := r.detail("check"); !strings.Contains(d, "only simulates this task") || res.URL != "" {
		t.Errorf("check = %q, URL %q (want none)", d, res.URL)
	}
	t.Logf("url %s; check: %s", res.URL, r.detail("check"))
}

// TestEC2UnknownInstanceTypeCreatesNothing: t9.gigantic is refused before
// the first step runs, on the sandbox and on moto (DescribeInstanceTypes):
// no key pair, no .pem, no security group.
func TestEC2UnknownInstanceTypeCreatesNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		be   func(t *testing.T) Backend
	}{
		{"sandbox", func(t *testing.T) Backend { return simSandbox(t) }},
		{"moto", func(t *testing.T) Backend { return newMoto(t).be }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			be := tc.be(t)
			stack := uniqStack("big")
			sshDir := t.TempDir()
			steps, _, err := EC2(be, nil, EC2Options{Stack: stack, Image: "nginx:1.27", Port: 80, SSHDir: sshDir, InstanceType: "t9.gigantic",
				SSHCIDR: "203.0.113.7/32", Sandbox: tc.name == "sandbox"})
			if err != nil {
				t.Fatal(err)
			}
			err = launch.Execute(context.Background(), steps, nil)
			if err == nil || !strings.Contains(err.Error(), "t9.gigantic") || !strings.Contains(err.Error(), "nothing was created") {
				t.Fatalf("err = %v, want the instance type refused with nothing created", err)
			}
			if _, ok, _ := be.FindKeyPair(context.Background(), KeyPairName(stack)); ok {
				t.Error("a key pair was created")
			}
			if files, _ := os.ReadDir(sshDir); len(files) > 0 {
				t.Errorf("files written: %v", files)
			}
		})
	}
}

// mustFlush waits for the sandbox's engine work, as deckhand does before a
// one-shot command exits.
func mustFlush(t *testing.T, a *sandbox.Account) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := a.Flush(ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
}
