package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"deckhand/internal/testbed"
	"deckhand/scaffold"
)

// TestCLIAWSTargetsAgainstMoto runs launch and destroy of both AWS targets
// through the built binary against moto, with the global account flags
// (--endpoint-url, --region): what is created is found again by destroy,
// and nothing tagged is left.
func TestCLIAWSTargetsAgainstMoto(t *testing.T) {
	t.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	binary(t)           // built with the real HOME (its Go caches)
	home := t.TempDir() // the ec2 target saves a created key pair's private key in ~/.ssh
	t.Setenv("HOME", home)
	m := testbed.StartMoto(t)
	acct := []string{"--endpoint-url", m.URL, "--region", "us-east-1"}

	code, stdout, stderr := deckhand(t, append([]string{"launch", "--name", "api", "--target", "fargate", "--image", "nginx:1.27",
		"--port", "80", "--cpu", "512", "--memory", "1024", "--no-wait"}, acct...)...)
	if code != 0 {
		t.Fatalf("fargate launch: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"account: the AWS-compatible endpoint " + m.URL, "[4/11] task-definition", "done     api:1",
		"[8/11] service", "created arn:aws:ecs:us-east-1:123456789012:service/deckhand-api/api", "wait", "skipped  --no-wait"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("fargate progress lacks %q:\n%s", want, stderr)
		}
	}
	if stdout != "" {
		t.Errorf("--no-wait printed a URL: %q", stdout)
	}

	// An image in the account's ECR: the instance gets the instance
	// profile it logs in to ECR with.
	code, _, stderr = deckhand(t, append([]string{"launch", "--name", "api", "--target", "ec2", "--image",
		"123456789012.dkr.ecr.us-east-1.amazonaws.com/deckhand/api:v1", "--port", "80", "--ssh-cidr", "203.0.113.7/32", "--no-wait"}, acct...)...)
	if code != 0 {
		t.Fatalf("ec2 launch: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"instance-role", "created arn:aws:iam::123456789012:instance-profile/deckhand/deckhand-api-ec2",
		"key-pair", "created deckhand-api; its private key is in " + home + "/.ssh/deckhand-api.pem", "ssh -i ", "Host deckhand-api"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("ec2 progress lacks %q:\n%s", want, stderr)
		}
	}

	code, stdout, stderr = deckhand(t, append([]string{"destroy", "--name", "api", "--target", "fargate", "--dry-run"}, acct...)...)
	if code != 0 {
		t.Fatalf("destroy --dry-run: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"Destroy of stack \"api\" on AWS (everything tagged deckhand:stack=api)", "delete service api",
		"delete instance i-", "delete cluster deckhand-api", "delete role deckhand-api-exec", "$ aws ec2 terminate-instances",
		"delete instance-profile deckhand-api-ec2", "$ aws iam remove-role-from-instance-profile --instance-profile-name deckhand-api-ec2 --role-name deckhand-api-ec2"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("destroy plan lacks %q:\n%s", want, stdout)
		}
	}
	code, _, stderr = deckhand(t, append([]string{"destroy", "--name", "api", "--target", "ec2"}, acct...)...)
	if code != 0 {
		t.Fatalf("destroy: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr = deckhand(t, append([]string{"destroy", "--name", "api", "--target", "ec2", "--dry-run"}, acct...)...)
	if code != 0 {
		t.Fatalf("second destroy --dry-run: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "nothing to do") {
		t.Errorf("left after destroy:\n%s", stdout)
	}
}

// TestCLIFargateOnSandbox is the whole journey through the binary on the
// sandbox account and the real engine: an empty directory is scaffolded,
// built from the local Python base image, "pushed" to the sandbox's ECR,
// deployed as a Fargate service whose task runs on the engine, and its URL
// answers with the welcome text; destroy then removes every AWS resource.
func TestCLIFargateOnSandbox(t *testing.T) {
	c := testbed.Docker(t)
	const base = "deckhand/python-base:bookworm"
	if _, err := c.ImageInspect(context.Background(), base); err != nil {
		testbed.Missing(t, "the image "+base, "build it with scripts/python-base-image (the README's test command does so as root)")
	}
	binary(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data")) // the sandbox account's file
	name := "sbx" + randomHex()
	dir := filepath.Join(home, "svc")
	acct := []string{"--sandbox", "--sandbox-speed", "20", "--docker-host", c.DaemonHost()}
	t.Cleanup(func() {
		deckhand(t, append([]string{"destroy", "--name", name, "--target", "fargate"}, acct...)...)
		deckhand(t, "destroy", "--name", name, "--target", "local", "--docker-host", c.DaemonHost())
	})

	code, stdout, stderr := deckhand(t, append([]string{"launch", "--name", name, "--target", "fargate", "--scaffold", "--base-image", base, dir}, acct...)...)
	if code != 0 {
		t.Fatalf("launch: exit %d\n%s", code, stderr)
	}
	url := strings.TrimSpace(stdout)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("URL %q\n%s", url, stderr)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := scaffold.WelcomeText(name); resp.StatusCode != 200 || !strings.Contains(string(body), want) {
		t.Errorf("GET %s: %d %q, want %q", url, resp.StatusCode, body, want)
	}
	for _, want := range []string{"account: the sandbox account", "health check: python3 urllib on /health", "running, healthy", "done     " + url} {
		if !strings.Contains(stderr, want) {
			t.Errorf("progress lacks %q:\n%s", want, stderr)
		}
	}

	code, _, stderr = deckhand(t, append([]string{"destroy", "--name", name, "--target", "fargate"}, acct...)...)
	if code != 0 {
		t.Fatalf("destroy: exit %d\n%s", code, stderr)
	}
	code, stdout, _ = deckhand(t, append([]string{"destroy", "--name", name, "--target", "fargate", "--dry-run"}, acct...)...)
	if code != 0 || !strings.Contains(stdout, "nothing to do") {
		t.Errorf("left after destroy (exit %d):\n%s", code, stdout)
	}
	if _, err := http.Get(url); err == nil {
		t.Errorf("%s still answers after destroy", url)
	}
}

// TestCLIEC2OnSandbox: the EC2 journey from an empty directory through the
// binary on the sandbox and the real engine: scaffolded, built from the
// local Python base image, "pushed" to the sandbox's ECR, an instance role
// and profile, an instance up to its status checks, whose user data's
// container the sandbox runs on the local engine: the HTTP check GETs it on
// 127.0.0.1 and that URL is printed; destroy removes everything.
func TestCLIEC2OnSandbox(t *testing.T) {
	c := testbed.Docker(t)
	const base = "deckhand/python-base:bookworm"
	if _, err := c.ImageInspect(context.Background(), base); err != nil {
		testbed.Missing(t, "the image "+base, "build it with scripts/python-base-image (the README's test command does so as root)")
	}
	binary(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	name := "vm" + randomHex()
	dir := filepath.Join(home, "svc")
	acct := []string{"--sandbox", "--sandbox-speed", "50", "--docker-host", c.DaemonHost()}
	t.Cleanup(func() {
		deckhand(t, append([]string{"destroy", "--name", name, "--target", "ec2"}, acct...)...)
		deckhand(t, "destroy", "--name", name, "--target", "local", "--docker-host", c.DaemonHost())
	})

	code, stdout, stderr := deckhand(t, append([]string{"launch", "--name", name, "--target", "ec2", "--scaffold", "--base-image", base,
		"--ssh-cidr", "203.0.113.7/32", dir}, acct...)...)
	if code != 0 {
		t.Fatalf("launch: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"account: the sandbox account", "[2/16] build", "nothing to upload",
		"[6/16] instance-role", "created arn:aws:iam::000000000000:instance-profile/deckhand/deckhand-" + name + "-ec2",
		"status checks ok", "answers HTTP 200", "ssh -i "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("progress lacks %q:\n%s", want, stderr)
		}
	}
	url := strings.TrimSpace(stdout)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("URL %q\n%s", url, stderr)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := scaffold.WelcomeText(name); resp.StatusCode != 200 || !strings.Contains(string(body), want) {
		t.Errorf("GET %s: %d %q, want %q", url, resp.StatusCode, body, want)
	}

	code, _, stderr = deckhand(t, append([]string{"destroy", "--name", name, "--target", "ec2"}, acct...)...)
	if code != 0 {
		t.Fatalf("destroy: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "delete instance-profile deckhand-"+name+"-ec2") {
		t.Errorf("destroy progress lacks the instance profile:\n%s", stderr)
	}
	code, stdout, _ = deckhand(t, append([]string{"destroy", "--name", name, "--target", "ec2", "--dry-run"}, acct...)...)
	if code != 0 || !strings.Contains(stdout, "nothing to do") {
		t.Errorf("left after destroy (exit %d):\n%s", code, stdout)
	}
	if _, err := http.Get(url); err == nil {
		t.Errorf("%s still answers after destroy", url)
	}
}

func randomHex() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}
