package doctor_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/aws/sandbox"
	"deckhand/dockerops"
	"deckhand/internal/doctor"
	"deckhand/internal/testbed"
)

// TestScenarios seeds each sandbox failure scenario in a fresh account,
// lets the sandbox's time run, and runs the doctor on what it made: the
// scenario's cause must come first, and no other cause may be named. The
// user data scenario needs the local Docker engine (the sandbox runs an
// instance's docker runs there).
func TestScenarios(t *testing.T) {
	for _, c := range []struct {
		scenario string
		wait     time.Duration
		want     string   // the first (and only) cause
		evidence []string // in the report's text
	}{
		{"image-missing", 5 * time.Minute, "image-missing", []string{"doctor-never-pushed:v1", "aws ecr describe-images --repository-name doctor-never-pushed --image-ids imageTag=v1"}},
		{"exec-role-no-ecr", 5 * time.Minute, "exec-role-ecr", []string{"ecr:GetAuthorizationToken", "execution role arn:aws:iam::000000000000:role/doctor-exec-no-ecr",
			"aws iam attach-role-policy --role-name doctor-exec-no-ecr --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"}},
		{"app-crash", 5 * time.Minute, "app-crash", []string{"exited with code 1", "log: KeyError: 'DATABASE_URL'"}},
		{"health-check-failing", 5 * time.Minute, "container-health", []string{"Task failed container health checks", "curl -f http://localhost/does-not-exist"}},
		{"port-mismatch", 10 * time.Minute, "port-mismatch", []string{"the app listens on port 5000", "Running on http://0.0.0.0:5000", "follows from it; target-health"}},
		{"sg-blocks-lb", 10 * time.Minute, "sg-blocks-lb", []string{"[certain, cause; sg-blocks-lb]", "Task failed ELB health checks", "tcp 22 from 10.0.0.0/8", "aws ec2 authorize-security-group-ingress"}},
		{"user-data-fails", 3 * time.Minute, "user-data", []string{"its user data failed", "doctor-never-pushed:v1", "manifest unknown"}},
	} {
		t.Run(c.scenario, func(t *testing.T) {
			if _, ok := sandbox.ScenarioNamed(c.scenario); !ok {
				t.Fatalf("no scenario %s", c.scenario)
			}
			clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
			o := sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Clock: clk}
			if c.scenario == "user-data-fails" {
				d := testbed.Docker(t)
				e, err := dockerops.New(dockerops.Options{Host: d.DaemonHost()})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { e.Close() })
				o.Docker = e
			}
			a, err := sandbox.Open(o)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			ctx := context.Background()
			made, err := a.SeedScenario(ctx, c.scenario)
			if err != nil {
				t.Fatal(err)
			}
			var r doctor.Report
			for waited := time.Duration(0); waited <= c.wait; waited += 30 * time.Second {
				clk.Advance(30 * time.Second)
				_ = a.Flush(ctx) // the engine's work, for the instance's user data
			}
			if cluster, name, ok := strings.Cut(made, "/"); ok {
				r = diagnose(t, a, clk, cluster, name)
			} else {
				in, unread, err := doctor.GatherInstance(ctx, a, made, "127.0.0.1/32", []int32{8080}, t.TempDir(), clk.Now())
				if err != nil {
					t.Fatal(err)
				}
				r = doctor.Instance(in, unread)
			}
			text := strings.Join(r.Text(time.UTC), "\n")
			if got := r.Causes(); !slices.Equal(got, []string{c.want}) {
				t.Fatalf("causes = %v, want [%s]\n%s", got, c.want, text)
			}
			for _, w := range c.evidence {
				if !strings.Contains(text, w) {
					t.Errorf("report lacks %q:\n%s", w, text)
				}
			}
			if testing.Verbose() {
				t.Log(text)
			}
		})
	}
}
