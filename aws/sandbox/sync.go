package sandbox

// This file is the reconciliation half of running tasks for real (see
// runner.go for the rules): the plan of the engine calls that make the
// engine match the simulated tasks, which the engine worker (worker.go)
// makes and carries out.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// pull decides what pulling ref does: the image runs on the local engine,
// is simulated (neither), or fails with the CannotPullContainerError msg.
// known is false while the engine worker has not yet said whether the
// engine has the image (imagecache.go): the pull goes on.
func (w *world) pull(ref string) (local bool, msg string, known bool) {
	c, known := w.images.check(ref)
	switch {
	case !known:
		return false, "", false
	case c.local:
		return true, "", true
	}
	msg = pullError(ref)
	if m := reECR.FindStringSubmatch(ref); m != nil && m[1] == w.Account && c.err != nil {
		msg += " (the sandbox has no Docker engine to run it: " + engineMessage(c.err) +
			"; images of the sandbox's ECR repositories run on the local Docker engine)"
	}
	return false, msg, true
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
// (or, for a STOPPED task, may not be removed yet), the engine had some of
// the account's containers at the last look (one of a task the state has
// since forgotten is removed), or this Account has not yet looked for
// leftovers.
func (a *Account) syncNeeded(w *world) bool {
	if a.runner == nil {
		return false
	}
	if !a.synced || a.eng.listed > 0 || a.proxiesNeeded(w) {
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
			if len(in.Runs) > 0 || in.StandIn != nil || !a.readonly && (in.State == "running") != in.RunsDecided && (in.RunsDecided || in.UserData != "") {
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
	in    *instance    // ru's instance
	l     *listener    // a load balancer's proxy (elb_proxy.go)
	id    string       // the engine's container (all but jobStart)
	old   []string     // jobProxy: the containers it replaces
	spec  runSpec      // jobStart, jobProxy
	url   string       // jobProbe
	found engineContainer
	code  int      // jobProbe: the HTTP status
	logs  *logCopy // a task container's output to keep (logcopy.go)
	err   error
	// ctx is the job's own: cancelled when it is superseded (worker.go).
	ctx    context.Context
	cancel context.CancelFunc
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

// plan decides the engine calls that make the engine, whose containers of
// this account are list (or listErr), match the state at now, and records
// what the engine did by itself. It makes no engine call: the worker
// (worker.go) lists before and carries the jobs out after, outside the
// lock. See the comment at the top of this file.
func (a *Account) plan(w *world, list []engineContainer, listErr error) []*engineJob {
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
		return jobs
	}
	for _, rn := range sortedKeys(w.Regions) {
		for _, in := range w.Regions[rn].Instances {
			if in.State == "running" && !in.RunsDecided && mutate {
				var runs []*instanceRun
				known := true
				for i, dr := range in.userDataRuns() {
					c, ok := w.images.check(dr.Image)
					known = known && ok
					switch {
					case c.local:
						runs = append(runs, &instanceRun{Index: i, Image: dr.Image, Ports: dr.Ports, Env: dr.Env})
					case ok && pullError(dr.Image) != "":
						// An image no registry has: cloud-init's docker run
						// fails as docker says it (the status checks pass).
						runs = append(runs, &instanceRun{Index: i, Image: dr.Image, Ports: dr.Ports,
							Failed: "Unable to find image '" + dr.Image + "' locally; docker: Error response from daemon: manifest for " + dr.Image + " not found: manifest unknown"})
					}
				}
				if known { // else decided once the worker has asked the engine
					in.Runs, in.RunsDecided, w.dirty = runs, true, true
				}
			}
			a.decideStandIn(w, w.Regions[rn], in) // standin.go
			for _, ru := range in.allRuns() {
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
				if in.Reboot && mutate { // ec2_admin.go: its containers restart
					for _, ec := range ecs {
						add(&engineJob{kind: jobStopRemove, id: ec.ID})
					}
					ru.DockerID, ru.Bindings, ru.Failed, w.dirty = "", nil, "", true
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
						add(&engineJob{kind: jobObserve, ru: ru, in: in, id: cur.ID})
					}
				case cur != nil: // it exited, or a start failed half-way: the next sync starts it again
					if mutate {
						add(&engineJob{kind: jobRemove, ru: ru, in: in, id: cur.ID})
					}
				case ru.DockerID != "":
					ru.DockerID, ru.Bindings, w.dirty = "", nil, true
				case ru.Failed == "" && ru.Image != "" && mutate:
					add(&engineJob{kind: jobStart, ru: ru, in: in, spec: a.instanceRunSpec(in, ru)})
				}
			}
			if in.Reboot && mutate {
				in.Reboot, w.dirty = false, true
			}
			if in.State != "running" && in.RunsDecided && mutate {
				// Its containers go (above); the next start decides afresh.
				in.Runs, in.RunsDecided, w.dirty = nil, false, true
			}
			if in.State != "running" && in.StandIn != nil && mutate {
				// Its container goes (above): a stand-in lives for one run.
				in.StandIn, w.dirty = nil, true
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
	jobs = append(jobs, a.syncProxies(w, proxies)...)
	jobs = append(jobs, w.probes()...)
	w.planLogCopies(jobs)
	return jobs
}
