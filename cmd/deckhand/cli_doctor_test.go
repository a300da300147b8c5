package main

import (
	"strings"
	"testing"
	"time"
)

// TestCLIDoctor runs the headless doctor and the scenario seeding as a
// script would, on a sandbox account in a temporary directory at a fast
// clock: a seeded failure exits 1 and names its cause, a healthy service
// exits 0, bad arguments exit 2 before the account is opened.
func TestCLIDoctor(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	code, handled, out, errs := cli("sandbox", "seed", "image-missing", "--sandbox", "--sandbox-speed", "1000")
	if !handled || code != 0 || !strings.Contains(out, "deckhand doctor service doctor/image-missing --sandbox") {
		t.Fatalf("sandbox seed = %d %v\nstdout %s\nstderr %s", code, handled, out, errs)
	}
	time.Sleep(time.Second) // its delays are divided by 1000: a second is minutes of the sandbox's time
	for _, c := range []struct {
		name string
		args []string
		code int
		out  []string // in stdout, or stderr when code is 2
	}{
		{"seeded failure", []string{"doctor", "service", "doctor/image-missing", "--sandbox", "--sandbox-speed", "1000"}, 1,
			[]string{"✗ service doctor/image-missing", "[certain, cause; image-missing]", "aws ecr describe-images --repository-name doctor-never-pushed --image-ids imageTag=v1 --region us-east-1"}},
		{"healthy", []string{"doctor", "service", "demo/web", "--sandbox", "--sandbox-speed", "1000"}, 0, []string{"✓ service demo/web: Healthy"}},
		{"stopped instance", []string{"doctor", "instance", "batch", "--sandbox", "--sandbox-speed", "1000", "--from", "127.0.0.1/32"}, 1,
			[]string{"it is stopped, not running", "aws ec2 start-instances"}},
		{"not CLUSTER/NAME", []string{"doctor", "service", "web", "--sandbox"}, 2, []string{`service "web": give it as CLUSTER/NAME`}},
		{"unknown kind", []string{"doctor", "cluster", "demo", "--sandbox"}, 2, []string{`not "cluster"`}},
		{"bad --from", []string{"doctor", "instance", "batch", "--from", "me", "--sandbox"}, 2, []string{`--from "me" is not a CIDR`}},
		{"no such service", []string{"doctor", "service", "demo/nope", "--sandbox"}, 2, []string{"service nope in cluster demo not found"}},
		{"unknown scenario", []string{"sandbox", "seed", "meteor", "--sandbox"}, 2, []string{`no scenario "meteor"`, "image-missing, exec-role-no-ecr"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, out, errs := cli(c.args...)
			where := out
			if c.code == 2 {
				where = errs
			}
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, c.code, out, errs)
			}
			for _, w := range c.out {
				if !strings.Contains(where, w) {
					t.Errorf("lacks %q:\nstdout %s\nstderr %s", w, out, errs)
				}
			}
		})
	}
}
