package doctor

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// The checks the sandbox scenarios do not reach, over the plain values
// AWS reports (stop reasons and status checks as ECS and EC2 word them).

func TestPullClassification(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		reason string
		want   string
	}{
		{"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/app:v9: docker.io/library/app:v9: not found", "image-missing"},
		{"CannotPullContainerError: ref pull has been retried 5 time(s): failed to copy: httpReadSeeker: failed open: unexpected status code https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/app/manifests/sha256:…: 403 Forbidden", "exec-role-ecr"},
		{"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1: failed to do request: Head \"https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/app/manifests/v1\": dial tcp 52.1.2.3:443: i/o timeout", "no-route"},
		{"ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User is not authorized to perform: logs:CreateLogStream", "exec-role-ecr"},
		{"ResourceInitializationError: failed to validate logger args: : signal: killed; ResourceNotFoundException: The specified log group does not exist.", "exec-role-logs"},
		{"Essential container in task exited", ""},
	} {
		t.Run(c.want+" "+c.reason[:20], func(t *testing.T) {
			in := ServiceInput{Cluster: "c", Service: resource.Service{Name: "s", Desired: 1}, Now: t0.Add(time.Minute), CLI: plainCLI,
				Tasks: []resource.Task{{ID: "t1", LastStatus: "STOPPED", StopCode: "TaskFailedToStart", StoppedReason: c.reason, StoppedAt: t0,
					Containers: []resource.Container{{Name: "app", Image: "app:v9"}}}}}
			var got []string
			for _, f := range checkPull(&in) {
				got = append(got, f.Check)
			}
			want := []string{c.want}
			if c.want == "" {
				want = nil
			}
			if !slices.Equal(got, want) {
				t.Errorf("checkPull = %v, want %v", got, want)
			}
		})
	}
}

func TestStatusChecks(t *testing.T) {
	for _, c := range []struct {
		name         string
		system, inst string
		summary      string
		want         []string
	}{
		{"both ok", "ok", "ok", "ok", nil},
		{"system impaired", "impaired", "ok", "impaired", []string{"system-check"}},
		{"instance impaired", "ok", "impaired", "impaired", []string{"instance-check"}},
		{"only the summary known", "", "", "impaired", []string{"instance-check"}},
		{"initializing", "initializing", "initializing", "initializing", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := InstanceInput{CLI: plainCLI, Instance: resource.Instance{ID: "i-1", State: "running", PublicIP: "54.1.2.3",
				SystemCheck: c.system, InstanceCheck: c.inst, StatusCheck: c.summary}}
			r := Instance(in, nil)
			if got := r.Causes(); !slices.Equal(got, c.want) {
				t.Errorf("causes = %v, want %v", got, c.want)
			}
		})
	}
}

func TestUserDataFromConsole(t *testing.T) {
	console := "[   10.1] cloud-init[812]: Cloud-init v. 23.4 running 'modules:final'\n" +
		"[   12.3] cloud-init[812]: docker: Error response from daemon: pull access denied for app, repository does not exist.\n" +
		"[   12.4] cloud-init[812]: 2026-03-02 09:00:12,345 - cc_scripts_user.py[WARNING]: Failed to run module scripts-user (scripts in /var/lib/cloud/instance/scripts)\n" +
		"[   12.5] cloud-init[812]: Cloud-init v. 23.4 finished\n"
	got := UserDataFromConsole(console)
	if len(got) != 2 || !strings.Contains(got[0], "pull access denied") || !strings.Contains(got[1], "Failed to run module scripts-user") {
		t.Errorf("UserDataFromConsole = %q", got)
	}
	in := InstanceInput{CLI: plainCLI, Console: console, Instance: resource.Instance{ID: "i-1", State: "running", PublicIP: "54.1.2.3"}}
	if got := Instance(in, nil).Causes(); !slices.Equal(got, []string{"user-data"}) {
		t.Errorf("causes = %v", got)
	}
	if UserDataFromConsole("all fine\n") != nil {
		t.Error("a clean console output has failures")
	}
}

func TestAppPortAndRules(t *testing.T) {
	for _, c := range []struct {
		line string
		want int32
	}{
		{" * Running on http://0.0.0.0:5000", 5000},
		{"Listening on port 3000", 3000},
		{"INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)", 8000},
		{"server started", 0},
	} {
		if got, _ := appPort([]string{c.line}); got != c.want {
			t.Errorf("appPort(%q) = %d, want %d", c.line, got, c.want)
		}
	}
	from := mustPrefix(t, "203.0.113.7/32")
	for _, c := range []struct {
		rule cloud.IngressRule
		want bool
	}{
		{cloud.IngressRule{Port: 22, CIDR: "0.0.0.0/0"}, true},
		{cloud.IngressRule{Port: 22, CIDR: "203.0.113.0/24"}, true},
		{cloud.IngressRule{Port: 22, CIDR: "198.51.100.0/24"}, false},
		{cloud.IngressRule{Port: 80, CIDR: "0.0.0.0/0"}, false},
		{cloud.IngressRule{Port: 22, SourceGroupID: "sg-1"}, false},
		{cloud.IngressRule{Port: 22, Protocol: "udp", CIDR: "0.0.0.0/0"}, false},
	} {
		if got := covers(c.rule, 22, from); got != c.want {
			t.Errorf("covers(%+v) = %v, want %v", c.rule, got, c.want)
		}
	}
}

