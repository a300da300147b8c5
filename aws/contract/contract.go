// Package contract is the behaviour every deckhand AWS backend shares: the
// SDK adapter (against AWS, moto or LocalStack) and the sandbox account.
// Run drives a backend through the same inputs and checks the same
// observable results: what is listed, the states resources reach, and the
// error codes bad input gets.
//
// The assertions describe AWS as documented. Where an emulator is known to
// differ (moto jumps straight to running; moto walks tasks through their
// states on each describe; moto does not check X), the assertion says so in
// a comment, and a field of Quirks lets that target skip exactly that
// assertion (the skip is logged). A backend that claims to behave like AWS,
// such as the sandbox, sets no quirks.
//
// A target runs the suite from an ordinary test:
//
//	func TestContract(t *testing.T) {
//		contract.Run(t, contract.Target{Name: "sandbox", New: ..., Advance: ..., Seeded: ...})
//	}
package contract

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"deckhand/internal/cloud"
)

// Target is one backend under test.
type Target struct {
	Name string
	// New returns the backend a group of assertions runs against. Run calls
	// it once per top-level subtest (instances, ECS, bad input), from
	// parallel subtests: it must not call t.Setenv or t.Parallel. A target
	// may return a fresh account each time (the sandbox) or clients of one
	// shared account (moto: one server started before Run). The suite never
	// assumes an empty account: it finds what it created by id or by unique
	// name, so seeded or shared resources do not disturb it.
	New func(t *testing.T) cloud.Backend
	// Advance moves b's time forward by d (the sandbox drives its clock).
	// nil means time passes by itself (moto, AWS).
	Advance func(t *testing.T, b cloud.Backend, d time.Duration)
	// Seeded returns what launches in b need, creating it if necessary. It
	// is called once per group, right after New, with New's backend.
	Seeded func(t *testing.T, b cloud.Backend) Fixtures
	// Quirks lists where the target knowingly differs from AWS.
	Quirks Quirks
}

// Fixtures are ids a backend needs for launches.
type Fixtures struct {
	ImageID       string   // an AMI RunInstance accepts
	InstanceType  string   // "" = t3.micro
	Subnets       []string // at least one, for instances and awsvpc tasks
	SecurityGroup string   // a security group in the subnets' VPC
	KeyName       string   // an existing key pair
	// Image is a container image the target's tasks can start, so that a
	// task is still alive when the suite stops it; "" = nginx:stable.
	Image string
}

// Quirks are the known differences of a target from AWS. Each skips one
// assertion, named in its comment; the AWS-faithful behaviour is asserted
// for every target that leaves it false.
type Quirks struct {
	// InstantInstanceStates: instance states change at once, so pending,
	// stopping and shutting-down are never listed after the call that
	// starts them (moto). AWS lists them for seconds to minutes.
	InstantInstanceStates bool
	// NoInstanceStateChecks: StartInstances on a terminated instance
	// succeeds (moto: it comes back as pending). AWS answers
	// IncorrectInstanceState.
	NoInstanceStateChecks bool
	// TasksWalkOnDescribe: every describe moves a task one state along
	// RUNNING → DEACTIVATING → … → STOPPED although nobody stopped it and
	// desiredStatus stays RUNNING (moto). On AWS a task is on the stop path
	// only when its desiredStatus is STOPPED.
	TasksWalkOnDescribe bool
	// NoStopCode: stopped tasks carry no stopCode (moto). AWS sets
	// UserInitiated for StopTask.
	NoStopCode bool
	// NoTaskTimestamps: tasks carry no createdAt/stoppedAt (moto). AWS sets
	// createdAt at RunTask and stoppedAt when the task reaches STOPPED.
	NoTaskTimestamps bool
	// NoClusterDeleteChecks: DeleteCluster deletes a cluster that still has
	// services (moto). AWS answers ClusterContainsServicesException.
	NoClusterDeleteChecks bool
	// StopUnknownTaskFails: StopTask of an unknown task fails without an
	// error code (moto: HTTP 500). AWS answers InvalidParameterException.
	StopUnknownTaskFails bool
	// ListsDeletedServices: ListServices lists a deleted service on, as
	// INACTIVE (moto). AWS lists it no more once DeleteService returns.
	ListsDeletedServices bool

	// The deploy group (aws.Deployer):

	// NoTaskPublicIP: an awsvpc task run with assignPublicIp ENABLED gets
	// no public IP on its network interface (moto). AWS assigns one.
	NoTaskPublicIP bool
	// NoSecurityGroupDependencyChecks: DeleteSecurityGroup deletes a group
	// an instance or a load balancer still uses (moto). AWS answers
	// DependencyViolation.
	NoSecurityGroupDependencyChecks bool
	// UnknownInstanceProfileNoSuchEntity: RunInstances with an instance
	// profile that does not exist answers IAM's NoSuchEntity (moto). EC2
	// answers InvalidParameterValue ("Value (NAME) for parameter
	// iamInstanceProfile.name is invalid. Invalid IAM Instance Profile
	// name").
	UnknownInstanceProfileNoSuchEntity bool
	// NoUbuntuAMI: there is neither the Ubuntu 24.04 SSM public parameter
	// nor a Canonical Noble image (moto's built-in data). AWS has both.
	NoUbuntuAMI bool
}

