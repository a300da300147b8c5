// Package launch is deckhand's launch pipeline core: a launch (or a
// destroy) is a list of Steps run in order by Execute, which reports every
// state change as an Event. The same steps serve three readers: --dry-run
// and a wizard's review page print them without running anything (what
// each would create or change, and the equivalent docker/aws commands),
// the headless CLI prints their events on stderr, and a TUI turns the
// events into a checklist with states and elapsed times.
//
// Targets (local Docker in launch/local; ECS Fargate and EC2 later) only
// build step lists; running, reporting and failure handling live here so
// they behave the same everywhere.
package launch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// LabelStack is the Docker label, and TagStack the AWS tag key, carrying the
// stack name on everything a launch creates: destroy finds what to remove
// by it and never touches anything without it.
const (
	LabelStack = "deckhand.stack"
	TagStack   = "deckhand:stack"
)

// Resource is something a step creates, changes, uses or deletes.
type Resource struct {
	Action string // "create", "replace", "update", "use", "delete", "keep"
	Kind   string // "docker image", "docker container", "file", "ECR repository", …
	Name   string
}

func (r Resource) String() string {
	return strings.TrimSpace(r.Action + " " + r.Kind + " " + r.Name)
}

// Step is one item of a launch's checklist.
type Step struct {
	// Name is short and unique within a launch ("build", "run"); events
	// and errors use it.
	Name string
	// Summary is one line saying what the step does, for plans and for
	// the checklist ("Build deckhand/web:latest from ./web").
	Summary string
	// Resources are what the step would create or change, as far as is
	// known before it runs.
	Resources []Resource
	// Commands are the equivalent docker/aws CLI commands, shell-quoted
	// (see Shell), so a user can see, or repeat by hand, what happens.
	Commands []string
	// Run does the step. It reports progress lines and what it created
	// through out, and may return Skip(reason) when there is nothing to do.
	Run func(ctx context.Context, out *Output) error
	// Check, if set, is a read-only check of the step's input against the
	// account (does the instance type exist?). Execute runs every step's
	// Check before the first Run, so what can be refused is refused before
	// anything is created.
	Check func(ctx context.Context) error
	// Explain, if set, gives a plain explanation of a failure of this step
	// that the generic Explain does not know; "" means no idea.
	Explain func(error) string
}

// State is a step's state in the checklist.
type State string

const (
	// Pending is never reported by Execute: it is the state a checklist
	// starts every step in, before the first event.
	Pending  State = "pending"
	Running  State = "running"  // the step started; Detail is its Summary
	Progress State = "progress" // a line of output; the step is still running
	// Note is a line worth keeping after the step ends (how to connect,
	// what was left behind on purpose); the step is still running. The
	// checklist keeps notes under the step where progress lines pass.
	Note    State = "note"
	Done    State = "done"    // Detail is the step's result, if it gave one
	Failed  State = "failed"  // Detail is the reason; Err the error
	Skipped State = "skipped" // Detail says why
)

// Event is one state change of one step.
type Event struct {
	Time    time.Time
	Step    string // Step.Name
	Index   int    // 1-based position in the launch
	Total   int
	State   State
	Detail  string
	Elapsed time.Duration // since the step started (0 for Running)
	Err     error         // set for Failed
}

// Output is a running step's channel back to Execute. It is safe for
// concurrent use, so a step may report from helper goroutines.
type Output struct {
	mu      sync.Mutex
	emit    func(State, string)
	created []Resource
	result  string
}

// Line reports one line of progress (build output, a wait's state).
func (o *Output) Line(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emit(Progress, s)
}

// Note reports a line to keep after the step ends (see the Note state).
func (o *Output) Note(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emit(Note, s)
}

// Linef is Line with formatting.
func (o *Output) Linef(format string, args ...any) { o.Line(fmt.Sprintf(format, args...)) }

// Created records that the step created r, so a failure later on can say
// what exists now (and destroy can be pointed at it).
func (o *Output) Created(r Resource) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.created = append(o.created, r)
}

// Result sets the detail of the step's Done event ("sha256:1a2b…",
// "http://127.0.0.1:49153/").
func (o *Output) Result(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.result = s
}

type skipError struct{ reason string }

func (e *skipError) Error() string { return "skipped: " + e.reason }