func mustPrefix(t *testing.T, s string) netip.Prefix {
	t.Helper()
	p, err := netip.ParsePrefix(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEventsAfterTasksAreGone: an hour on, ECS no longer lists the tasks
// it stopped for failing health checks, but the service's events still
// say so: the doctor names it, as likely, from them.
func TestEventsAfterTasksAreGone(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		event, want string
	}{
		{"(service web) (task 1234) failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/tg/1)", "target-health"},
		{"(service web) (task 1234) failed container health checks.", "container-health"},
		{"(service web) has reached a steady state.", ""},
	} {
		in := ServiceInput{Cluster: "c", Now: t0.Add(2 * time.Hour), CLI: plainCLI, Service: resource.Service{Name: "web", Desired: 1, Running: 1,
			Events: []resource.ServiceEvent{{At: t0, Message: c.event}}}}
		r := Service(in, nil)
		var want []string
		if c.want != "" {
			want = []string{c.want}
		}
		if got := r.Causes(); !slices.Equal(got, want) {
			t.Errorf("%q: causes = %v, want %v", c.event, got, want)
		}
		if c.want != "" && r.Findings[0].Certainty != Likely {
			t.Errorf("%q: certainty %s, want likely", c.event, r.Findings[0].Certainty)
		}
	}
}

// TestStarting: a service whose only task is still PENDING, with nothing
// stopped, is said to be starting, not failing.
func TestStarting(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	in := ServiceInput{Cluster: "c", Now: t0.Add(20 * time.Second), CLI: plainCLI, Service: resource.Service{Name: "web", Desired: 1},
		Tasks: []resource.Task{{ID: "t1", LastStatus: "PENDING", DesiredStatus: "RUNNING", CreatedAt: t0}}}
	r := Service(in, nil)
	if len(r.Causes()) != 0 || len(r.Findings) != 1 || r.Findings[0].Check != "starting" {
		t.Fatalf("report: %v", r.Text(time.UTC))
	}
}

// TestCauseGone: a failed deployment whose stopped tasks ECS has
// forgotten says so first, with the way to see the cause again.
func TestCauseGone(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	in := ServiceInput{Cluster: "c", Now: t0.Add(2 * time.Hour), CLI: plainCLI, Service: resource.Service{Name: "w", Desired: 2, Rollout: "FAILED",
		Rollouts: []resource.Deployment{{ID: "ecs-svc/1", Status: "PRIMARY", Rollout: "FAILED", Failed: 3, RolloutReason: "ECS deployment circuit breaker: tasks failed to start.", UpdatedAt: t0}}}}
	r := Service(in, nil)
	if r.Healthy || len(r.Findings) == 0 || r.Findings[0].Check != "cause-gone" || len(r.Causes()) != 0 {
		t.Fatalf("report: %v", r.Text(time.UTC))
	}
}

// TestStuckDeployment: a rollout that keeps the old tasks, by what the
// service's deployment configuration allows and how long it has taken.
func TestStuckDeployment(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	rollouts := []resource.Deployment{
		{ID: "ecs-svc/2", Status: "PRIMARY", TaskDefinition: "arn:td/web:2", Rollout: "IN_PROGRESS", Desired: 2, Running: 0, CreatedAt: t0},
		{ID: "ecs-svc/1", Status: "ACTIVE", TaskDefinition: "arn:td/web:1", Rollout: "COMPLETED", Desired: 2, Running: 2, CreatedAt: t0.Add(-time.Hour)},
	}
	for _, tc := range []struct {
		name      string
		cfg       resource.DeploymentConfig
		after     time.Duration
		certainty Certainty // "" = no finding
	}{
		{"no room at once", resource.DeploymentConfig{MinHealthy: 100, MaxPercent: 100}, time.Minute, Certain},
		{"defaults, early", resource.DeploymentConfig{MinHealthy: 100, MaxPercent: 200}, time.Minute, ""},
		{"defaults, long", resource.DeploymentConfig{MinHealthy: 100, MaxPercent: 200}, 20 * time.Minute, Likely},
		{"not reported, long", resource.DeploymentConfig{}, 20 * time.Minute, Likely},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ServiceInput{Cluster: "c", Now: t0.Add(tc.after), CLI: plainCLI,
				Service: resource.Service{Name: "web", Desired: 2, Running: 2, Rollouts: rollouts, Config: tc.cfg}}
			fs := checkStuck(&in)
			var got Certainty
			if len(fs) == 1 {
				got = fs[0].Certainty
			}
			if len(fs) > 1 || got != tc.certainty {
				t.Fatalf("findings %+v, want one with certainty %q", fs, tc.certainty)
			}
			if tc.certainty == Certain && !strings.Contains(fs[0].Fix.CLI, "maximumPercent=200") {
				t.Errorf("fix %q, want maximumPercent=200", fs[0].Fix.CLI)
			}
		})
	}
}
