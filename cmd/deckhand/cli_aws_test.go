package main

import (
	"strings"
	"testing"

	"deckhand/internal/testbed"
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

	code, _, stderr = deckhand(t, append([]string{"launch", "--name", "api", "--target", "ec2", "--image", "nginx:1.27", "--port", "80",
		"--ssh-cidr", "203.0.113.7/32", "--no-wait"}, acct...)...)
	if code != 0 {
		t.Fatalf("ec2 launch: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"key-pair", "created deckhand-api; its private key is in " + home + "/.ssh/deckhand-api.pem", "ssh -i ", "Host deckhand-api"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("ec2 progress lacks %q:\n%s", want, stderr)
		}
	}

	code, stdout, stderr = deckhand(t, append([]string{"destroy", "--name", "api", "--target", "fargate", "--dry-run"}, acct...)...)
	if code != 0 {
		t.Fatalf("destroy --dry-run: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"Destroy of stack \"api\" on AWS (everything tagged deckhand:stack=api)", "delete service api",
		"delete instance i-", "delete cluster deckhand-api", "delete role deckhand-api-exec", "$ aws ec2 terminate-instances"} {
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
