package launch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"deckhand/dockerops"
)

// recorder collects events; Execute promises they arrive one at a time,
// and the mutex lets the race detector check that promise.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) report(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// lines renders events as "step state detail" for comparison.
func (r *recorder) lines() []string {
	var out []string
	for _, e := range r.events {
		out = append(out, fmt.Sprintf("%d/%d %s %s %s", e.Index, e.Total, e.Step, e.State, e.Detail))
	}
	return out
}

func TestExecuteReportsEveryStateInOrder(t *testing.T) {
	steps := []Step{
		{Name: "one", Summary: "first", Run: func(ctx context.Context, out *Output) error {
			out.Line("working")
			out.Created(Resource{Action: "create", Kind: "thing", Name: "a"})
			out.Result("made a")
			return nil
		}},
		{Name: "two", Summary: "second", Run: func(context.Context, *Output) error { return Skip("nothing to do") }},
		{Name: "three", Summary: "third", Run: func(ctx context.Context, out *Output) error {
			// Lines from helper goroutines are serialized by Output.
			var wg sync.WaitGroup
			for i := range 4 {
				wg.Add(1)
				go func() { defer wg.Done(); out.Linef("worker %d", i) }()
			}
			wg.Wait()
			time.Sleep(20 * time.Millisecond)
			return nil
		}},
	}
	var r recorder
	if err := Execute(context.Background(), steps, r.report); err != nil {
		t.Fatal(err)
	}
	got := r.lines()
	want := []string{
		"1/3 one running first", "1/3 one progress working", "1/3 one done made a",
		"2/3 two running second", "2/3 two skipped nothing to do",
		"3/3 three running third",
	}
	if len(got) != len(want)+4+1 {
		t.Fatalf("got %d events:\n%s", len(got), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("event %d = %q, want %q", i, got[i], w)
		}
	}
	last := r.events[len(r.events)-1]
	if last.State != Done || last.Elapsed < 20*time.Millisecond {
		t.Errorf("last event %+v, want done with elapsed ≥ 20ms", last)
	}
	for _, e := range r.events {
		if e.Time.IsZero() {
			t.Errorf("event without time: %+v", e)
		}
		if e.State == Running && e.Elapsed != 0 {
			t.Errorf("running event with elapsed %v", e.Elapsed)
		}
	}
}

func TestExecuteStopsAtFailure(t *testing.T) {
	boom := errors.New("engine said no\nsecond line of detail")
	ranAfter := false
	steps := []Step{
		{Name: "make", Run: func(ctx context.Context, out *Output) error {
			out.Created(Resource{Action: "create", Kind: "docker image", Name: "deckhand/x:latest"})
			return nil
		}},
		{Name: "break", Run: func(ctx context.Context, out *Output) error {
			out.Created(Resource{Action: "create", Kind: "docker container", Name: "deckhand-x"})
			return boom
		}, Explain: func(err error) string { return "because the test said so" }},
		{Name: "never", Run: func(context.Context, *Output) error { ranAfter = true; return nil }},
	}
	var r recorder
	err := Execute(context.Background(), steps, r.report)
	var se *StepError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *StepError", err)
	}
	if ranAfter {
		t.Error("a step after the failure ran")
	}
	if se.Step != "break" || se.Index != 2 || se.Total != 3 || !errors.Is(err, boom) {
		t.Errorf("StepError = %+v", se)
	}
	if se.Hint != "because the test said so" {
		t.Errorf("hint = %q, want the step's own explanation", se.Hint)
	}
	if len(se.Created) != 2 {
		t.Errorf("created = %v, want the image and the container", se.Created)
	}
	msg := err.Error()
	for _, want := range []string{`step 2/3 "break" failed: engine said no`, "why: because the test said so",
		"created so far: docker image deckhand/x:latest, docker container deckhand-x"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	last := r.events[len(r.events)-1]
	if last.State != Failed || last.Detail != "engine said no" || !errors.Is(last.Err, boom) {
		t.Errorf("last event = %+v, want failed with the error's first line", last)
	}
}

func TestExecuteCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	steps := []Step{
		{Name: "wait", Run: func(ctx context.Context, out *Output) error {
			cancel()
			<-ctx.Done()
			return ctx.Err()
		}},
		{Name: "next", Run: func(context.Context, *Output) error { t.Error("ran after cancel"); return nil }},
	}
	err := Execute(ctx, steps, nil)
	var se *StepError
	if !errors.As(err, &se) || se.Step != "wait" || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the wait step failed with context.Canceled", err)
	}
	if !strings.Contains(err.Error(), "nothing was created") {
		t.Errorf("error %q should say nothing was created", err)
	}
}

func TestWritePlan(t *testing.T) {
	steps := []Step{
		{Name: "build", Summary: "Build x", Resources: []Resource{{"create", "docker image", "deckhand/x:latest"}},
			Commands: []string{Shell("docker", "build", "-t", "deckhand/x:latest", "my dir")}},
		{Name: "run", Summary: "Run x", Resources: []Resource{{"replace", "docker container", "deckhand-x"}},
			Commands: []string{"first\nsecond"}},
	}
	var b strings.Builder
	if err := WritePlan(&b, "Plan:", steps); err != nil {
		t.Fatal(err)
	}
	want := `Plan:
 1. build: Build x
      create   docker image deckhand/x:latest
      $ docker build -t deckhand/x:latest 'my dir'
 2. run: Run x
      replace  docker container deckhand-x
      $ first
        second
`
	if b.String() != want {
		t.Errorf("plan:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	WritePlan(&b, "", nil)
	if b.String() != "  nothing to do\n" {
		t.Errorf("empty plan = %q", b.String())
	}
}

func TestShell(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"docker", "run", "-p", "127.0.0.1:8080:5000", "deckhand/web:latest"}, "docker run -p 127.0.0.1:8080:5000 deckhand/web:latest"},
		{[]string{"echo", ""}, "echo ''"},
		{[]string{"echo", "a b"}, "echo 'a b'"},
		{[]string{"echo", "it's"}, `echo 'it'\''s'`},
		{[]string{"docker", "inspect", "--format", "{{.State}}"}, "docker inspect --format '{{.State}}'"},
		{[]string{"echo", "$HOME"}, "echo '$HOME'"},
	}
	for _, tc := range tests {
		if got := Shell(tc.args...); got != tc.want {
			t.Errorf("Shell(%q) = %s, want %s", tc.args, got, tc.want)
		}
	}
}

func TestValidateStackName(t *testing.T) {
	tests := []struct {
		name, problem, suggestion string
	}{
		{name: "web"},
		{name: "a"},
		{name: "web-2"},
		{name: strings.Repeat("a", 32)},
		{"", "is empty", `"web"`},
		{strings.Repeat("a", 33), "33 characters", `"` + strings.Repeat("a", 32) + `"`},
		{"Web", "must start with a lowercase letter", `"web"`},
		{"myWeb", "contains 'W'", `"myweb"`},
		{"2web", "must start with a lowercase letter", `"web"`},
		{"-web", "must start with a lowercase letter", `"web"`},
		{"my_app", "contains '_'", `"my-app"`},
		{"web-", "must not end with '-'", `"web"`},
		{"a--b", `contain "--"`, `"a-b"`},
		{"wéb", "contains 'é'", `"w-b"`},
	}
	for _, tc := range tests {
		err := ValidateStackName(tc.name)
		if tc.problem == "" {
			if err != nil {
				t.Errorf("%q: %v, want valid", tc.name, err)
			}
			continue
		}
		var ne *NameError
		if !errors.As(err, &ne) {
			t.Errorf("%q: err = %v, want *NameError", tc.name, err)
			continue
		}
		if !strings.Contains(ne.Problem, tc.problem) || !strings.Contains(ne.Fix, tc.suggestion) {
			t.Errorf("%q: %v; want problem with %q and fix suggesting %s", tc.name, err, tc.problem, tc.suggestion)
		}
		if s := strings.Trim(tc.suggestion, `"`); ValidateStackName(s) != nil {
			t.Errorf("%q: suggestion %q is itself invalid", tc.name, s)
		}
	}
}

// apiErr stands in for smithy-go's APIError, which the AWS SDK returns.
type apiErr struct{ code string }

