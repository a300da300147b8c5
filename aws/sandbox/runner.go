package sandbox

import (
	"context"
	"errors"
	"sync"
	"time"

	"deckhand/dockerops"
)

// Running tasks for real. When the account has a Docker engine
// (Options.Docker) and a task's image exists in it, the task's container
// runs on that engine, its port published on 127.0.0.1 at a port the
// engine picks: a service deployed to the sandbox answers HTTP, and
// Container.NetworkBindings say where.
//
// Which containers run for real is decided when the task leaves PENDING
// (the image pull): an image the local engine has, by its exact reference,
// runs there (a push to a sandbox ECR repository tags the image under the
// repository's URI). Other images follow the image rule (images.go): those
// of the sandbox's own ECR registry exist nowhere else, so without an
// engine the task fails with a CannotPullContainerError saying the sandbox
// has no Docker engine to run it; public images the engine does not have
// (nginx, busybox…) are simulated, so the seeded account works without
// Docker.
//
// Execution is reconciliation, not a side effect of the simulation's
// events: the engine worker (worker.go) plans, from the state at now, the
// engine calls that make the engine match it (sync.go), carries them out
// outside the account's lock, and applies what the engine did as events;
// calls are answered at once, from the state as the last round left it:
//
//   - a task in ACTIVATING, RUNNING or DEACTIVATING has its containers
//     running (created and started at the first sync that finds the task
//     ACTIVATING or RUNNING with desired status RUNNING; a task that is
//     already being stopped is not started);
//   - a task in STOPPING or DEPROVISIONING has them stopped (SIGTERM, then
//     SIGKILL after stopGrace), their exit codes recorded;
//   - a STOPPED task, or one ECS has forgotten, has them removed.
//
// A container's output is copied into its awslogs stream once it has
// exited, and before it is removed (logcopy.go), so that it outlives the
// container as it outlives a task in CloudWatch Logs.
//
// Replaying hours of history therefore starts nothing for tasks that
// stopped meanwhile. A container that exits by itself while its task runs
// is recorded when a sync observes it, at the simulation's now: the
// essential container exited (stopCode EssentialContainerExited, the
// engine's exit code), as in ECS. A task whose container the engine cannot
// start fails with TaskFailedToStart and "CannotStartContainerError:"
// followed by the engine's message.
//
// A real task leaves ACTIVATING only once a sync after the one that started
// its container finds it running, and a real container's health check is
// the engine's, not a simulated delay (health.go).
//
// Containers carry labels: the account (its state file), the task ARN and
// the container name (a load balancer's proxy: elb_proxy.go). Sync finds
// them by label, so separate deckhand processes sharing the account agree
// on them, a container started by a process that died before saving is
// adopted, and containers of other accounts (other state files) are never
// touched. A read-only account
// observes exits but starts, stops and removes nothing.
//
// Every engine call has a timeout, and an engine that stops answering is
// left alone for engineBackoff, so a dead or slow engine cannot hang the
// worker: its calls then fail at once, and tasks that needed it fail with
// its message.

const (
	labelAccount   = "deckhand.sandbox.account"
	labelTask      = "deckhand.sandbox.task"
	labelContainer = "deckhand.sandbox.container"

	stopGrace     = 2 * time.Second  // SIGTERM → SIGKILL; ECS's stopTimeout is 30 s, a learner does not wait that long
	engineTimeout = 5 * time.Second  // a query (list, inspect, remove)
	runTimeout    = 15 * time.Second // create and start
	engineBackoff = 10 * time.Second
	engineWorkers = 8
)

// runner is what the sandbox asks of a Docker engine. engineRunner
// implements it over *dockerops.Engine.
type runner interface {
	ImageExists(ctx context.Context, ref string) (bool, error)
	// Run creates and starts a container. When the start fails, the
	// created container is removed.
	Run(ctx context.Context, spec runSpec) (id string, err error)
	Inspect(ctx context.Context, id string) (engineContainer, error)
	Stop(ctx context.Context, id string, grace time.Duration) error
	Remove(ctx context.Context, id string) error
	// List lists the account's containers, stopped ones included.
	List(ctx context.Context, account string) ([]engineContainer, error)
	// Logs is the container's last n lines of output, with their times.
	Logs(ctx context.Context, id string, n int) ([]dockerops.LogLine, error)
	// Probe is a load balancer's health check through a published port
	// (elb_probe.go): the HTTP status of GET url.
	Probe(ctx context.Context, url string) (status int, err error)
	// ProxyImage makes sure the engine has the load balancers' proxy image
	// built from the deckhand executable binary (elb_proxy.go).
	ProxyImage(ctx context.Context, binary string) (ref string, err error)
}

type runSpec struct {
	Image, Name string
	Ports       []int32 // published on 127.0.0.1, at host ports the engine picks
	// HostPorts asks for given host ports instead (container port → host
	// port): a replaced load balancer proxy keeps its URL (elb_proxy.go).
	HostPorts map[int32]int32
	Env       []string
	Cmd       []string // "": the image's CMD
	Labels    map[string]string
	Health    *dockerops.Healthcheck // the task definition's health check (health.go)
	Hostname  string                 // "" = the engine's (standin.go sets the instance's)
}

// engineContainer is a container as the engine reports it.
type engineContainer struct {
	ID                        string
	Task, Instance, Container string // the labels
	// A load balancer proxy's labels (elb_proxy.go); Listener is set on
	// proxies only.
	LoadBalancer, Listener, ProxyHash string
	State                             string // created, running, paused, restarting, exited, dead, removing
	ExitCode                          int
	Ports                             map[int]int // container port → host port (Inspect only)
	IP                                string      // the bridge network address (Inspect only)
	Health                            string      // "", starting, healthy, unhealthy (Inspect only)
}

