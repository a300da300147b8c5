package sandbox

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
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

// shellImage builds, from the local Python base image, an image with a
// shell that serves HTTP on 8080 (python3 -m http.server): a task of it
// can be exec'd into and forwarded to. It is removed when the test ends.
func shellImage(t *testing.T, e *dockerops.Engine, ref string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const base = "deckhand/python-base:bookworm"
	if _, err := e.InspectImage(ctx, base); err != nil {
		testbed.Missing(t, "the image "+base, "run scripts/python-base-image")
	}
	dir := t.TempDir()
	df := "FROM " + base + "\nLABEL " + testImageLabel + "=" + randHex() + "\nEXPOSE 8080\nWORKDIR /srv\n" +
		"RUN echo served-by-the-task > index.html\nCMD [\"python3\", \"-m\", \"http.server\", \"8080\"]\n"
	mustNil(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644))
	var out []string
	if _, err := e.Build(ctx, dockerops.BuildOptions{Dir: dir, Tags: []string{ref}}, func(l string) { out = append(out, l) }); err != nil {
		t.Fatalf("building %s: %v\n%s", ref, err, strings.Join(out, "\n"))
	}
	t.Cleanup(func() { e.RemoveImage(context.Background(), ref) })
}

// On the real engine: a task that runs there is exec'd into (the plan's
// docker exec, run without a terminal, answers from inside the container)
// and forwarded (the address answers HTTP with the container's page); a
// simulated task and an instance with no container say why not.
func TestSessionsOnTheEngine(t *testing.T) {
	ctx := context.Background()
	e := engine(t)
	real, absent := ecrRef("shell"), "nginx:1.27" // a public image the engine lacks: simulated
	shellImage(t, e, real)
	clk := newClock()
	a := openDocker(t, clk, e)
	ids := lookup(t, a)
	run := func(image string) resource.Task {
		td := serverDef(t, a, "sess-"+randHex(), image, nil)
		ts, err := a.RunTask(ctx, cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: td, Count: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet}})
		mustNil(t, err)
		return until(t, clk, ts[0].ARN, 3*time.Minute, func(x resource.Task) bool { return x.LastStatus == "RUNNING" }, a)
	}
	onEngine, simulated := run(real), run(absent)
	if onEngine.Containers[0].RuntimeID == "" || len(onEngine.Containers[0].NetworkBindings) == 0 {
		t.Fatalf("the task of a local image does not run on the engine: %+v\n%s", onEngine.Containers, diagnose(a, onEngine.ARN))
	}
	target := func(x resource.Task) cloud.SessionTarget {
		return cloud.SessionTarget{ClusterARN: x.ClusterARN, TaskARN: x.ARN, Container: "app", Port: 8080}
	}

	t.Run("exec into the task's container", func(t *testing.T) {
		p, err := a.ExecPlan(ctx, target(onEngine))
		mustNil(t, err)
		if len(p.Missing) > 0 {
			t.Fatalf("missing %q", p.Missing)
		}
		i := slices.Index(p.Argv, "exec")
		if p.Argv[0] != "docker" || i < 0 || p.Argv[i+1] != "-it" || p.Argv[i+2] != onEngine.Containers[0].RuntimeID {
			t.Fatalf("argv %q, want docker exec -it %s …", p.Argv, onEngine.Containers[0].RuntimeID)
		}
		// The same command without a terminal: commands on stdin.
		args := slices.Clone(p.Argv[1:])
		args[i] = "-i"
		cmd := exec.Command("docker", args...)
		cmd.Stdin = strings.NewReader("echo hello-from-$(cat /srv/index.html); exit\n")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "hello-from-served-by-the-task") {
			t.Fatalf("docker %q: %v\n%s", args, err, out)
		}
	})
	t.Run("forward: the published address answers HTTP", func(t *testing.T) {
		p, err := a.ForwardPlan(ctx, target(onEngine))
		mustNil(t, err)
		if len(p.Missing) > 0 || p.Argv != nil || !strings.HasPrefix(p.Address, "127.0.0.1:") {
			t.Fatalf("plan %+v, want an address on 127.0.0.1 and nothing to run", p)
		}
		var body []byte
		deadline := time.Now().Add(30 * time.Second)
		for {
			res, err := http.Get("http://" + p.Address + "/")
			if err == nil {
				body, _ = io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("http://%s/ never answered 200: %v %s", p.Address, err, body)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if !strings.Contains(string(body), "served-by-the-task") {
			t.Fatalf("http://%s/ answered %q, not the task's page", p.Address, body)
		}
	})

	t.Run("ssm: a shell in the container that runs the instance's user data", func(t *testing.T) {
		in, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "ssm", ImageID: ids.ami, InstanceType: "t3.micro", UserData: cloudConfig(real)})
		mustNil(t, err)
		untilInstance(t, clk, a, in.ID, "running")
		var p cloud.SessionPlan
		for end := clk.Now().Add(2 * time.Minute); ; clk.Advance(time.Second) {
			caughtUp(a)
			p, err = a.SSMPlan(ctx, cloud.SessionTarget{InstanceID: in.ID})
			mustNil(t, err)
			if len(p.Missing) == 0 {
				break
			}
			if !clk.Now().Before(end) {
				t.Fatalf("no shell on the running instance: %q", p.Missing)
			}
		}
		i := slices.Index(p.Argv, "-it")
		if p.Argv[0] != "docker" || i < 0 {
			t.Fatalf("argv %q, want docker exec -it …", p.Argv)
		}
		args := slices.Clone(p.Argv[1:])
		args[i-1] = "-i"
		cmd := exec.Command("docker", args...)
		cmd.Stdin = strings.NewReader("echo on-the-instance-$(cat /srv/index.html); exit\n")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "on-the-instance-served-by-the-task") {
			t.Fatalf("docker %q: %v\n%s", args, err, out)
		}
	})

	for _, tc := range []struct {
		name string
		plan func() (cloud.SessionPlan, error)
		want string
	}{
		{"exec into a simulated task", func() (cloud.SessionPlan, error) { return a.ExecPlan(ctx, target(simulated)) }, "is simulated"},
		{"forward a simulated task", func() (cloud.SessionPlan, error) { return a.ForwardPlan(ctx, target(simulated)) }, "is simulated"},
		{"forward a port the task does not map", func() (cloud.SessionPlan, error) {
			tg := target(onEngine)
			tg.Port = 9999
			return a.ForwardPlan(ctx, tg)
		}, "port 9999 of container app is not published"},
		{"exec into a container the task lacks", func() (cloud.SessionPlan, error) {
			tg := target(onEngine)
			tg.Container = "sidecar"
			return a.ExecPlan(ctx, tg)
		}, "has no container sidecar"},
		{"ssm on a stopped instance", func() (cloud.SessionPlan, error) {
			in, ok := ids.instances["batch"]
			if !ok {
				return cloud.SessionPlan{}, errors.New("no seeded instance batch")
			}
			return a.SSMPlan(ctx, cloud.SessionTarget{InstanceID: in.ID})
		}, "is stopped: Session Manager reaches running instances only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.plan()
			mustNil(t, err)
			if p.Argv != nil || p.Address != "" || len(p.Missing) == 0 || !strings.Contains(strings.Join(p.Missing, "\n"), tc.want) {
				t.Fatalf("plan %+v, want nothing to run and a reason with %q", p, tc.want)
			}
		})
	}

	t.Run("no docker CLI", func(t *testing.T) {
		sessionPath = t.TempDir()
		defer func() { sessionPath = "" }()
		p, err := a.ExecPlan(ctx, target(onEngine))
		mustNil(t, err)
		if !slices.Contains(p.Missing, cloud.MissingDockerCLI) {
			t.Fatalf("missing %q, want the docker CLI", p.Missing)
		}
	})
}

// --readonly refuses shells in the adapter too (the key refuses first).
func TestSessionsReadonly(t *testing.T) {
	a := open(t, newClock(), func(o *Options) { o.Readonly = true })
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"exec": func() error {
			_, err := a.ExecPlan(ctx, cloud.SessionTarget{ClusterARN: "demo", TaskARN: "x"})
			return err
		},
		"ssm": func() error { _, err := a.SSMPlan(ctx, cloud.SessionTarget{InstanceID: "i-0"}); return err },
	} {
		if err := call(); !errors.Is(err, cloud.ErrReadonly) {
			t.Errorf("%s under --readonly: %v, want ErrReadonly", name, err)
		}
	}
}
