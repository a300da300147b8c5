package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDestroyCommand: the cleanup hint names the target and the account
// the launch used, so the command finds what was made.
func TestDestroyCommand(t *testing.T) {
	tests := []struct {
		name string
		f    launchFlags
		be   *awsBackend
		want string
	}{
		{"sandbox", launchFlags{name: "web", target: "fargate"}, &awsBackend{sandbox: true, region: "us-east-1"},
			"deckhand destroy --name web --target fargate --sandbox --region us-east-1"},
		{"a profile", launchFlags{name: "web", target: "ec2", awsFlags: awsFlags{profile: "prod"}}, &awsBackend{region: "eu-west-1"},
			"deckhand destroy --name web --target ec2 --profile prod --region eu-west-1"},
		{"moto", launchFlags{name: "web", target: "fargate"}, &awsBackend{endpoint: "http://127.0.0.1:5000", region: "us-east-1"},
			"deckhand destroy --name web --target fargate --endpoint-url http://127.0.0.1:5000 --region us-east-1"},
		{"local", launchFlags{name: "web", target: "local"}, nil, "deckhand destroy --name web --target local"},
	}
	for _, tc := range tests {
		if got := destroyCommand(tc.f, tc.be); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestFailedLaunchHintRemovesIt: a Fargate launch on the sandbox whose
// image cannot be pulled fails after creating its resources; the printed
// command, run as printed, removes them (before, the hint looked at the
// local target and answered "nothing to remove").
func TestFailedLaunchHintRemovesIt(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	name := "hint" + randomHex()
	code, _, stderr := deckhand(t, "launch", "--name", name, "--target", "fargate", "--sandbox", "--sandbox-speed", "100",
		"--image", "000000000000.dkr.ecr.us-east-1.amazonaws.com/no-such-repo:1", "--timeout", "30s")
	if code == 0 {
		t.Fatalf("launch succeeded:\n%s", stderr)
	}
	_, hint, ok := strings.Cut(stderr, "remove it with: ")
	if !ok {
		t.Fatalf("no cleanup hint:\n%s", stderr)
	}
	hint, _, _ = strings.Cut(hint, "\n")
	args := strings.Fields(hint)
	if len(args) < 2 || args[0] != "deckhand" || !strings.Contains(hint, "--sandbox") || !strings.Contains(hint, "--target fargate") {
		t.Fatalf("hint %q", hint)
	}
	code, _, out := deckhand(t, append(args[1:], "--sandbox-speed", "100")...)
	if code != 0 || strings.Contains(out, "nothing to remove") {
		t.Fatalf("%s: exit %d\n%s", hint, code, out)
	}
}
