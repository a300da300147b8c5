package sandbox

import (
	"slices"
	"strings"
	"time"

	"deckhand/internal/resource"
)

// A task's life on Fargate (developerguide/task-lifecycle-explanation.html):
//
//	PROVISIONING → PENDING → ACTIVATING → RUNNING
//	  → (desired STOPPED) DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED
//
// A task that fails or is stopped before it runs goes from PROVISIONING or
// PENDING straight to DEPROVISIONING. Each step is scheduled in task.Due;
// stepTask takes it from the task's current state, so a stop request needs
// no cancelled events.

// startTask creates a task in PROVISIONING.
func (w *world) startTask(r *region, c *cluster, td *taskDef, launchType, group, deployment string) *task {
	id := w.hexID(32)
	t := &task{
		ID: id, ARN: w.arn(r, "task/"+c.Name+"/"+id), Group: group, Deployment: deployment,
		TaskDef: td.ARN, LaunchType: launchType, LastStatus: "PROVISIONING", DesiredStatus: "RUNNING",
		Health: "UNKNOWN", Created: w.now, Due: w.after(ecsProvisioning),
	}
	for _, cd := range td.Containers {
		t.Containers = append(t.Containers, &container{
			Name: cd.Name, Image: cd.Image, Essential: cd.Essential, Checked: hasHealthCheck(cd.HealthCheck),
			LastStatus: "PENDING", Health: "UNKNOWN", Port: cd.Port,
		})
	}
	c.Tasks = append(c.Tasks, t)
	w.adopt(r, c, t)
	return t
}

// stopTask sets the desired status to STOPPED, unless it already is. It
// reports whether anything changed; the caller tells the service.
func (w *world) stopTask(t *task, code, reason string) bool {
	defer w.sched(t)
	if t.DesiredStatus == "STOPPED" {
		return false
	}
	t.DesiredStatus, t.StopCode, t.StoppedReason, t.Stopping = "STOPPED", code, reason, w.now
	if t.LastStatus == "RUNNING" || t.LastStatus == "ACTIVATING" && t.Due.IsZero() {
		// Replaces a pending health or exit event, or ends the wait for
		// the engine (health.go).
		t.Due = w.after(ecsStopRequest)
	}
	return true
}

func (t *task) pending() bool {
	switch t.LastStatus {
	case "PROVISIONING", "PENDING", "ACTIVATING":
		return t.DesiredStatus == "RUNNING"
	}
	return false
}

// checked reports whether the task has a container health check, in which
// case it counts as started only once HEALTHY.
func (t *task) checked() bool {
	return slices.ContainsFunc(t.Containers, func(c *container) bool { return c.Checked })
}

// ready is a task that counts towards a deployment's steady state: its
// container health check and its load balancer's, if any, pass.
func (t *task) ready() bool {
	return t.LastStatus == "RUNNING" && t.DesiredStatus == "RUNNING" && (!t.checked() || t.Health == "HEALTHY") &&
		(t.Target == nil || t.Target.State == "healthy")
}