// Polling: the suite advances the target's clock by pollStep between polls,
// at most pollLimit times (20 minutes of backend time, more than any AWS
// transition the suite waits for), and sleeps pollSleep of real time so a
// backend that moves by itself gets a moment.
const (
	pollStep  = 5 * time.Second
	pollLimit = 240
	pollSleep = 5 * time.Millisecond
)

// Run runs the suite against target. Its groups run in parallel.
func Run(t *testing.T, target Target) {
	t.Helper()
	if target.New == nil || target.Seeded == nil {
		t.Fatal("contract.Target needs New and Seeded")
	}
	t.Run("instances", func(t *testing.T) {
		t.Parallel()
		newRun(t, target).instances()
	})
	t.Run("ecs", func(t *testing.T) {
		t.Parallel()
		newRun(t, target).ecs()
	})
	t.Run("bad input", func(t *testing.T) {
		t.Parallel()
		newRun(t, target).badInput()
	})
	t.Run("deploy", func(t *testing.T) {
		t.Parallel()
		newRun(t, target).deploy()
	})
	t.Run("elb", func(t *testing.T) {
		t.Parallel()
		newRun(t, target).elb()
	})
	t.Run("service ops", func(t *testing.T) { // ecs_ops.go
		t.Parallel()
		newRun(t, target).serviceOps()
	})
}

// run is one group of assertions against one backend.
type run struct {
	t   *testing.T
	tg  Target
	b   cloud.Backend
	fx  Fixtures
	tag string // unique suffix of every name this run creates
}

func newRun(t *testing.T, tg Target) *run {
	b := tg.New(t)
	fx := tg.Seeded(t, b)
	if fx.InstanceType == "" {
		fx.InstanceType = "t3.micro"
	}
	if fx.Image == "" {
		fx.Image = "nginx:stable"
	}
	if len(fx.Subnets) == 0 {
		t.Fatal("Fixtures.Subnets is empty")
	}
	return &run{t: t, tg: tg, b: b, fx: fx, tag: randomTag()}
}

func randomTag() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// quirk reports whether the target skips an assertion, and logs the skip.
func (r *run) quirk(has bool, name, aws string) bool {
	if has {
		r.t.Logf("%s: skipped (Quirks.%s); AWS: %s", r.tg.Name, name, aws)
	}
	return has
}

// eventually polls check until it reports true, advancing the backend's
// clock between polls. last describes what was seen, for the failure.
func (r *run) eventually(what string, check func() (ok bool, last string)) {
	r.t.Helper()
	var last string
	for i := range pollLimit {
		var ok bool
		if ok, last = check(); ok {
			return
		}
		if i == pollLimit-1 {
			break
		}
		if r.tg.Advance != nil {
			r.tg.Advance(r.t, r.b, pollStep)
		}
		time.Sleep(pollSleep)
	}
	r.t.Fatalf("%s: not reached after %v of backend time; last seen: %s", what, pollLimit*pollStep, last)
}

// wantCode checks that err is an *aws.Error of service:op with code.
// op "" accepts any operation.
func (r *run) wantCode(err error, service, op, code string) *cloud.Error {
	r.t.Helper()
	var e *cloud.Error
	if !errors.As(err, &e) {
		r.t.Errorf("got %T %v, want *aws.Error %s from %s:%s", err, err, code, service, op)
		return nil
	}
	if e.Code != code || e.Service != service || (op != "" && e.Operation != op) {
		r.t.Errorf("got %s:%s code %q (%v), want %s:%s code %q", e.Service, e.Operation, e.Code, e, service, op, code)
	}
	return e
}

// wantInvalid checks a validation error: the code, the field and
// aws.ErrInvalidInput.
func (r *run) wantInvalid(err error, service, op, code, field string) {
	r.t.Helper()
	e := r.wantCode(err, service, op, code)
	if e == nil {
		return
	}
	if e.Field != field || !errors.Is(err, cloud.ErrInvalidInput) {
		r.t.Errorf("got field %q (ErrInvalidInput: %v) in %v, want field %q", e.Field, errors.Is(err, cloud.ErrInvalidInput), err, field)
	}
}
