package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"strings"
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
// events: after the world has advanced to now, and before the call is
// answered, sync makes the engine match the state at now, under the
// account's file lock:
//
//   - a task in ACTIVATING, RUNNING or DEACTIVATING has its containers
//     running (created and started at the first sync that finds the task
//     ACTIVATING or RUNNING with desired status RUNNING; a task that is
//     already being stopped is not started);
//   - a task in STOPPING or DEPROVISIONING has them stopped (SIGTERM, then
//     SIGKILL after stopGrace), their exit codes recorded;
//   - a STOPPED task, or one ECS has forgotten, has them removed.
//
// Replaying hours of history therefore starts nothing for tasks that
// stopped meanwhile. A container that exits by itself while its task runs
// is recorded when a sync observes it, at the simulation's now: the
// essential container exited (stopCode EssentialContainerExited, the
// engine's exit code), as in ECS. A task whose container the engine cannot
// start fails with TaskFailedToStart and "CannotStartContainerError:"
// followed by the engine's message.
//
// Containers carry labels: the account (its state file), the task ARN and
// the container name. Sync finds them by label, so separate deckhand
// processes sharing the account agree on them, a container started by a
// process that died before saving is adopted, and containers of other
// accounts (other state files) are never touched. A read-only account
// observes exits but starts, stops and removes nothing.
//
// Every engine call has a timeout, and an engine that stops answering is
// left alone for engineBackoff, so a dead or slow engine cannot hang the
// sandbox: its calls then fail at once, and tasks that needed it fail with
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
}

type runSpec struct {
	Image, Name string
	Ports       []int32 // published on 127.0.0.1, at host ports the engine picks
	Env         []string
	Labels      map[string]string
}