// stepTask makes the task's next move.
func (w *world) stepTask(r *region, c *cluster, t *task) {
	defer w.sched(t)
	t.Due = time.Time{}
	stopping := t.DesiredStatus == "STOPPED"
	switch t.LastStatus {
	case "PROVISIONING":
		if stopping {
			t.LastStatus, t.Due = "DEPROVISIONING", w.after(ecsDeprovisioning)
			break
		}
		for _, ct := range t.Containers {
			w.images.prefetch(ct.Image) // asked before the pull (imagecache.go)
		}
		t.LastStatus, t.Due = "PENDING", w.after(ecsPending)
	case "PENDING":
		if stopping {
			t.LastStatus, t.Due = "DEPROVISIONING", w.after(ecsDeprovisioning)
			break
		}
		local := make([]bool, len(t.Containers))
		for i, ct := range t.Containers {
			var known bool
			msg := w.registryAuth(r, t, ct.Image) // failures.go: credentials come before the pull
			if msg == "" {
				if local[i], msg, known = w.pull(ct.Image); !known {
					// Still pulling: the engine worker is asking the engine
					// whether it has the image (imagecache.go).
					t.Due = w.now.Add(w.scaled(pullRetry))
					return
				}
			}
			if msg != "" {
				w.stopTask(t, "TaskFailedToStart", msg)
				ct.Reason = msg
				for _, x := range t.Containers {
					x.LastStatus = "STOPPED"
				}
				t.LastStatus, t.Due = "DEPROVISIONING", w.after(ecsDeprovisioning)
				w.taskChanged(r, c, t, taskFailed)
				return
			}
		}
		for i, ct := range t.Containers {
			ct.LastStatus, ct.Local = "RUNNING", local[i]
		}
		t.LastStatus, t.Due = "ACTIVATING", w.after(ecsActivating)
		w.registerTarget(r, c, t) // elb_targets.go
	case "ACTIVATING":
		if stopping {
			w.deactivate(c, t)
			break
		}
		if t.awaitsEngine() { // until a sync finds its container running (health.go)
			return
		}
		w.running(r, c, t)
		return
	case "RUNNING":
		switch {
		case stopping:
			w.deactivate(c, t)
		case t.oneShot(): // (a simulated one: real containers exit by themselves)
			w.stopTask(t, "EssentialContainerExited", "Essential container in task exited")
			zero := int32(0)
			for _, ct := range t.Containers {
				ct.LastStatus, ct.ExitCode = "STOPPED", &zero
			}
			w.deactivate(c, t)
		case t.crashes(): // failures.go
			w.crash(r, c, t)
		default: // the first health check of the simulated containers (failures.go)
			w.firstHealthCheck(r, c, t)
		}
	case "DEACTIVATING": // its target, if any, has drained
		w.deregister(c, t)
		t.LastStatus, t.Due = "STOPPING", w.after(ecsStopping)
	case "STOPPING":
		zero := int32(0) // SIGTERM, and the container exits cleanly
		for _, ct := range t.Containers {
			if ct.LastStatus != "STOPPED" {
				ct.LastStatus, ct.ExitCode = "STOPPED", &zero
			}
		}
		t.LastStatus, t.Due = "DEPROVISIONING", w.after(ecsDeprovisioning)
	case "DEPROVISIONING":
		for _, ct := range t.Containers {
			ct.LastStatus = "STOPPED"
		}
		t.LastStatus, t.Stopped, t.Due = "STOPPED", w.now, w.after(ecsRetention)
		c.Tasks = slices.DeleteFunc(c.Tasks, func(x *task) bool { return x == t })
		// In expiry order; the speed (hence the retention) may differ
		// between the processes sharing the account.
		i, _ := slices.BinarySearchFunc(c.Stopped, t.Due, func(x *task, due time.Time) int {
			return x.Due.Compare(due)
		})
		c.Stopped = slices.Insert(c.Stopped, i, t)
	case "STOPPED": // ECS forgets it
		c.Stopped = slices.DeleteFunc(c.Stopped, func(x *task) bool { return x == t })
		return
	}
	w.taskChanged(r, c, t, taskMoved)
}

// scheduleRunning schedules what happens to a running task by itself: a
// one-shot image's container exits, or the first health check passes.
func (w *world) scheduleRunning(t *task) {
	defer w.sched(t)
	switch {
	case t.oneShot(), t.crashes():
		t.Due = w.after(ecsOneShotExit)
	case t.simChecked():
		t.Due = w.after(ecsHealthy)
	}
}

// oneShot reports whether an essential simulated container's image exits
// by itself.
func (t *task) oneShot() bool {
	return slices.ContainsFunc(t.Containers, func(c *container) bool { return c.Essential && !c.Local && oneShot(c.Image) })
}

