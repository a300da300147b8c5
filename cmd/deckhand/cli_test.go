package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"deckhand/internal/testbed"
	"deckhand/scaffold"

	"github.com/moby/moby/client"
)

// cli runs a command line through execute, what main runs; handled is
// false when it would have started the TUI (which is not started).
func cli(args ...string) (code int, handled bool, stdout, stderr string) {
	var out, errb bytes.Buffer
	handled = true
	code = execute(context.Background(), args, &out, &errb, func(context.Context, options) error {
		handled = false
		return nil
	})
	return code, handled, out.String(), errb.String()
}

// TestCLIValidation: every bad command line is rejected before anything
// is done, with exit code 2 and a message naming the flag and the fix.
func TestCLIValidation(t *testing.T) {
	// The sandbox case opens an account: keep its file out of the real home.
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	missing := filepath.Join(t.TempDir(), "missing")
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr (or stdout for a successful run)
	}{
		{"launch needs a name", []string{"launch", "--target", "local"}, 2, "--name is required"},
		{"launch name uppercase", []string{"launch", "--name", "Web", "--target", "local"}, 2, `--name "Web" must start with a lowercase letter; use 1–32 lowercase letters, digits and '-', starting with a letter, e.g. "web"`},
		{"launch name too long", []string{"launch", "--name", strings.Repeat("a", 33), "--target", "local"}, 2, "is 33 characters long; at most 32"},
		{"launch name underscore", []string{"launch", "--name", "my_app", "--target", "local"}, 2, `e.g. "my-app"`},
		{"launch needs a target", []string{"launch", "--name", "web"}, 2, "--target is required: local, fargate or ec2"},
		{"fargate dry run", []string{"launch", "--name", "web", "--target", "fargate", "--image", "nginx:1.27", "--port", "80", "--dry-run"}, 0,
			"Launch of stack \"web\" on ECS Fargate (dry run: nothing is created):"},
		{"fargate dry run builds", []string{"launch", "--name", "web", "--target", "fargate", "--scaffold", "--dry-run", missing}, 0, "docker push REPOSITORY_URI:IMAGE_ID"},
		{"ec2 dry run", []string{"launch", "--name", "web", "--target", "ec2", "--image", "nginx:1.27", "--ssh-cidr", "203.0.113.7/32", "--dry-run"}, 0,
			"SSH (22) from 203.0.113.7/32 only"},
		{"fargate bad cpu", []string{"launch", "--name", "web", "--target", "fargate", "--image", "nginx:1.27", "--cpu", "300", "--dry-run"}, 2, `--cpu: "300" is not a Fargate cpu size`},
		{"fargate bad memory", []string{"launch", "--name", "web", "--target", "fargate", "--image", "nginx:1.27", "--memory", "4096", "--dry-run"}, 2, `--memory "4096": no Fargate configuration exists`},
		{"fargate bad vpc", []string{"launch", "--name", "web", "--target", "fargate", "--image", "nginx:1.27", "--vpc", "main", "--dry-run"}, 2, `--vpc: "main" is not a VPC id`},
		{"ec2 ssh anywhere", []string{"launch", "--name", "web", "--target", "ec2", "--image", "nginx:1.27", "--ssh-cidr", "0.0.0.0/0", "--dry-run"}, 2, "whole internet"},
		{"ec2 dry run builds", []string{"launch", "--name", "web", "--target", "ec2", "--scaffold", "--ssh-cidr", "203.0.113.7/32", "--dry-run", missing}, 0,
			"--iam-instance-profile Name=deckhand-web-ec2"},
		{"ec2 dry run of an ECR image", []string{"launch", "--name", "web", "--target", "ec2", "--image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1",
			"--ssh-cidr", "203.0.113.7/32", "--dry-run"}, 0, "aws iam add-role-to-instance-profile --instance-profile-name deckhand-web-ec2 --role-name deckhand-web-ec2"},
		{"ec2 needs something to build", []string{"launch", "--name", "web", "--target", "ec2", "--dry-run", "."}, 2, `--dir ".": has no Dockerfile`},
		{"ec2 ECR image of no account", []string{"launch", "--name", "web", "--target", "ec2", "--image", "me.dkr.ecr.us-east-1.amazonaws.com/web:1", "--dry-run"}, 2,
			"12-digit account"},
		{"ec2 flag on fargate", []string{"launch", "--name", "web", "--target", "fargate", "--ssh-cidr", "203.0.113.7/32"}, 2, "--ssh-cidr applies only to --target ec2"},
		{"fargate flag on ec2", []string{"launch", "--name", "web", "--target", "ec2", "--cpu", "512"}, 2, "--cpu applies only to --target fargate"},
		{"load balancer on ec2", []string{"launch", "--name", "web", "--target", "ec2", "--load-balancer"}, 2, "--load-balancer applies only to --target fargate"},
		{"aws flag on local", []string{"launch", "--name", "web", "--target", "local", "--sandbox"}, 2, "--sandbox applies only to the AWS targets"},
		{"sandbox and endpoint", []string{"launch", "--name", "web", "--target", "ec2", "--sandbox", "--endpoint-url", "http://127.0.0.1:1"}, 2, "exclude each other"},
		{"launch endpoint not a URL", []string{"launch", "--name", "web", "--target", "fargate", "--endpoint-url", "notaurl", "--dry-run"}, 2, `--endpoint-url "notaurl" must start with http://`},
		{"launch bad region", []string{"launch", "--name", "web", "--target", "ec2", "--region", "mars-1", "--dry-run"}, 2, `--region "mars-1" is not an AWS region name`},
		{"sandbox speed", []string{"launch", "--name", "web", "--target", "fargate", "--sandbox-speed", "0"}, 2, "--sandbox-speed 0 is out of range"},
		{"unknown target", []string{"launch", "--name", "web", "--target", "moon"}, 2, `--target "moon" is not a target`},
		{"dir and image", []string{"launch", "--name", "web", "--target", "local", "--image", "x:1", "."}, 2, "either DIR (to build) or --image"},
		{"empty image", []string{"launch", "--name", "web", "--target", "local", "--image", ""}, 2, "--image is empty"},
		{"base image with image", []string{"launch", "--name", "web", "--target", "local", "--image", "x:1", "--base-image", "y"}, 2, "--base-image applies only when building"},
		{"scaffold with image", []string{"launch", "--name", "web", "--target", "local", "--image", "x:1", "--scaffold"}, 2, "--scaffold applies only when building"},
		{"port out of range", []string{"launch", "--name", "web", "--target", "local", "--port", "70000"}, 2, "--port 70000 is not a TCP port"},
		{"port zero", []string{"launch", "--name", "web", "--target", "local", "--port", "0"}, 2, "--port 0 is not a TCP port"},
		{"port zero on fargate", []string{"launch", "--name", "web", "--target", "fargate", "--port", "0", "--dry-run"}, 2, "--port 0 is not a TCP port"},
		{"timeout zero", []string{"launch", "--name", "web", "--target", "local", "--timeout", "0s"}, 2, "--timeout 0s must be positive"},
		{"bad timeout", []string{"launch", "--name", "web", "--target", "local", "--timeout", "soon"}, 2, `--timeout "soon" is not a duration: give seconds (5) or a duration (15s, 2m)`},
		{"two dirs", []string{"launch", "--name", "web", "--target", "local", "a", "b"}, 2, "too many arguments"},
		{"unknown flag", []string{"launch", "--nope"}, 2, "unknown flag --nope; did you mean --name?"},
		{"readonly launch", []string{"launch", "--name", "web", "--target", "local", "--readonly"}, 2, "--readonly refuses changes and launch makes them"},
		{"readonly dry run is fine", []string{"launch", "--name", "web", "--target", "local", "--readonly", "--dry-run", "--scaffold", missing}, 0, "1. scaffold:"},
		{"flags after DIR", []string{"launch", missing, "--name", "web", "--target", "local", "--scaffold", "--dry-run"}, 0, "2. build: Build deckhand/web:latest from " + missing},
		{"empty dir without --scaffold", []string{"launch", "--name", "web", "--target", "local", "--dry-run", missing}, 2, "deckhand scaffold " + missing},
		{"launch help", []string{"launch", "--help"}, 0, ""},
		{"destroy needs a name", []string{"destroy"}, 2, "--name is required"},
		{"destroy bad name", []string{"destroy", "--name", "-x"}, 2, `--name "-x" must start with a lowercase letter`},
		{"destroy stray argument", []string{"destroy", "--name", "web", "extra"}, 2, `unexpected argument "extra"`},
		{"destroy aws flag on local", []string{"destroy", "--name", "web", "--target", "local", "--region", "eu-west-1"}, 2, "--region applies only to the AWS targets"},
		{"destroy aws flag means aws", []string{"destroy", "--name", "web", "--sandbox", "--sandbox-speed", "50", "--dry-run"}, 0, "the sandbox account"},
		{"readonly destroy", []string{"destroy", "--name", "web", "--readonly"}, 2, "--readonly refuses changes and destroy makes them"},
		{"scaffold needs DIR", []string{"scaffold"}, 2, "DIR is required"},
		{"scaffold two dirs", []string{"scaffold", "a", "b"}, 2, "too many arguments"},
		{"scaffold skip and overwrite", []string{"scaffold", missing, "--skip-existing", "--overwrite"}, 2, "exclude each other"},
		{"scaffold bad name", []string{"scaffold", missing, "--name", "My_App"}, 2, `--name "My_App" must start with a lowercase letter; use 1–32 lowercase letters, digits and '-', starting with a letter, e.g. "my-app"`},
		// One name rule for scaffold and launch: what launch refuses, scaffold refuses.
		{"scaffold double hyphen", []string{"scaffold", missing, "--name", "my--app", "--dry-run"}, 2, `must not end with '-' or contain "--"`},
		{"scaffold name past 32", []string{"scaffold", missing, "--name", "a" + strings.Repeat("b", 32), "--dry-run"}, 2, "is 33 characters long; at most 32"},
		{"scaffold low port", []string{"scaffold", missing, "--port", "80"}, 2, `--port "80" is a privileged port`},
		{"scaffold port zero", []string{"scaffold", missing, "--port", "0", "--dry-run"}, 2, "--port 0 is not a TCP port"},
		{"scaffold dry run", []string{"scaffold", missing, "--dry-run"}, 0, "create    " + filepath.Join(missing, "app.py")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, handled, stdout, stderr := cli(tc.args...)
			if !handled {
				t.Fatal("a subcommand started the TUI")
			}
			if code != tc.code {
				t.Errorf("exit code %d, want %d\nstderr: %s", code, tc.code, stderr)
			}
			if out := stderr + stdout; !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\nstdout: %s\nstderr: %s", tc.want, stdout, stderr)
			}
			if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("%s was created; validation and dry runs must create nothing", missing)
			}
		})
	}
	for _, args := range [][]string{nil, {"--readonly"}} {
		if _, handled, _, _ := cli(args...); handled {
			t.Errorf("%q did not start the TUI; only subcommands are headless", args)
		}
	}
	// A word that is no command is refused, not taken for the TUI.
	if code, handled, _, stderr := cli("instances"); !handled || code != 2 || !strings.Contains(stderr, `unexpected argument "instances"`) {
		t.Errorf("deckhand instances: TUI started %v, exit %d, %q", !handled, code, stderr)
	}
}