// engineContainer is a container as the engine reports it.
type engineContainer struct {
	ID              string
	Task, Container string // the labels
	State           string // created, running, paused, restarting, exited, dead, removing
	ExitCode        int
	Ports           map[int]int // container port → host port (Inspect only)
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

// call runs fn with a timeout, detached from the caller's cancellation: a
// call that was made is finished (or timed out), so the state can record
// it. An idempotent fn is tried again when the connection failed (not
// when it timed out). While the engine is marked down, call fails at once.
func (r *engineRunner) call(ctx context.Context, timeout time.Duration, idempotent bool, fn func(context.Context) error) error {
	r.mu.Lock()
	if time.Now().Before(r.downUntil) {
		err := r.downErr
		r.mu.Unlock()
		return err
	}
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	err := fn(ctx)
	var down *dockerops.UnreachableError
	if errors.As(err, &down) && ctx.Err() == nil && idempotent {
		// A connection reset or closed under load: once more.
		err = fn(ctx)
	}
	if errors.As(err, &down) {
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
			ports[int(p)] = 0
		}
		var err error
		id, err = r.e.Run(ctx, dockerops.RunOptions{
			Image: spec.Image, Name: spec.Name, Ports: ports, Env: spec.Env, Labels: spec.Labels,
		})
		if err != nil && id != "" {
			_ = r.e.Remove(ctx, id, true)
			id = ""
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
			out = engineContainer{
				ID: info.ID, Task: info.Labels[labelTask], Container: info.Labels[labelContainer],
				State: info.State, ExitCode: info.ExitCode, Ports: info.Ports,
			}
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

func (r *engineRunner) List(ctx context.Context, account string) ([]engineContainer, error) {
	var out []engineContainer
	err := r.call(ctx, engineTimeout, true, func(ctx context.Context) error {
		cs, err := r.e.ContainersByLabel(ctx, labelAccount, account)
		for _, c := range cs {
			out = append(out, engineContainer{
				ID: c.ID, Task: c.Labels[labelTask], Container: c.Labels[labelContainer], State: c.State,
			})
		}
		return err
	})
	return out, err
}

// images answers, during one call, whether the engine has an image: each
// reference is asked once per call, however many tasks a replay pulls.
type images struct {
	ctx   context.Context
	r     runner // nil: the account has no engine
	known map[string]imageCheck
}

type imageCheck struct {
	local bool
	err   error // the engine did not answer
}

// errNoEngine is why an image cannot be local when the account has no
// engine.
var errNoEngine = errors.New("deckhand was started without one")

func (im *images) check(ref string) imageCheck {
	if im == nil || im.r == nil {
		return imageCheck{err: errNoEngine}
	}
	if c, ok := im.known[ref]; ok {
		return c
	}
	ok, err := im.r.ImageExists(im.ctx, ref)
	c := imageCheck{local: ok, err: err}
	if im.known == nil {
		im.known = map[string]imageCheck{}
	}
	im.known[ref] = c
	return c
}

// pull decides what pulling ref does: the image runs on the local engine,
// is simulated (neither), or fails with the CannotPullContainerError msg.
func (w *world) pull(ref string) (local bool, msg string) {
	c := w.images.check(ref)
	if c.local {
		return true, ""
	}
	msg = pullError(ref)
	if m := reECR.FindStringSubmatch(ref); m != nil && m[1] == w.Account && c.err != nil {
		msg += " (the sandbox has no Docker engine to run it: " + engineMessage(c.err) +
			"; images of the sandbox's ECR repositories run on the local Docker engine)"
	}
	return false, msg
}

// accountLabel is the value of labelAccount: the state file, which names
// the account.
func (a *Account) accountLabel() string { return a.path }

// containerName is the engine's name for a task's container: readable in
// `docker ps`, unique per account (several accounts may share an engine and
// even task IDs, which come from a seeded generator).
func (a *Account) containerName(t *task, ct *container) string {
	h := sha256.Sum256([]byte(a.path))
	id := t.ID
	if len(id) > 12 {
		id = id[:12]
	}
	return "sandbox-" + ct.Name + "-" + id + "-" + hex.EncodeToString(h[:3])
}

// syncNeeded reports whether the state has a container that runs for real
// (or, for a STOPPED task, may not be removed yet), or this Account has not
// yet looked for leftovers.
func (a *Account) syncNeeded(w *world) bool {
	if a.runner == nil {
		return false
	}
	if !a.synced {
		return true
	}
	for _, r := range w.Regions {
		for _, c := range r.Clusters {
			for _, t := range c.Tasks {
				if slices.ContainsFunc(t.Containers, func(ct *container) bool { return ct.Local }) {
					return true
				}
			}
			for _, t := range c.Stopped {
				if slices.ContainsFunc(t.Containers, func(ct *container) bool { return ct.Local && ct.DockerID != "" }) {
					return true
				}
			}
		}
	}
	return false
}

// engineJob is one engine call sync decided on, and what came of it.
type engineJob struct {
	kind  jobKind
	r     *region
	c     *cluster
	t     *task
	ct    *container
	id    string  // the engine's container (all but jobStart)
	spec  runSpec // jobStart
	found engineContainer
	err   error
}

type jobKind int

const (
	jobStart   jobKind = iota // create and start; inspect its ports
	jobObserve                // it exited by itself: inspect its exit code
	jobStop                   // stop, then inspect its exit code
	jobRemove                 // remove (killing it if it still runs)
)

// sync makes the engine match the state at now and records what the engine
// did by itself. See the comment at the top of this file.
func (a *Account) sync(ctx context.Context, w *world) {
	if !a.syncNeeded(w) {
		return
	}
	list, listErr := a.runner.List(ctx, a.accountLabel())
	type key struct{ task, ctr string }
	found := map[key][]engineContainer{}
	for _, ec := range list {
		k := key{ec.Task, ec.Container}
		found[k] = append(found[k], ec)
	}
	mutate := !a.readonly
	var jobs []*engineJob
	add := func(j *engineJob) { jobs = append(jobs, j) }
	known := map[key]bool{}
	for _, rn := range sortedKeys(w.Regions) {
		r := w.Regions[rn]
		for _, c := range r.Clusters {
			for _, t := range slices.Concat(c.Tasks, c.Stopped) {
				for _, ct := range t.Containers {
					if !ct.Local {
						continue
					}
					k := key{t.ARN, ct.Name}
					known[k] = true
					ecs := found[k]
					// The container of record, else the first one found
					// (adopted); any other is a duplicate and goes.
					var cur *engineContainer
					for i := range ecs {
						if ecs[i].ID == ct.DockerID || (cur == nil && ct.DockerID == "") {
							cur = &ecs[i]
						}
					}
					for _, ec := range ecs {
						if mutate && (cur == nil || ec.ID != cur.ID) {
							add(&engineJob{kind: jobRemove, id: ec.ID})
						}
					}
					switch t.LastStatus {
					case "ACTIVATING", "RUNNING", "DEACTIVATING": // it runs
						if ct.LastStatus == "STOPPED" {
							break // its exit is recorded
						}
						switch {
						case cur != nil && cur.State == "created":
							if mutate { // a start that failed half-way
								add(&engineJob{kind: jobRemove, id: cur.ID})
							}
						case cur != nil && cur.running():
							if ct.DockerID != cur.ID { // adopt it
								ct.DockerID, w.dirty = cur.ID, true
							}
							if len(ct.Bindings) == 0 && ct.Port != 0 {
								add(&engineJob{kind: jobObserve, r: r, c: c, t: t, ct: ct, id: cur.ID})
							}
						case cur != nil:
							add(&engineJob{kind: jobObserve, r: r, c: c, t: t, ct: ct, id: cur.ID})
						case ct.DockerID != "" && listErr == nil:
							// Gone from the engine (docker rm -f): as in
							// ECS when its container vanishes.
							w.containerExited(r, c, t, ct, nil, "the container is gone from the local Docker engine")
						case ct.DockerID == "" && mutate && t.DesiredStatus == "RUNNING" && t.LastStatus != "DEACTIVATING":
							if listErr != nil {
								w.startFailed(r, c, t, engineMessage(listErr))
								break
							}
							add(&engineJob{kind: jobStart, r: r, c: c, t: t, ct: ct, spec: a.runSpec(r, t, ct)})
						}
					case "STOPPING", "DEPROVISIONING": // it is stopped
						if cur != nil && cur.running() && mutate {
							add(&engineJob{kind: jobStop, r: r, c: c, t: t, ct: ct, id: cur.ID})
						}
					case "STOPPED": // it is gone
						switch {
						case cur != nil && mutate:
							add(&engineJob{kind: jobRemove, ct: ct, id: cur.ID})
						case cur == nil && ct.DockerID != "" && listErr == nil:
							ct.DockerID, w.dirty = "", true // removed: nothing more to sync
						}
					}
				}
			}
		}
	}
	if listErr != nil {
		return
	}
	a.synced = true
	if mutate {
		// Containers of tasks ECS has forgotten, or of an account that was
		// reset.
		for k, ecs := range found {
			if !known[k] {
				for _, ec := range ecs {
					add(&engineJob{kind: jobRemove, id: ec.ID})
				}
			}
		}
	}
	a.runJobs(ctx, jobs)
	for _, j := range jobs {
		w.apply(j)
	}
}

// runJobs makes the engine calls, several at a time.
func (a *Account) runJobs(ctx context.Context, jobs []*engineJob) {
	sem := make(chan struct{}, engineWorkers)
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			switch j.kind {
			case jobStart:
				j.id, j.err = a.runner.Run(ctx, j.spec)
				if j.err == nil {
					j.found, j.err = a.runner.Inspect(ctx, j.id)
				}
			case jobObserve:
				j.found, j.err = a.runner.Inspect(ctx, j.id)
			case jobStop:
				if j.err = a.runner.Stop(ctx, j.id, stopGrace); j.err == nil {
					j.found, j.err = a.runner.Inspect(ctx, j.id)
				}
			case jobRemove:
				j.err = a.runner.Remove(ctx, j.id)
			}
		}()
	}
	wg.Wait()
}

// apply records what an engine call found.
func (w *world) apply(j *engineJob) {
	switch j.kind {
	case jobStart:
		if j.err != nil && j.id == "" {
			w.startFailed(j.r, j.c, j.t, engineMessage(j.err))
			return
		}
		j.ct.DockerID, w.dirty = j.id, true
		if j.err == nil {
			j.ct.Bindings = bindings(j.found.Ports)
			// It may already have exited: the next sync sees it.
		}
	case jobObserve:
		if j.err != nil {
			return // the next sync looks again
		}
		if j.found.running() {
			if len(j.ct.Bindings) == 0 {
				j.ct.Bindings, w.dirty = bindings(j.found.Ports), true
			}
			return
		}
		code := int32(j.found.ExitCode)
		w.containerExited(j.r, j.c, j.t, j.ct, &code, "")
	case jobRemove:
		if j.err == nil && j.ct != nil && j.ct.DockerID == j.id {
			j.ct.DockerID, w.dirty = "", true
		}
	case jobStop:
		if j.err == nil && !j.found.running() && j.ct.LastStatus != "STOPPED" {
			code := int32(j.found.ExitCode)
			j.ct.LastStatus, j.ct.ExitCode, w.dirty = "STOPPED", &code, true
		}
	}
}

// runSpec is how a task's container runs on the engine.
func (a *Account) runSpec(r *region, t *task, ct *container) runSpec {
	spec := runSpec{
		Image: ct.Image, Name: a.containerName(t, ct),
		Labels: map[string]string{labelAccount: a.accountLabel(), labelTask: t.ARN, labelContainer: ct.Name},
	}
	if ct.Port != 0 {
		spec.Ports = []int32{ct.Port}
	}
	if td := r.taskDef(t.TaskDef); td != nil {
		for _, cd := range td.Containers {
			if cd.Name == ct.Name {
				for _, k := range slices.Sorted(maps.Keys(cd.Env)) {
					spec.Env = append(spec.Env, k+"="+cd.Env[k])
				}
			}
		}
	}
	return spec
}

// bindings are a container's published ports, as ECS reports
// networkBindings.
func bindings(ports map[int]int) []binding {
	var out []binding
	for _, cp := range slices.Sorted(maps.Keys(ports)) {
		out = append(out, binding{HostIP: "127.0.0.1", HostPort: int32(ports[cp]), ContainerPort: int32(cp), Protocol: "tcp"})
	}
	return out
}

// engineMessage shortens an engine error for a stoppedReason: dockerops
// prefixes the command ("docker run IMAGE: start: "), which ECS would not
// say; the engine's own words ("Error response from daemon: …") stay.
func engineMessage(err error) string {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "docker ") {
		msg = strings.TrimPrefix(rest, "start: ")
	}
	return msg
}
