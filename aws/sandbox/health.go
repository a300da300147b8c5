package sandbox

import (
	"slices"
	"strings"
	"time"

	"deckhand/dockerops"
)

// Container health checks and the start of containers that run for real.
//
// A simulated container with a health check turns HEALTHY after a
// simulated delay (ecsHealthy). A container that runs on the local engine
// must not: a learner whose app crashes at once would see it HEALTHY and
// its deployment complete. Its health check is the engine's instead: the
// runner gives the container the task definition's check as its
// HEALTHCHECK (healthcheck), sync inspects the container at every call
// while its task runs and records what the engine says (observed), and
// the simulation reads only that: the container is UNKNOWN while the
// engine says starting, HEALTHY once it says healthy, UNHEALTHY once it
// says unhealthy. As in ECS, an essential container that turns UNHEALTHY
// has its task stopped by the service scheduler ("Task failed container
// health checks"), which counts against the deployment's circuit breaker;
// a task run by hand keeps running, UNHEALTHY.
//
// The same observation decides when a real task is RUNNING: its task
// leaves ACTIVATING only once a sync after the one that started the
// container has found it running (observed), so the simulation cannot
// report RUNNING, nor complete a deployment without health checks, in the
// call that starts a container that then crashes; a container that exits
// before then fails its task's start (containerExited). A read-only
// deckhand starts nothing, so its tasks wait in ACTIVATING until a
// deckhand that may starts their containers.

// ECS's container health check defaults (API_HealthCheck.html): interval
// 30 s, timeout 5 s, 3 retries, no start period. The task definitions the
// sandbox takes carry only the command, so these always apply.
const (
	healthInterval0 = 30 * time.Second
	healthTimeout0  = 5 * time.Second
	healthRetries0  = 3
	healthFloor     = time.Second // Docker's minimum interval is 1 ms; below a second checks only burn CPU
)

// hasHealthCheck reports whether a container definition's health check
// command checks anything (["NONE"] disables the image's).
func hasHealthCheck(cmd []string) bool { return len(cmd) > 1 && cmd[0] != "NONE" }

// healthcheck is the engine's HEALTHCHECK for a container definition's
// health check command, or nil without one. The command is given as ECS
// takes it (["CMD-SHELL", "…"] or ["CMD", argv…]), which is Docker's own
// form. The interval and timeout are ECS's, divided by the account's speed
// with a floor of a second, as every other delay of the sandbox is: a
// demo at --sandbox-speed 10 checks every 3 s, not every 30 s, and its
// HEALTHY comes about as soon as the simulated delays around it.
func healthcheck(cmd []string, speed float64) *dockerops.Healthcheck {
	if !hasHealthCheck(cmd) {
		return nil
	}
	scale := func(d time.Duration) time.Duration {
		return max(time.Duration(float64(d)/speed).Truncate(time.Millisecond), healthFloor)
	}
	return &dockerops.Healthcheck{
		Test: slices.Clone(cmd), Interval: scale(healthInterval0), Timeout: scale(healthTimeout0), Retries: healthRetries0,
	}
}

// watched reports whether sync must inspect the running container at each
// call: until it has been observed running, and while it has a health
// check.
func (ct *container) watched() bool { return !ct.Observed || ct.Checked }

// awaitsEngine reports whether the task has a container that runs for
// real and that no sync has yet found running.
func (t *task) awaitsEngine() bool {
	return slices.ContainsFunc(t.Containers, func(ct *container) bool { return ct.Local && !ct.Observed })
}

// simChecked reports whether the task has a simulated container with a
// health check, whose HEALTHY the simulation decides.
func (t *task) simChecked() bool {
	return slices.ContainsFunc(t.Containers, func(ct *container) bool { return ct.Checked && !ct.Local })
}

// taskHealth is the task's healthStatus from its containers' as ECS
// derives it: UNHEALTHY if an essential container is, HEALTHY once all the
// essential ones with a health check are, UNKNOWN otherwise. Non-essential
// containers count only when no essential one has a health check.
func (t *task) taskHealth() string {
	counted := func(ct *container) bool { return ct.Checked && ct.Essential }
	if !slices.ContainsFunc(t.Containers, counted) {
		counted = func(ct *container) bool { return ct.Checked }
	}
	n, healthy := 0, 0
	for _, ct := range t.Containers {
		if !counted(ct) {
			continue
		}
		n++
		switch ct.Health {
		case "UNHEALTHY":
			return "UNHEALTHY"
		case "HEALTHY":
			healthy++
		}
	}
	if n > 0 && healthy == n {
		return "HEALTHY"
	}
	return "UNKNOWN"
}

// observed records what a sync found of a running real container: that it
// runs, and its engine health ("", starting, healthy, unhealthy). The
// first observation lets a task waiting in ACTIVATING run.
func (w *world) observed(r *region, c *cluster, t *task, ct *container, engineHealth string) {
	if !ct.Observed {
		ct.Observed, w.dirty = true, true
	}
	if t.DesiredStatus != "RUNNING" {
		return
	}
	if t.LastStatus == "ACTIVATING" && t.Due.IsZero() && !t.awaitsEngine() {
		w.running(r, c, t)
	}
	if !ct.Checked {
		return
	}
	h := "UNKNOWN"
	switch engineHealth {
	case "healthy":
		h = "HEALTHY"
	case "unhealthy":
		h = "UNHEALTHY"
	}
	if h == ct.Health {
		return
	}
	ct.Health, w.dirty = h, true
	t.Health = t.taskHealth()
	// Only a service's scheduler stops an unhealthy task; one run by hand
	// keeps running (API_HealthCheck.html).
	if t.Health == "UNHEALTHY" && t.LastStatus == "RUNNING" && strings.HasPrefix(t.Group, "service:") {
		w.stopTask(t, "ServiceSchedulerInitiated", "Task failed container health checks")
		w.taskChanged(r, c, t, taskUnhealthy)
		return
	}
	if t.Health == "HEALTHY" {
		w.taskChanged(r, c, t, taskMoved) // it may be what the deployment waited for
	}
}

// running moves an ACTIVATING task to RUNNING.
func (w *world) running(r *region, c *cluster, t *task) {
	t.LastStatus, t.Started, w.dirty = "RUNNING", w.now, true
	w.startLogs(r, t) // failures.go
	w.scheduleRunning(t)
	w.taskChanged(r, c, t, taskStarted)
}
