package sandbox

// This file is the reconciliation half of running tasks for real (see
// runner.go for the rules): which images the engine has, and sync, which
// makes the engine match the simulated tasks after each advance.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
)

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
	if !a.synced || a.proxiesNeeded(w) {
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
		for _, in := range r.Instances {
			if len(in.Runs) > 0 || !a.readonly && (in.State == "running") != in.RunsDecided && (in.RunsDecided || in.UserData != "") {
				return true
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
	ru    *instanceRun // an instance's container (ec2_run.go)
	l     *listener    // a load balancer's proxy (elb_proxy.go)
	id    string       // the engine's container (all but jobStart)
	old   []string     // jobProxy: the containers it replaces
	spec  runSpec      // jobStart, jobProxy
	url   string       // jobProbe
	found engineContainer
	code  int      // jobProbe: the HTTP status
	logs  *logCopy // a task container's output to keep (logcopy.go)
	err   error
}

type jobKind int

const (
	jobStart      jobKind = iota // create and start; inspect its ports
	jobObserve                   // it exited by itself: inspect its exit code
	jobStop                      // stop, then inspect its exit code
	jobRemove                    // remove (killing it if it still runs)
	jobStopRemove                // stop, then remove
	jobProbe                     // a load balancer's health check (elb_probe.go)
	jobProxy                     // remove a load balancer's old proxy, start its new one (elb_proxy.go)
)

// sync makes the engine match the state at now and records what the engine
// did by itself. See the comment at the top of this file.
func (a *Account) sync(ctx context.Context, w *world) {
	if !a.syncNeeded(w) {
		return
	}
	list, listErr := a.runner.List(ctx, a.accountLabel())
	type key struct{ task, instance, ctr string }
	found := map[key][]engineContainer{}
	var proxies []engineContainer // syncProxies decides on these
	for _, ec := range list {
		if ec.Listener != "" {
			proxies = append(proxies, ec)
			continue
		}
		k := key{ec.Task, ec.Instance, ec.Container}
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
					k := key{t.ARN, "", ct.Name}
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
							if (len(ct.Bindings) == 0 || ct.IP == "") && ct.Port != 0 || ct.watched() {
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
							add(&engineJob{kind: jobRemove, r: r, c: c, t: t, ct: ct, id: cur.ID})
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
	for _, rn := range sortedKeys(w.Regions) {
		for _, in := range w.Regions[rn].Instances {
			if in.State == "running" && !in.RunsDecided && mutate {
				for i, dr := range in.userDataRuns() {
					if w.images.check(dr.Image).local {
						in.Runs = append(in.Runs, &instanceRun{Index: i, Image: dr.Image, Ports: dr.Ports, Env: dr.Env})
					}
				}
				in.RunsDecided, w.dirty = true, true
			}
			for _, ru := range in.Runs {
				k := key{"", in.ID, ru.name()}
				known[k] = true
				ecs := found[k]
				if in.State != "running" {
					if mutate {
						for _, ec := range ecs {
							add(&engineJob{kind: jobStopRemove, id: ec.ID})
						}
					}
					continue
				}
				var cur *engineContainer
				for i := range ecs {
					if ecs[i].ID == ru.DockerID || (cur == nil && ru.DockerID == "") {
						cur = &ecs[i]
					}
				}
				for _, ec := range ecs {
					if mutate && (cur == nil || ec.ID != cur.ID) {
						add(&engineJob{kind: jobRemove, id: ec.ID})
					}
				}
				switch {
				case cur != nil && cur.running():
					if ru.DockerID != cur.ID { // adopt it
						ru.DockerID, w.dirty = cur.ID, true
					}
					if len(ru.Bindings) == 0 && len(ru.Ports) > 0 {
						add(&engineJob{kind: jobObserve, ru: ru, id: cur.ID})
					}
				case cur != nil: // it exited, or a start failed half-way: the next sync starts it again
					if mutate {
						add(&engineJob{kind: jobRemove, ru: ru, id: cur.ID})
					}
				case ru.DockerID != "":
					ru.DockerID, ru.Bindings, w.dirty = "", nil, true
				case ru.Failed == "" && mutate:
					add(&engineJob{kind: jobStart, ru: ru, spec: a.instanceRunSpec(in, ru)})
				}
			}
			if in.State != "running" && in.RunsDecided && mutate {
				// Its containers go (above); the next start decides afresh.
				in.Runs, in.RunsDecided, w.dirty = nil, false, true
			}
		}
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
	jobs = append(jobs, a.syncProxies(ctx, w, proxies)...)
	jobs = append(jobs, w.probes()...)
	w.planLogCopies(jobs)
	a.runJobs(ctx, jobs)
	for _, j := range jobs {
		w.apply(j)
	}
}
