package tui

import (
	"github.com/charmbracelet/x/ansi"

	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

// The launch pages at model level: the wizard, the review and the
// checklist, with a fake planner whose steps record whether they ran, and
// launch.Event messages fed directly as Execute would send them.

func TestWizardValidation(t *testing.T) {
	m, fp, _ := launchModel(t, 120, 40, false)
	press(m, "L")
	mustContain(t, screen(m), "instances › launch", "Launch a service", "Stack name", "Target", "[local]", "Directory", "Scaffold if empty", "[x] yes", "Port", "host port on 127.0.0.1; empty = any free port")
	typeText(m, "Web")
	press(m, "tab")
	s := screen(m)
	mustContain(t, s, `✗ stack name "Web" must start with a lowercase letter`, `e.g. "web"`, "> Target")
	// Down to the port: target, deploy, directory, scaffold, base image, port.
	press(m, "down", "down", "down", "down", "down")
	typeText(m, "70000")
	press(m, "up")
	mustContain(t, screen(m), "✗ port 70000 is out of range: use 1–65535, or leave it empty to let the target choose", "> Base image")
	press(m, "down", "ctrl+u")
	typeText(m, "80x")
	if cmd := press(m, "enter"); cmd != nil {
		t.Fatal("enter on an invalid form started planning")
	}
	s = screen(m)
	// Every field is checked on submit; the first refused one is focused
	// and nothing typed is lost.
	mustContain(t, s, `✗ port "80x" is not a number`, `✗ stack name "Web"`, "> Stack name", "Web", "80x")
	if len(fp.requests) != 0 {
		t.Fatalf("planned %v from an invalid form", fp.requests)
	}
	// Leaving and coming back keeps the values.
	press(m, "esc")
	mustNotContain(t, screen(m), "Launch a service")
	press(m, "L")
	mustContain(t, screen(m), "Web", "80x")

	press(m, "ctrl+u")
	typeText(m, "web")
	press(m, "up") // wraps to the port
	press(m, "backspace")
	do(m, press(m, "enter"))
	if len(fp.requests) != 1 {
		t.Fatalf("requests = %v", fp.requests)
	}
	want := launch.Request{Stack: "web", Target: "local", Dir: ".", Scaffold: true, Port: 80}
	if got := fp.requests[0]; got != want {
		t.Fatalf("request = %+v, want %+v", got, want)
	}
	mustContain(t, screen(m), "instances › launch › review")
}

func TestWizardImageTargetAndSpaces(t *testing.T) {
	m, fp, _ := launchModel(t, 120, 40, false)
	fillWizard(m, "web")
	press(m, "tab", "right") // target: fargate
	mustContain(t, screen(m), "[fargate]", "the app's port, opened in the security group")
	press(m, "tab", "right") // deploy: an existing image
	s := screen(m)
	mustContain(t, s, "[an existing image]", "Image")
	mustNotContain(t, s, "Directory", "Base image", "Scaffold if empty")
	press(m, "enter")
	mustContain(t, screen(m), "✗ image is empty: give an image on this machine", "> Image")
	typeText(m, "my app:1")
	press(m, "enter")
	mustContain(t, screen(m), `✗ image "my app:1" has spaces`)
	press(m, "ctrl+u")
	typeText(m, "deckhand/web:latest")
	do(m, press(m, "enter"))
	// The planner refuses the target: the error is shown at the target.
	mustContain(t, screen(m), "✗ target fargate is not available yet in this build", "> Target")
	if got := fp.requests[0]; got.Image != "deckhand/web:latest" || got.Dir != "" || got.Scaffold || got.Target != "fargate" {
		t.Fatalf("request = %+v", got)
	}
	press(m, "left") // back to local; the error goes with the choice
	mustNotContain(t, screen(m), "not available yet")
	do(m, press(m, "enter"))
	mustContain(t, screen(m), "Plan: launch web on local")
}

func TestReviewShowsThePlanAndDefaultsToNo(t *testing.T) {
	m, fp, _ := launchModel(t, 200, 50, false)
	toReview(t, m, "web")
	s := screen(m)
	var plan strings.Builder
	launch.WritePlan(&plan, "", fp.steps("web"))
	for _, l := range strings.Split(strings.TrimRight(plan.String(), "\n"), "\n") {
		mustContain(t, s, l) // exactly what --dry-run prints
	}
	mustContain(t, s, "Launch web on local?", "[ No ]", "Launch", "y yes")
	if cmd := press(m, "enter"); cmd != nil {
		t.Fatal("enter on the default No started something")
	}
	s = screen(m)
	mustContain(t, s, "launch cancelled: nothing was created or changed", "Launch a service", "web")
	if fp.ran || m.lr != nil {
		t.Fatal("a step ran after No")
	}
	// n and esc say no too; → then enter says yes.
	do(m, press(m, "enter"))
	press(m, "n")
	mustContain(t, screen(m), "Launch a service")
	do(m, press(m, "enter"))
	press(m, "esc")
	mustContain(t, screen(m), "Launch a service")
	do(m, press(m, "enter"))
	press(m, "right")
	mustContain(t, screen(m), "[ Launch ]")
	if cmd := press(m, "enter"); cmd == nil || m.lr == nil {
		t.Fatal("enter on Launch did not start the run")
	}
	mustContain(t, screen(m), "instances › launch web", "· 1/4 scaffold")
}

func TestReviewScrolls(t *testing.T) {
	m, _, _ := launchModel(t, 80, 16, false)
	toReview(t, m, "web")
	mustContain(t, screen(m), "↓ more below", "[ No ]")
	press(m, "G")
	s := screen(m)
	mustContain(t, s, "4. wait", "[ No ]")
	mustNotContain(t, s, "1. scaffold")
}

func TestReadonlyBlocksLaunchAndDestroy(t *testing.T) {
	m, fp, _ := launchModel(t, 120, 30, true)
	press(m, "L")
	mustContain(t, screen(m), "read-only mode (--readonly): launch is disabled")
	press(m, ":")
	typeText(m, "launch")
	press(m, "enter")
	mustContain(t, screen(m), "read-only mode (--readonly): launch is disabled")
	press(m, ":")
	typeText(m, "destroy web")
	press(m, "enter")
	mustContain(t, screen(m), "read-only mode (--readonly): destroy is disabled")
	mustNotContain(t, screen(m), "Launch a service")
	if len(fp.requests)+len(fp.destroys) != 0 {
		t.Fatal("the planner was asked under --readonly")
	}
}

func TestDestroyReview(t *testing.T) {
	m, fp, _ := launchModel(t, 120, 30, false)
	command := func(s string) tea.Cmd {
		press(m, ":")
		typeText(m, s)
		return press(m, "enter")
	}
	command("destroy")
	mustContain(t, screen(m), "usage: :destroy NAME [local|fargate|ec2]")
	command("destroy Web")
	mustContain(t, screen(m), `destroy: stack name "Web" must start with a lowercase letter`)
	do(m, command("destroy empty"))
	mustContain(t, screen(m), "destroy empty: nothing to remove")
	do(m, command("destroy web"))
	s := screen(m)
	mustContain(t, s, "instances › destroy web", "Plan: destroy web on local", "delete  docker container deckhand-web",
		"$ docker rm -f deckhand-web", "Remove what launches of web created on local? This cannot be undone.", "[ No ]", "Destroy")
	press(m, "enter")
	mustContain(t, screen(m), "destroy cancelled: nothing was created or changed", "instances [3]")
	do(m, command("destroy web"))
	if cmd := press(m, "y"); cmd == nil {
		t.Fatal("y did not start the destroy")
	}
	mustContain(t, screen(m), "Destroy web on local", "· 1/2 rm deckhand-web")
	send(m, launch.Event{Step: "rm deckhand-web", Index: 1, Total: 2, State: launch.Running},
		launch.Event{Step: "rm deckhand-web", Index: 1, Total: 2, State: launch.Progress, Detail: "a passing line"},
		launch.Event{Step: "rm deckhand-web", Index: 1, Total: 2, State: launch.Note, Detail: "the private key ~/.ssh/deckhand-web.pem stays on this machine"},
		launch.Event{Step: "rm deckhand-web", Index: 1, Total: 2, State: launch.Note, Detail: "    IdentityFile ~/.ssh/deckhand-web.pem"},
		launch.Event{Step: "rm deckhand-web", Index: 1, Total: 2, State: launch.Done, Detail: "removed 0123456789ab"},
		launch.Event{Step: "rmi deckhand/web:latest", Index: 2, Total: 2, State: launch.Running},
		launch.Event{Step: "rmi deckhand/web:latest", Index: 2, Total: 2, State: launch.Done},
		runDoneMsg{})
	s = screen(m)
	mustContain(t, s, "✓ removed what launches of web created on local", "✓ 1/2 rm deckhand-web", "removed 0123456789ab", "✓ 2/2",
		"the private key ~/.ssh/deckhand-web.pem stays on this machine", "    IdentityFile ~/.ssh/deckhand-web.pem")
	mustNotContain(t, s, "a passing line") // progress passes; notes stay
	if strings.Join(fp.destroys, ",") != "empty local,web local,web local" {
		t.Fatalf("destroys = %v", fp.destroys)
	}
}

// startedRun confirms a launch of web and returns the model on its checklist.
func startedRun(t *testing.T, w, h int) (*Model, *testClock) {
	t.Helper()
	m, _, clk := launchModel(t, w, h, false)
	toReview(t, m, "web")
	press(m, "y")
	return m, clk
}

func ev(clk *testClock, i int, step string, st launch.State, detail string, elapsed time.Duration) launch.Event {
	return launch.Event{Time: clk.now(), Step: step, Index: i, Total: 4, State: st, Detail: detail, Elapsed: elapsed}
}

func TestChecklistRunningThenDone(t *testing.T) {
	m, clk := startedRun(t, 120, 30)
	mustContain(t, screen(m), "Launch web on local", "· 1/4 scaffold", "· 4/4 wait")
	send(m, ev(clk, 1, "scaffold", launch.Running, "Write…", 0))
	mustContain(t, screen(m), "▶ 1/4 scaffold")
	clk.advance(400 * time.Millisecond)
	send(m, ev(clk, 1, "scaffold", launch.Progress, "wrote hello/app.py", 0))
	mustContain(t, screen(m), "wrote hello/app.py")
	send(m, ev(clk, 1, "scaffold", launch.Done, "5 files in ./hello", 400*time.Millisecond))
	send(m, ev(clk, 2, "build", launch.Running, "", 0))
	clk.advance(42 * time.Second)
	send(m, ev(clk, 2, "build", launch.Progress, "Step 3/9 : RUN pip install flask", 0))
	s := screen(m)
	mustContain(t, s, "✓ 1/4 scaffold", "5 files in ./hello", "0.4s", "▶ 2/4 build", "Step 3/9 : RUN pip install flask", "42s",
		"running step 2/4 build, 42s")
	// A tick redraws the elapsed times, and schedules the next one.
	clk.advance(time.Second)
	if cmd := send(m, runTickMsg{}); cmd == nil {
		t.Fatal("no next tick while the run is in progress")
	}
	mustContain(t, screen(m), "43s")
	send(m, ev(clk, 2, "build", launch.Done, "deckhand/web:latest 1a2b3c4d5e6f", 43*time.Second))
	send(m, ev(clk, 3, "run", launch.Running, "", 0), ev(clk, 3, "run", launch.Done, "", time.Second))
	send(m, ev(clk, 4, "wait", launch.Running, "", 0), ev(clk, 4, "wait", launch.Done, "", 2*time.Second))
	clk.advance(3 * time.Second)
	send(m, runDoneMsg{url: "http://127.0.0.1:49153/"})
	s = screen(m)
	mustContain(t, s, "✓ web is running at http://127.0.0.1:49153/", "done in 46s", "✓ 4/4 wait", "total 46s")
	// Nothing ticks once the run is over.
	if cmd := send(m, runTickMsg{}); cmd != nil {
		t.Fatal("a tick was scheduled after the run ended")
	}
}

// awsErr is an API error as the SDK adapter returns them.
var awsErr = &cloud.Error{Service: "ecs", Operation: "DescribeTasks", Code: "CannotPullContainerError",
	Message: "pull image manifest has been retried 5 time(s)"}

func failRun(m *Model, clk *testClock) {
	send(m, ev(clk, 1, "scaffold", launch.Running, "", 0), ev(clk, 1, "scaffold", launch.Skipped, "./hello already has a Dockerfile", 0))
	send(m, ev(clk, 2, "build", launch.Running, "", 0))
	clk.advance(4 * time.Second)
	send(m, ev(clk, 2, "build", launch.Done, "deckhand/web:latest", 4*time.Second))
	send(m, ev(clk, 3, "run", launch.Running, "", 0))
	clk.advance(2 * time.Second)
	err := errors.New("the app did not answer\nTraceback (most recent call last):\nModuleNotFoundError: No module named 'flask'")
	send(m, ev(clk, 3, "run", launch.Failed, "the app did not answer", 2*time.Second))
	send(m, runDoneMsg{err: &launch.StepError{Step: "run", Index: 3, Total: 4, Err: errors.Join(err, awsErr),
		Hint: "the app stopped on start; its log lines above usually say why",
		Created: []launch.Resource{{Action: "create", Kind: "docker image", Name: "deckhand/web:latest"},
			{Action: "create", Kind: "docker container", Name: "deckhand-web"}}}})
}

func TestChecklistFailureExplains(t *testing.T) {
	m, clk := startedRun(t, 120, 40)
	failRun(m, clk)
	s := screen(m)
	mustContain(t, s, "failed after 6.0s", "– 1/4 scaffold", "skipped: ./hello already has a Dockerfile",
		"✓ 2/4 build", "✗ 3/4 run", "· 4/4 wait",
		"✗ step 3/4 run failed", "error      the app did not answer", "ModuleNotFoundError: No module named 'flask'",
		"code       CannotPullContainerError", "why        the app stopped on start",
		"created    docker image deckhand/web:latest, docker container deckhand-web",
		"clean up   :destroy web removes it")
}

func TestChecklistNothingCreated(t *testing.T) {
	m, clk := startedRun(t, 120, 30)
	send(m, ev(clk, 1, "scaffold", launch.Running, "", 0), ev(clk, 1, "scaffold", launch.Failed, "permission denied", 0))
	send(m, runDoneMsg{err: &launch.StepError{Step: "scaffold", Index: 1, Total: 4, Err: errors.New("permission denied")}})
	s := screen(m)
	mustContain(t, s, "created    nothing was created")
	mustNotContain(t, s, ":destroy")
}

func TestChecklistLeaveAndReturn(t *testing.T) {
	m, clk := startedRun(t, 120, 30)
	send(m, ev(clk, 1, "scaffold", launch.Running, "", 0))
	press(m, "esc")
	s := screen(m)
	mustContain(t, s, "instances [3]", "launch web: running step 1/4 scaffold", "(L shows it)")
	// One run at a time.
	press(m, ":")
	typeText(m, "destroy web")
	press(m, "enter")
	mustContain(t, screen(m), "a launch of web is running; one at a time")
	press(m, "5", "L")
	mustContain(t, screen(m), "docker › launch web", "▶ 1/4 scaffold")
	press(m, "L")
	mustContain(t, screen(m), "a launch of web is running; one at a time")
	press(m, "esc", ":")
	typeText(m, "launches")
	press(m, "enter")
	mustContain(t, screen(m), "docker › launch web")
	// The run ends while the user is elsewhere: the flash says so.
	press(m, "esc")
	send(m, runDoneMsg{url: "http://127.0.0.1:49153/"})
	mustContain(t, screen(m), "launch web done: http://127.0.0.1:49153/")
	// Once it is over, L opens a new wizard, with the last values.
	press(m, "L")
	mustContain(t, screen(m), "Launch a service", "web")
}

func TestQuitAsksWhileRunning(t *testing.T) {
	m, clk := startedRun(t, 120, 30)
	send(m, ev(clk, 1, "scaffold", launch.Running, "", 0))
	press(m, "esc")
	if cmd := press(m, "q"); cmd != nil {
		t.Fatal("q quit while a launch runs")
	}
	mustContain(t, screen(m), "Quit while the launch of web runs?", "[ No ]")
	press(m, "enter")
	mustContain(t, screen(m), "launch of web goes on")
	press(m, ":")
	typeText(m, "q")
	press(m, "enter")
	mustContain(t, screen(m), "Quit while the launch of web runs?")
	if cmd := press(m, "y"); cmd == nil || m.lr.ch == nil {
		t.Fatal("y did not quit")
	}
}

func TestChecklistCtrlCAsksToCancel(t *testing.T) {
	m, clk := startedRun(t, 120, 30)
	send(m, ev(clk, 1, "scaffold", launch.Running, "", 0))
	if cmd := press(m, "ctrl+c"); cmd != nil {
		t.Fatal("ctrl+c on a running checklist quit")
	}
	mustContain(t, screen(m), "Cancel the launch of web?", "[ No ]", "Cancel run")
	press(m, "enter")
	mustContain(t, screen(m), "launch of web goes on", "▶ 1/4 scaffold")
	if m.lr.cancelled {
		t.Fatal("No cancelled the run")
	}
	press(m, "ctrl+c", "y")
	if !m.lr.cancelled {
		t.Fatal("y did not cancel the run")
	}
	mustContain(t, screen(m), "cancelling the launch of web…")
	send(m, ev(clk, 1, "scaffold", launch.Failed, "context canceled", 0))
	send(m, runDoneMsg{err: &launch.StepError{Step: "scaffold", Index: 1, Total: 4, Err: context.Canceled}})
	mustContain(t, screen(m), "cancelled after", "✗ step 1/4 scaffold failed (cancelled)")
	// With the run over, ctrl+c quits as everywhere else.
	if cmd := press(m, "q"); cmd == nil {
		t.Fatal("q did not quit once the run was over")
	}
	if cmd := press(m, "ctrl+c"); cmd == nil {
		t.Fatal("ctrl+c did not quit once the run was over")
	}
}

func TestWizardLoadBalancerOnlyForFargate(t *testing.T) {
	m, fp, _ := launchModel(t, 120, 40, false)
	fillWizard(m, "web")
	mustNotContain(t, screen(m), "Load balancer")
	press(m, "tab", "right") // target: fargate
	mustContain(t, screen(m), "Load balancer      [ ] no  an Application Load Balancer: the URL is its DNS name")
	press(m, "tab", "tab", "tab", "tab", "tab", "tab", "right") // deploy, dir, scaffold, base, port, load balancer: yes
	mustContain(t, screen(m), "Load balancer      [x] yes")
	do(m, press(m, "enter"))
	if got := fp.requests[0]; !got.LoadBalancer || got.Target != "fargate" {
		t.Fatalf("request = %+v, want fargate with a load balancer", got)
	}
}

// TestDestroyDefaultsToTheLaunchTarget: :destroy NAME without a target
// destroys where this session launched NAME, not on local.
func TestDestroyDefaultsToTheLaunchTarget(t *testing.T) {
	m, fp, _ := launchModel(t, 120, 40, false)
	fp.cloud = true
	fillWizard(m, "web")
	press(m, "tab", "right") // target: fargate
	do(m, press(m, "enter"))
	mustContain(t, screen(m), "Plan: launch web on fargate")
	press(m, "y")
	send(m, runDoneMsg{})
	for _, c := range []string{"destroy web", "destroy other", "destroy web local"} {
		press(m, ":")
		typeText(m, c)
		do(m, press(m, "enter"))
		press(m, "esc")
	}
	if got := strings.Join(fp.destroys, ","); got != "web fargate,other local,web local" {
		t.Fatalf("destroys = %v", got)
	}
}

// TestReviewNeverCutsACommand: wrapping may end a line with the space it
// broke at, one column past the width; the review must still show every
// word of a command whole.
func TestReviewNeverCutsACommand(t *testing.T) {
	m, _, _ := launchModel(t, 80, 24, false)
	cmd := "$ aws ec2 authorize-security-group-ingress --group-id SG_ID --protocol tcp --port 22 --cidr 10.0.0.1/32"
	for indent := 0; indent < 12; indent++ {
		lines := m.planLines(&review{lines: []string{strings.Repeat(" ", indent) + cmd}}, 80)
		var words []string
		for _, l := range lines {
			if strings.Contains(l, "…") || width(l) > 80 {
				t.Errorf("indent %d: line cut: %q", indent, l)
			}
			words = append(words, strings.Fields(ansi.Strip(l))...)
		}
		if got := strings.Join(words, " "); got != cmd {
			t.Errorf("indent %d: words %q, want %q", indent, got, cmd)
		}
	}
}