// labelled is a container as its labels name it.
func labelled(id, state string, labels map[string]string) engineContainer {
	return engineContainer{
		ID: id, State: state, Task: labels[labelTask], Instance: labels[labelInstance], Container: labels[labelContainer],
		LoadBalancer: labels[labelLoadBalancer], Listener: labels[labelListener], ProxyHash: labels[labelProxyHash],
	}
}

// running reports whether the container's process is alive.
func (c engineContainer) running() bool {
	switch c.State {
	case "running", "paused", "restarting":
		return true
	}
	return false
}

// engineRunner runs containers on a Docker engine, with a timeout on every
// call and a pause after the engine stops answering.
type engineRunner struct {
	e *dockerops.Engine

	mu        sync.Mutex
	downUntil time.Time
	downErr   error
}

func newEngineRunner(e *dockerops.Engine) *engineRunner { return &engineRunner{e: e} }

// call runs fn with a timeout and the caller's cancellation (the worker's:
// worker.go). An idempotent fn is tried again when the connection failed (not
// when it timed out). While the engine is marked down, call fails at once.
func (r *engineRunner) call(ctx context.Context, timeout time.Duration, idempotent bool, fn func(context.Context) error) error {
	r.mu.Lock()
	if time.Now().Before(r.downUntil) {
		err := r.downErr
		r.mu.Unlock()
		return err
	}
	r.mu.Unlock()
	// The caller's cancellation is honoured (the account closed, or the
	// action was superseded): the next plan finds what the engine did.
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := fn(ctx)
	var down *dockerops.UnreachableError
	if errors.As(err, &down) && ctx.Err() == nil && idempotent {
		// A connection reset or closed under load: once more.
		err = fn(ctx)
	}
	if errors.As(err, &down) && parent.Err() == nil { // not down: cancelled
		r.mu.Lock()
		r.downUntil, r.downErr = time.Now().Add(engineBackoff), err
		r.mu.Unlock()
	}
	return err
}

func (r *engineRunner) ImageExists(ctx context.Context, ref string) (bool, error) {
	var ok bool
	err := r.call(ctx, engineTimeout, true, func(ctx context.Context) error {
		_, err := r.e.InspectImage(ctx, ref)
		switch {
		case err == nil:
			ok = true
		case dockerops.IsNotFound(err):
			err = nil
		}
		return err
	})
	return ok, err
}

func (r *engineRunner) Run(ctx context.Context, spec runSpec) (string, error) {
	var id string
	err := r.call(ctx, runTimeout, false, func(ctx context.Context) error {
		ports := map[int]int{}
		for _, p := range spec.Ports {
			ports[int(p)] = int(spec.HostPorts[p])
		}
		var err error
		id, err = r.e.Run(ctx, dockerops.RunOptions{
			Image: spec.Image, Name: spec.Name, Ports: ports, Env: spec.Env, Cmd: spec.Cmd, Labels: spec.Labels, Health: spec.Health,
			Hostname: spec.Hostname,
		})
		switch {
		case err != nil && id != "":
			// Even when the start was cancelled: a half-started container
			// would only wait for the next plan to remove it.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), engineTimeout)
			defer cancel()
			_ = r.e.Remove(rctx, id, true)
			id = ""
		case err != nil && ctx.Err() != nil:
			// Cancelled before the engine said which container it
			// created, if any: remove it by its name (unique per task).
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), engineTimeout)
			defer cancel()
			_ = r.e.Remove(rctx, spec.Name, true)
		}
		return err
	})
	return id, err
}

func (r *engineRunner) Inspect(ctx context.Context, id string) (engineContainer, error) {
	var out engineContainer
	err := r.call(ctx, engineTimeout, true, func(ctx context.Context) error {
		info, err := r.e.InspectContainer(ctx, id)
		if err == nil {
			out = labelled(info.ID, info.State, info.Labels)
			out.ExitCode, out.Ports, out.IP, out.Health = info.ExitCode, info.Ports, info.IP, info.Health
		}
		return err
	})
	return out, err
}

func (r *engineRunner) Stop(ctx context.Context, id string, grace time.Duration) error {
	return r.call(ctx, engineTimeout+grace, true, func(ctx context.Context) error {
		return r.e.Stop(ctx, id, grace)
	})
}

func (r *engineRunner) Remove(ctx context.Context, id string) error {
	return r.call(ctx, engineTimeout, true, func(ctx context.Context) error {
		err := r.e.Remove(ctx, id, true)
		if dockerops.IsNotFound(err) {
			return nil
		}
		return err
	})
}

func (r *engineRunner) Logs(ctx context.Context, id string, n int) ([]dockerops.LogLine, error) {
	var out []dockerops.LogLine
	err := r.call(ctx, engineTimeout, true, func(ctx context.Context) error {
		var err error
		out, err = r.e.TimedLogs(ctx, id, n)
		return err
	})
	return out, err
}

func (r *engineRunner) List(ctx context.Context, account string) ([]engineContainer, error) {
	var out []engineContainer
	err := r.call(ctx, engineTimeout, true, func(ctx context.Context) error {
		cs, err := r.e.ContainersByLabel(ctx, labelAccount, account)
		for _, c := range cs {
			out = append(out, labelled(c.ID, c.State, c.Labels))
		}
		return err
	})
	return out, err
}