// Skip is what a step's Run returns when it has nothing to do; Execute
// reports the step as Skipped with reason and goes on.
func Skip(reason string) error { return &skipError{reason} }

// IsSkip reports whether err is a Skip.
func IsSkip(err error) bool {
	var s *skipError
	return errors.As(err, &s)
}

// StepError is a failed launch: which step, why, and what had been
// created until then.
type StepError struct {
	Step    string
	Index   int
	Total   int
	Err     error
	Hint    string     // a plain explanation when one is known, else ""
	Created []Resource // by all steps run, the failed one included
	// Removal is set when every step only deletes or keeps (a destroy):
	// then Removed lists the steps that finished, and "nothing was
	// created" — true but beside the point — is not said.
	Removal bool
	Removed []string
}

func (e *StepError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "step %d/%d %q failed: %v", e.Index, e.Total, e.Step, e.Err)
	if e.Hint != "" {
		b.WriteString("\n  why: " + e.Hint)
	}
	switch {
	case e.Removal && len(e.Removed) > 0:
		b.WriteString("\n  removed before it: " + strings.Join(e.Removed, "; "))
	case e.Removal:
		b.WriteString("\n  nothing was removed")
	case len(e.Created) > 0:
		names := make([]string, len(e.Created))
		for i, r := range e.Created {
			names[i] = r.Kind + " " + r.Name
		}
		b.WriteString("\n  created so far: " + strings.Join(names, ", "))
	default:
		b.WriteString("\n  nothing was created")
	}
	return b.String()
}

func (e *StepError) Unwrap() error { return e.Err }

// Execute runs steps in order and reports each state change to report
// (which may be nil). It stops at the first failure and returns a
// *StepError; a cancelled ctx fails the running step and starts no other.
// Events are delivered one at a time, in order.
func Execute(ctx context.Context, steps []Step, report func(Event)) error {
	if report == nil {
		report = func(Event) {}
	}
	for i, s := range steps {
		if s.Check == nil {
			continue
		}
		if err := s.Check(ctx); err != nil {
			now := time.Now()
			report(Event{Time: now, Step: s.Name, Index: i + 1, Total: len(steps), State: Failed, Detail: firstLine(err.Error()), Err: err})
			return &StepError{Step: s.Name, Index: i + 1, Total: len(steps), Err: err, Hint: Explain(err)}
		}
	}
	var created []Resource
	var removed []string // summaries of the finished steps of a removal
	removal := onlyRemoves(steps)
	for i, s := range steps {
		start := time.Now()
		ev := func(st State, detail string, err error) {
			now := time.Now()
			e := Event{Time: now, Step: s.Name, Index: i + 1, Total: len(steps), State: st, Detail: detail, Err: err}
			if st != Running {
				e.Elapsed = now.Sub(start)
			}
			report(e)
		}
		ev(Running, s.Summary, nil)
		out := &Output{emit: func(st State, d string) { ev(st, d, nil) }}
		err := ctx.Err()
		if err == nil && s.Run != nil {
			err = s.Run(ctx, out)
		}
		out.mu.Lock() // the step may have left goroutines behind
		created = append(created, out.created...)
		result := out.result
		out.emit = func(State, string) {} // late lines go nowhere
		out.mu.Unlock()

		var skip *skipError
		switch {
		case errors.As(err, &skip):
			ev(Skipped, skip.reason, nil)
		case err != nil:
			hint := ""
			if s.Explain != nil {
				hint = s.Explain(err)
			}
			if hint == "" {
				hint = Explain(err)
			}
			ev(Failed, firstLine(err.Error()), err)
			return &StepError{Step: s.Name, Index: i + 1, Total: len(steps), Err: err, Hint: hint, Created: created,
				Removal: removal, Removed: removed}
		default:
			ev(Done, result, nil)
			removed = append(removed, s.Summary)
		}
	}
	return nil
}

// onlyRemoves reports whether the steps delete or keep and create nothing,
// as a destroy's do.
func onlyRemoves(steps []Step) bool {
	n := 0
	for _, s := range steps {
		for _, r := range s.Resources {
			if r.Action != "delete" && r.Action != "keep" {
				return false
			}
			n++
		}
	}
	return n > 0
}

// firstLine keeps an event's detail to one line; the full error (with a
// build's output or a container's logs) is in Event.Err and StepError.
func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
