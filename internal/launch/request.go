package launch

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The targets a launch can run on.
const (
	TargetLocal   = "local"   // this machine's Docker engine
	TargetFargate = "fargate" // an ECS service on Fargate
	TargetEC2     = "ec2"     // an EC2 instance running Docker
)

// Targets lists the targets in the order front ends offer them.
var Targets = []string{TargetLocal, TargetFargate, TargetEC2}

// Request is a launch as a user asks for it, independent of the target
// and of the front end (the CLI's flags, the TUI's wizard), so both build
// launches the same way through a Planner.
type Request struct {
	Stack  string // see ValidateStackName
	Target string // TargetLocal, TargetFargate or TargetEC2
	// Dir is the project to build (a directory with a Dockerfile, or an
	// empty one to scaffold). Ignored when Image is set.
	Dir string
	// Image deploys an existing image instead of building Dir.
	Image string
	// BaseImage is the Dockerfile's BASE_IMAGE build argument; "" keeps
	// the Dockerfile's default.
	BaseImage string
	// Port is the service's port: on the local target the host port on
	// 127.0.0.1, on fargate and ec2 the app's port. 0 lets the target
	// choose (a free port; the port the image EXPOSEs).
	Port int
	// Scaffold writes deckhand's Flask project into Dir first when Dir is
	// empty or missing.
	Scaffold bool
	// Timeout bounds the waits; 0 means the target's default.
	Timeout time.Duration
	// NoWait returns once everything is created, without the readiness
	// waits and HTTP checks (the CLI's --no-wait).
	NoWait bool
	// LoadBalancer (fargate only) puts an Application Load Balancer in
	// front of the service; the URL is then its DNS name.
	LoadBalancer bool
	// SSHCIDR (ec2 only) is who may SSH in; "" = this machine's public
	// address, looked up when the launch runs (not on the sandbox).
	SSHCIDR string
}

// Planner turns requests into steps for Execute. Planning only reads
// (the project directory, what exists in the engine or account); nothing
// is created until the steps run. Problems seen while planning are
// returned as errors, so a launch that cannot work creates nothing.
type Planner interface {
	// PlanLaunch returns the steps of a launch, and a function that gives
	// the service's URL once the steps have run.
	PlanLaunch(req Request) (steps []Step, result func() string, err error)
	// PlanDestroy returns the steps that remove what launches of stack on
	// target created.
	PlanDestroy(ctx context.Context, stack, target string) ([]Step, error)
}

// ErrTargetUnavailable matches (errors.Is) the error a Planner returns
// for a target this build cannot launch on yet.
var ErrTargetUnavailable = errors.New("target not available in this build")

type unavailableError struct{ target string }

func (e *unavailableError) Error() string {
	return "target " + e.target + " is not available yet in this build: only local works so far"
}

func (e *unavailableError) Is(target error) bool { return target == ErrTargetUnavailable }

// TargetUnavailable says plainly that target is not available in this
// build; errors.Is(err, ErrTargetUnavailable) holds.
func TargetUnavailable(target string) error { return &unavailableError{target} }

// ValidateTarget checks that target is one of Targets.
func ValidateTarget(target string) error {
	for _, t := range Targets {
		if t == target {
			return nil
		}
	}
	if target == "" {
		return errors.New("target is empty: use local, fargate or ec2")
	}
	return fmt.Errorf("target %q is not a target: use local, fargate or ec2", target)
}