func (e apiErr) Error() string     { return "operation error ECS: DescribeTasks, " + e.code }
func (e apiErr) ErrorCode() string { return e.code }

func TestExplain(t *testing.T) {
	tests := []struct {
		err  error
		want string // "" means no explanation
	}{
		{fmt.Errorf("wrapped: %w", apiErr{"CannotPullContainerError"}), "task execution role lacks ECR permissions"},
		{errors.New("service web: task stopped: CannotPullContainerError: pull image manifest has been retried"), "could not pull"},
		{apiErr{"ExpiredTokenException"}, "credentials expired"},
		{apiErr{"SomethingNew"}, ""},
		{fmt.Errorf("step: %w", dockerops.ErrReadOnly), "--readonly"},
		{&dockerops.PushError{Ref: "r/x:1", Message: "unauthorized: authentication required"}, "refused the credentials"},
		{&dockerops.PushError{Ref: "r/x:1", Message: "blob upload unknown"}, ""},
		{&dockerops.NotReadyError{Reason: "exited with code 3 before it answered"}, "stopped on start"},
		{&dockerops.NotReadyError{Reason: "is unhealthy: its HEALTHCHECK failed"}, "HEALTHCHECK fails"},
		{&dockerops.NotReadyError{Reason: "did not answer within 2m0s"}, "raise --timeout"},
		{&dockerops.BuildError{Step: "2/13 : FROM ${BASE_IMAGE}", Message: "pull access denied for python"}, "--base-image"},
		{&dockerops.BuildError{Step: "6/13 : RUN false", Message: "returned a non-zero code: 1"}, "Dockerfile step failed"},
		{errors.New("driver failed programming external connectivity: Bind for 127.0.0.1:8080 failed: port is already allocated"), "--port"},
		{errors.New("something else"), ""},
		{nil, ""},
	}
	for _, tc := range tests {
		got := Explain(tc.err)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("Explain(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestStepErrorWording: a failed destroy says what it removed before the
// failure, never "nothing was created"; a failed launch still lists what it
// created.
func TestStepErrorWording(t *testing.T) {
	fail := func(context.Context, *Output) error { return errors.New("image is in use by container abc") }
	ok := func(context.Context, *Output) error { return nil }
	del := func(name string) []Resource { return []Resource{{"delete", "docker image", name}} }
	tests := []struct {
		name      string
		steps     []Step
		want, not string
	}{
		{"destroy fails first", []Step{{Name: "rmi", Summary: "Remove image x", Resources: del("x"), Run: fail}},
			"nothing was removed", "nothing was created"},
		{"destroy fails later", []Step{
			{Name: "rm", Summary: "Remove container c", Resources: []Resource{{"delete", "docker container", "c"}}, Run: ok},
			{Name: "rmi", Summary: "Remove image x", Resources: del("x"), Run: fail}},
			"removed before it: Remove container c", "nothing was"},
		{"launch fails first", []Step{{Name: "build", Resources: []Resource{{"create", "docker image", "x"}}, Run: fail}},
			"nothing was created", "removed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Execute(context.Background(), tc.steps, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), tc.not) {
				t.Errorf("error %q: want %q, without %q", err, tc.want, tc.not)
			}
		})
	}
}

// TestChecksRunBeforeAnyStep: a later step's Check refuses the launch before
// the first step runs, and the error says nothing was created.
func TestChecksRunBeforeAnyStep(t *testing.T) {
	ran := false
	steps := []Step{
		{Name: "key-pair", Resources: []Resource{{"create", "EC2 key pair", "k"}},
			Run: func(context.Context, *Output) error { ran = true; return nil }},
		{Name: "instance", Check: func(context.Context) error { return errors.New("t9.gigantic is not offered") }},
	}
	err := Execute(context.Background(), steps, nil)
	var se *StepError
	if !errors.As(err, &se) || se.Step != "instance" || ran {
		t.Fatalf("err = %v, first step ran: %v; want the instance step refused first", err, ran)
	}
	if !strings.Contains(err.Error(), "nothing was created") {
		t.Errorf("error %q should say nothing was created", err)
	}
}