var (
	// startEnv is the environment the test process began with: tests that
	// set HOME to a temporary directory must not make the one build of the
	// binary start from an empty Go build and module cache (minutes).
	startEnv = os.Environ()

	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds deckhand once per test run, so the end-to-end test runs
// the real main, flags and exit codes included.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "deckhand-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "deckhand")
		build := exec.Command("go", "build", "-o", binPath, ".")
		build.Env = startEnv
		out, err := build.CombinedOutput()
		if err != nil {
			binErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// deckhand runs the built binary and returns its exit code and output.
func deckhand(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errb.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, out.String(), errb.String()
}

// TestCLIEndToEnd runs the commands a user would type: scaffold into an
// empty directory, launch it locally from the Python base image, get the
// welcome text over HTTP, destroy it, and find nothing left.
func TestCLIEndToEnd(t *testing.T) {
	c := testbed.Docker(t)
	const base = "deckhand/python-base:bookworm"
	ctx := context.Background()
	if _, err := c.ImageInspect(ctx, base); err != nil {
		testbed.Missing(t, "the image "+base, "build it with scripts/python-base-image (the README's test command does so as root)")
	}
	b := make([]byte, 4)
	rand.Read(b)
	name := "e2e" + hex.EncodeToString(b)
	dir := filepath.Join(t.TempDir(), "svc")
	t.Cleanup(func() { deckhand(t, "destroy", "--name", name) })

	code, stdout, stderr := deckhand(t, "scaffold", dir, "--name", name)
	if code != 0 || strings.TrimSpace(stdout) != dir {
		t.Fatalf("scaffold: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = deckhand(t, "launch", "--name", name, "--target", "local", "--base-image", base, dir)
	if code != 0 {
		t.Fatalf("launch: exit %d\n%s", code, stderr)
	}
	url := strings.TrimSpace(stdout)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("launch printed %q on stdout, want only the URL", stdout)
	}
	// Columns are padded to the longest step name; compare words.
	words := strings.Join(strings.Fields(stderr), " ")
	for _, want := range []string{"[1/5] build running Build deckhand/" + name + ":latest", "[4/5] wait done answers HTTP; HEALTHCHECK healthy", "[5/5] check done HTTP 200"} {
		if !strings.Contains(words, want) {
			t.Errorf("progress lacks %q:\n%s", want, stderr)
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != scaffold.WelcomeText(name) {
		t.Errorf("GET %s: %s %q, want 200 with the welcome text", url, resp.Status, body)
	}

	code, stdout, stderr = deckhand(t, "destroy", "--name", name, "--dry-run")
	if code != 0 || !strings.Contains(stdout, "$ docker rm -f deckhand-"+name) || !strings.Contains(stdout, "$ docker rmi deckhand/"+name+":latest") {
		t.Errorf("destroy --dry-run: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = deckhand(t, "destroy", "--name", name)
	if code != 0 || !strings.Contains(stderr, "rm deckhand-"+name) {
		t.Fatalf("destroy: exit %d\n%s", code, stderr)
	}
	label := make(client.Filters).Add("label", "deckhand.stack="+name)
	cs, err := c.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: label})
	if err != nil || len(cs.Items) != 0 {
		t.Errorf("containers left after destroy: %v %v", cs.Items, err)
	}
	imgs, err := c.ImageList(ctx, client.ImageListOptions{All: true, Filters: label})
	if err != nil || len(imgs.Items) != 0 {
		t.Errorf("images left after destroy: %v %v", imgs.Items, err)
	}
	if _, err := http.Get(url); err == nil {
		t.Errorf("%s still answers after destroy", url)
	}
	code, _, stderr = deckhand(t, "destroy", "--name", name)
	if code != 0 || !strings.Contains(stderr, "nothing to remove") {
		t.Errorf("second destroy: exit %d %s, want 0 and nothing to remove", code, stderr)
	}
}

// TestCLIDryRunCreatesNothing: through the real binary, a dry run prints
// the steps and docker commands on stdout and creates no file, container
// or image; an unimplemented target fails with exit code 2.
func TestCLIDryRunCreatesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	code, stdout, stderr := deckhand(t, "launch", "--name", "dry", "--target", "local", "--scaffold", "--base-image", "deckhand/python-base:bookworm", "--dry-run", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"1. scaffold:", "2. build:", "3. run:", "4. prune:", "5. wait:", "6. check:",
		"$ docker build --label deckhand.stack=dry --build-arg BASE_IMAGE=deckhand/python-base:bookworm -t deckhand/dry:latest " + dir,
		"$ docker run -d --name deckhand-dry --label deckhand.stack=dry -p 127.0.0.1::5000 deckhand/dry:latest",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, stdout)
		}
	}
	if stderr != "" {
		t.Errorf("a dry run printed progress: %s", stderr)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dry run created %s", dir)
	}
	// The AWS targets plan without an account: nothing is asked of AWS.
	for _, args := range [][]string{
		{"--target", "fargate", "--scaffold", dir},
		{"--target", "ec2", "--image", "nginx:1.27", "--port", "80"},
	} {
		code, stdout, stderr = deckhand(t, append([]string{"launch", "--name", "dry", "--dry-run", "--endpoint-url", "http://127.0.0.1:1"}, args...)...)
		if code != 0 || stderr != "" || !strings.Contains(stdout, "$ aws ") {
			t.Errorf("%v: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dry run created %s", dir)
	}
}
