package sandbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// cloudConfig is user data in the format the EC2 launch target writes
// (launch/aws.UserData), with an ECR login that does nothing here.
func cloudConfig(image string) string {
	return "#cloud-config\n" +
		"# deckhand: stack web runs " + image + " on port 8080\n" +
		"package_update: true\n" +
		"packages:\n  - docker\n" +
		"runcmd:\n" +
		"  - [\"systemctl\", \"enable\", \"--now\", \"docker\"]\n" +
		"  - \"for i in 1 2 3; do aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin x && break; sleep 6; done\"\n" +
		"  - [\"docker\", \"run\", \"-d\", \"--name\", \"deckhand-web\", \"--restart\", \"unless-stopped\", \"--label\", \"deckhand.stack=web\", \"-p\", \"8080:8080\", \"" + image + "\"]\n"
}

func TestDockerRuns(t *testing.T) {
	got := dockerRuns(cloudConfig("img:v1") + "  - docker run --rm -e A=b -p 127.0.0.1:9000:90/tcp other:2\n" +
		"write_files:\n  - docker run not:this\n")
	want := []dockerRun{{Image: "img:v1", Ports: []int32{8080}}, {Image: "other:2", Ports: []int32{90}, Env: []string{"A=b"}}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("dockerRuns = %+v, want %+v", got, want)
	}
	if got := dockerRuns("#!/bin/sh\ndocker run x\n"); got != nil {
		t.Errorf("a shell script: %+v, want nothing", got)
	}
}

// untilInstance steps the clock until the instance is in state.
func untilInstance(t *testing.T, clk *clock, a *Account, id, state string) resource.Instance {
	t.Helper()
	for end := clk.Now().Add(5 * time.Minute); ; clk.Advance(time.Second) {
		caughtUp(a)
		ins, err := a.Instances(context.Background())
		mustNil(t, err)
		i := slices.IndexFunc(ins, func(in resource.Instance) bool { return in.ID == id })
		if i >= 0 && ins[i].State == state {
			return ins[i]
		}
		if !clk.Now().Before(end) {
			t.Fatalf("instance %s not %s after 5 minutes: %+v", id, state, ins)
		}
	}
}

func instanceContainers(t *testing.T, a *Account, id string) int {
	t.Helper()
	e := a.runner.(*engineRunner).e
	n := 0
	for _, c := range containers(t, e, a) {
		if c.Labels[labelInstance] == id {
			n++
		}
	}
	return n
}

func instanceURL(t *testing.T, in resource.Instance) string {
	t.Helper()
	bs := in.LocalBindings
	if len(bs) != 1 || bs[0].HostIP != "127.0.0.1" || bs[0].ContainerPort != 8080 || bs[0].HostPort == 0 {
		t.Fatalf("local bindings %+v, want 127.0.0.1:PORT → 8080", bs)
	}
	return fmt.Sprintf("http://127.0.0.1:%d/", bs[0].HostPort)
}

// An instance runs the docker run commands of its cloud-config user data
// on the local engine while it is running, as cloud-init would.
func TestRealInstance(t *testing.T) {
	ctx := context.Background()
	e := engine(t)
	ref := ecrRef("ec2")
	fixtureImage(t, e, ref)
	clk := newClock()
	a := openDocker(t, clk, e)
	ids := lookup(t, a)
	in, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "web", ImageID: ids.ami, InstanceType: "t3.micro", UserData: cloudConfig(ref)})
	mustNil(t, err)
	if len(in.LocalBindings) != 0 {
		t.Errorf("pending instance has bindings %+v", in.LocalBindings)
	}
	x := untilInstance(t, clk, a, in.ID, "running")
	if body := httpGet(t, instanceURL(t, x)); !strings.HasPrefix(body, "ok ") {
		t.Fatalf("GET answered %q", body)
	}
	if n := instanceContainers(t, a, in.ID); n != 1 {
		t.Fatalf("%d containers of the instance, want 1", n)
	}

	mustNil(t, a.StopInstances(ctx, in.ID))
	x = untilInstance(t, clk, a, in.ID, "stopped")
	if n := instanceContainers(t, a, in.ID); n != 0 || len(x.LocalBindings) != 0 {
		t.Errorf("stopped instance: %d containers, bindings %+v, want none", n, x.LocalBindings)
	}

	mustNil(t, a.StartInstances(ctx, in.ID))
	x = untilInstance(t, clk, a, in.ID, "running")
	if body := httpGet(t, instanceURL(t, x)); !strings.HasPrefix(body, "ok ") {
		t.Fatalf("after the restart GET answered %q", body)
	}

	mustNil(t, a.TerminateInstances(ctx, in.ID))
	x = untilInstance(t, clk, a, in.ID, "terminated")
	if n := instanceContainers(t, a, in.ID); n != 0 || len(x.LocalBindings) != 0 {
		t.Errorf("terminated instance: %d containers, bindings %+v, want none", n, x.LocalBindings)
	}
}

// Without an engine an instance runs nothing and has no bindings.
func TestInstanceNoEngine(t *testing.T) {
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	in, err := a.RunInstance(context.Background(), cloud.InstanceSpec{Name: "web", ImageID: ids.ami, InstanceType: "t3.micro", UserData: cloudConfig("app:v1")})
	mustNil(t, err)
	if x := untilInstance(t, clk, a, in.ID, "running"); len(x.LocalBindings) != 0 {
		t.Errorf("bindings %+v without an engine", x.LocalBindings)
	}
}

// TestInstanceUserDataFailure: a cloud-config `docker run` the engine cannot
// start (its entrypoint does not exist) is reported on the instance, which
// still passes its status checks as on EC2 — before, the failure was only in
// sandbox.json.
func TestInstanceUserDataFailure(t *testing.T) {
	e := engine(t)
	ref := ecrRef("ec2-broken")
	dir := t.TempDir()
	mustNil(t, os.WriteFile(filepath.Join(dir, "placeholder"), []byte("x"), 0o644))
	buildImage(t, e, ref, dir, "COPY placeholder /placeholder\nEXPOSE 8080\nENTRYPOINT [\"/no-such-binary\"]\n")
	clk := newClock()
	a := openDocker(t, clk, e)
	ids := lookup(t, a)
	in, err := a.RunInstance(context.Background(), cloud.InstanceSpec{Name: "web", ImageID: ids.ami, InstanceType: "t3.micro", UserData: cloudConfig(ref)})
	mustNil(t, err)
	untilInstance(t, clk, a, in.ID, "running")
	deadline := time.Now().Add(time.Minute)
	for {
		xs, err := a.Instances(context.Background())
		mustNil(t, err)
		for _, x := range xs {
			if x.ID == in.ID && len(x.UserDataFailures) > 0 {
				if f := x.UserDataFailures[0]; !strings.Contains(f, "docker run "+ref) {
					t.Errorf("failure %q does not name the command", f)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the failed docker run was never reported on the instance")
		}
		clk.Advance(time.Second)
		time.Sleep(100 * time.Millisecond) // the engine works in real time
	}
}