// containerExited records that a container running for real exited by
// itself (or vanished: code nil), as a sync observed it now. An essential
// container's exit stops an ACTIVATING or RUNNING task, as in ECS, with
// stopCode EssentialContainerExited; a task that had not reached RUNNING
// counts as failed to start for its service.
func (w *world) containerExited(r *region, c *cluster, t *task, ct *container, code *int32, reason string) {
	ct.LastStatus, ct.ExitCode, w.dirty = "STOPPED", code, true
	if reason != "" {
		ct.Reason = reason
	}
	if !ct.Essential || (t.LastStatus != "ACTIVATING" && t.LastStatus != "RUNNING") {
		return
	}
	news := taskMoved
	switch {
	case t.LastStatus == "ACTIVATING":
		news = taskFailed
	case t.checked() && t.Health != "HEALTHY":
		// It never passed its health checks: a failed task for the
		// deployment's circuit breaker, as in ECS.
		news = taskUnhealthy
	}
	w.stopTask(t, "EssentialContainerExited", "Essential container in task exited")
	w.deactivate(c, t)
	w.taskChanged(r, c, t, news)
}

// startFailed stops a task whose container the local engine could not
// start: TaskFailedToStart, with the engine's message as a
// CannotStartContainerError (the error ECS reports when the container
// runtime refuses a container).
func (w *world) startFailed(r *region, c *cluster, t *task, msg string) {
	reason := "CannotStartContainerError: " + msg
	news := taskMoved
	if t.LastStatus == "ACTIVATING" {
		news = taskFailed
	}
	w.stopTask(t, "TaskFailedToStart", reason)
	for _, ct := range t.Containers {
		if ct.LastStatus != "STOPPED" {
			ct.LastStatus = "STOPPED"
			if ct.Local && ct.DockerID == "" {
				ct.Reason = reason
			}
		}
	}
	t.LastStatus, t.Due, w.dirty = "DEPROVISIONING", w.after(ecsDeprovisioning), true
	w.deregister(c, t)
	w.taskChanged(r, c, t, news)
}

// What happened to a task, for its service.
type taskNews int

const (
	taskMoved     taskNews = iota
	taskStarted            // reached RUNNING
	taskFailed             // stopped before RUNNING (TaskFailedToStart)
	taskUnhealthy          // stopped by ECS for failing its load balancer's health checks
)

// taskChanged tells the task's service, if any, what happened to the task.
func (w *world) taskChanged(r *region, c *cluster, t *task, news taskNews) {
	name, ok := strings.CutPrefix(t.Group, "service:")
	if !ok {
		return
	}
	if s := c.service(name); s != nil {
		w.serviceTaskChanged(r, c, s, t, news)
	}
}

func (t *task) resource(c *cluster) resource.Task {
	out := resource.Task{
		ARN: t.ARN, ID: t.ID, ClusterARN: c.ARN, Group: t.Group, TaskDefinition: t.TaskDef,
		LastStatus: t.LastStatus, DesiredStatus: t.DesiredStatus, Health: t.Health, LaunchType: t.LaunchType,
		CreatedAt: t.Created, StartedAt: t.Started, StoppingAt: t.Stopping, StoppedAt: t.Stopped,
		StopCode: t.StopCode, StoppedReason: t.StoppedReason,
	}
	for _, ct := range t.Containers {
		var exit *int32
		if ct.ExitCode != nil {
			v := *ct.ExitCode
			exit = &v
		}
		var bs []resource.Binding
		if ct.LastStatus != "STOPPED" { // ECS drops them as the container stops
			for _, b := range ct.Bindings {
				bs = append(bs, resource.Binding(b))
			}
		}
		out.Containers = append(out.Containers, resource.Container{
			TaskARN: t.ARN, Name: ct.Name, Image: ct.Image, LastStatus: ct.LastStatus,
			ExitCode: exit, Health: ct.Health, Reason: ct.Reason, NetworkBindings: bs, RuntimeID: ct.DockerID,
		})
	}
	return out
}
