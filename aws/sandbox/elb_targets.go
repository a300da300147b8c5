package sandbox

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"net/netip"
	"slices"
	"time"

	"deckhand/internal/cloud"
)

// ECS services behind a load balancer (developerguide/
// service-load-balancing.html, task-lifecycle-explanation.html, and
// elasticloadbalancing/latest/application/target-group-health-checks.html):
//
//   - While a task of such a service is ACTIVATING, ECS registers its
//     private IP and container port in the target group ("registered 1
//     targets in (target-group ARN)"). The target is "initial".
//   - Only a target group that an active load balancer forwards to is
//     health-checked, every healthInterval. The registration takes about
//     one interval (Elb.RegistrationInProgress), then a new target needs one
//     passing check (Elb.InitialHealthChecking): healthy healthyThreshold
//     intervals after checking began, which is also what a target that
//     recovers from unhealthy needs. unhealthyThreshold failed checks in a
//     row make it unhealthy. A target group no listener forwards to has its
//     targets "unused".
//   - A task counts towards its deployment (task.ready) only once its target
//     is healthy.
//   - An unhealthy target's task is stopped by ECS once the service's
//     health check grace period, counted from the task's start, is over
//     (ServiceSchedulerInitiated, "Task failed ELB health checks in
//     (target-group ARN)"); it counts as a failed task for the deployment
//     circuit breaker (its second stage checks health).
//   - A stopping task is deregistered while it is DEACTIVATING: its target
//     is "draining" for the deregistration delay, which the task waits for
//     before STOPPING, and then gone.
//
// What the health checks find: a simulated task's application answers
// (the target passes). A container that runs on the local Docker engine
// is checked for real: sync probes GET HealthPath on its published port at
// most once per interval (elb_probe.go) and records the outcome
// (observeTarget); only a change between passing and failing restarts the
// count of checks in a row. A container that is not running fails.

// The target group settings EnsureTargetGroup documents
// (aws/loadbalancer.go), at speed 1.
const (
	healthInterval      = 10 * time.Second
	healthyThreshold    = 2
	unhealthyThreshold  = 3
	deregistrationDelay = 30 * time.Second
)

// serviceLB is a service's load balancer: where ECS registers its tasks.
type serviceLB struct {
	TargetGroup string `json:"targetGroupArn"`
	Container   string `json:"containerName"`
	Port        int32  `json:"containerPort"`
}

// elbTarget is a task registered in its service's target group.
type elbTarget struct {
	TargetGroup string `json:"targetGroup"`
	IP          string `json:"ip"`
	Port        int32  `json:"port"`
	Container   string `json:"container"` // the task's container that serves Port
	State       string `json:"state"`     // initial, healthy, unhealthy, draining
	// Known is set once the checks' outcome is known: at once for a
	// simulated container, at the first probe for a real one. Failing is
	// the reason code they fail with ("" = they pass), FailDesc its
	// description.
	Known    bool   `json:"known,omitempty"`
	Failing  string `json:"failing,omitempty"`
	FailDesc string `json:"failingDescription,omitempty"`
	// Since is when the checks with the current outcome began; zero while
	// there are none (no active load balancer forwards to the group, or
	// the outcome is not known).
	Since  time.Time `json:"since,omitzero"`
	Probed time.Time `json:"probed,omitzero"` // the last real probe
	// Due is the next change of State, or when ECS looks at an unhealthy
	// target again (the end of the grace period).
	Due time.Time `json:"due,omitzero"`
}

// taskService is the service that owns t, or nil.
func taskService(c *cluster, t *task) *service {
	for _, s := range c.Services {
		if s.owns(t) {
			return s
		}
	}
	return nil
}

func (t *task) container(name string) *container {
	return find(t.Containers, func(ct *container) bool { return ct.Name == name })
}

// checkServiceLB checks a service's load balancer as CreateService and
// UpdateService do.
func checkServiceLB(op string, r *region, td *taskDef, lb *cloud.ServiceLoadBalancer) error {
	if lb == nil {
		return nil
	}
	g := r.targetGroup(lb.TargetGroupARN)
	switch {
	case g == nil:
		// ECS's words for a target group it cannot find, whatever the cause.
		return ecsError(op, "InvalidParameterException", "Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.")
	case len(r.forwarders(g.ARN)) == 0:
		return ecsError(op, "InvalidParameterException", "The target group with targetGroupArn %s does not have an associated load balancer.", g.ARN)
	case td.NetworkMode != "awsvpc":
		return ecsError(op, "InvalidParameterException", "The provided target group %s has target type ip, which is incompatible with the %s network mode specified in the task definition.", g.ARN, td.NetworkMode)
	}
	i := slices.IndexFunc(td.Containers, func(cd containerDef) bool { return cd.Name == lb.ContainerName })
	switch {
	case i < 0:
		return ecsError(op, "InvalidParameterException", "The container %s does not exist in the task definition.", lb.ContainerName)
	case td.Containers[i].Port != lb.ContainerPort:
		return ecsError(op, "InvalidParameterException", "The container %s did not have a container port %d defined.", lb.ContainerName, lb.ContainerPort)
	}
	return nil
}

// registerTarget registers a task entering ACTIVATING in its service's target
// group, if the service has one.
func (w *world) registerTarget(r *region, c *cluster, t *task) {
	s := taskService(c, t)
	if s == nil || s.LoadBalancer == nil {
		return
	}
	lb := s.LoadBalancer
	if r.targetGroup(lb.TargetGroup) == nil { // deleted since
		w.event(s, "failed to register targets in (target-group %s) with (error Target groups '%s' not found)", lb.TargetGroup, lb.TargetGroup)
		return
	}
	t.Target = &elbTarget{TargetGroup: lb.TargetGroup, IP: r.taskPrivateIP(c, t), Port: lb.Port, Container: lb.Container, State: "initial"}
	if ct := t.container(lb.Container); ct == nil || !ct.Local {
		t.Target.Known = true // a simulated application answers, or not (failures.go)
		t.Target.Failing, t.Target.FailDesc = w.simTargetFailing(r, c, t, t.Target)
	}
	w.event(s, "registered 1 targets in (target-group %s)", lb.TargetGroup)
	w.checkTarget(r, t)
}

// checked reports whether an active load balancer forwards to the target
// group, which then checks its targets.
func (r *region) checked(tgARN string) bool {
	return slices.ContainsFunc(r.forwarders(tgARN), func(lb *loadBalancer) bool { return lb.State == "active" })
}

// checkTarget schedules the target's next change: from when the checks of
// the current outcome began, healthy after healthyThreshold intervals,
// unhealthy after unhealthyThreshold; an unhealthy one that still fails is
// due for ECS at once (stepTarget waits out the grace period).
func (w *world) checkTarget(r *region, t *task) {
	defer w.sched(t)
	x := t.Target
	if x == nil || x.State == "draining" {
		return
	}
	if !x.Known || !r.checked(x.TargetGroup) {
		x.Since, x.Due = time.Time{}, time.Time{}
		return
	}
	if x.Since.IsZero() {
		x.Since = w.now
	}
	switch {
	case x.Failing == "" && x.State != "healthy":
		x.Due = x.Since.Add(w.scaled(healthyThreshold * healthInterval))
	case x.Failing != "" && x.State != "unhealthy":
		x.Due = x.Since.Add(w.scaled(unhealthyThreshold * healthInterval))
	case x.Failing != "":
		x.Due = w.now
	default:
		x.Due = time.Time{}
	}
}

// retarget reschedules every target after a change of what load balancers
// forward to; the targets of a deleted target group are gone.
func (w *world) retarget(r *region) {
	for _, c := range r.Clusters {
		for _, t := range c.Tasks {
			if t.Target != nil && r.targetGroup(t.Target.TargetGroup) == nil {
				t.Target = nil
			}
			w.checkTarget(r, t)
		}
	}
}

// stepTarget makes the target's scheduled change, and lets ECS act on it.
func (w *world) stepTarget(r *region, c *cluster, t *task) {
	defer w.sched(t)
	x := t.Target
	x.Due = time.Time{}
	if x.Failing == "" {
		x.State = "healthy"
		w.taskChanged(r, c, t, taskMoved) // the deployment may be complete
		return
	}
	x.State = "unhealthy"
	s := taskService(c, t)
	if s == nil || t.DesiredStatus != "RUNNING" {
		return
	}
	if t.Started.IsZero() { // not yet started: the grace period has not begun
		x.Due = w.now.Add(w.scaled(healthInterval))
		return
	}
	if end := t.Started.Add(w.scaled(time.Duration(s.HealthGrace) * time.Second)); end.After(w.now) {
		x.Due = end
		return
	}
	arn := x.TargetGroup
	w.event(s, "(task %s) failed ELB health checks in (target-group %s)", t.ID, arn)
	w.stopTask(t, "ServiceSchedulerInitiated", "Task failed ELB health checks in (target-group "+arn+")")
	w.taskChanged(r, c, t, taskUnhealthy)
}

// observeTarget records what a health check of the target found now
// (failing "" = it passed), as sync saw it.
func (w *world) observeTarget(r *region, t *task, failing, desc string) {
	x := t.Target
	if x == nil || x.State == "draining" {
		return
	}
	x.Probed, w.dirty = w.now, true
	flipped := !x.Known || (x.Failing == "") != (failing == "")
	x.Known, x.Failing, x.FailDesc = true, failing, desc
	if flipped {
		x.Since = time.Time{}
		w.checkTarget(r, t)
	}
}

// deactivate moves a task to DEACTIVATING. ECS deregisters its target
// then: it drains for the deregistration delay, which the task waits for.
func (w *world) deactivate(c *cluster, t *task) {
	defer w.sched(t)
	t.LastStatus, t.Due = "DEACTIVATING", w.after(ecsDeactivating)
	x := t.Target
	if x == nil || x.State == "draining" {
		return
	}
	x.State, x.Since, x.Due = "draining", time.Time{}, time.Time{}
	if end := w.now.Add(w.scaled(deregistrationDelay)); end.After(t.Due) {
		t.Due = end
	}
	if s := taskService(c, t); s != nil {
		w.event(s, "has begun draining connections on 1 tasks.")
		w.event(s, "deregistered 1 targets in (target-group %s)", x.TargetGroup)
	}
}

// deregister removes the target at once: its task skips DEACTIVATING (it
// failed to start) or has drained.
func (w *world) deregister(c *cluster, t *task) {
	defer w.sched(t)
	x := t.Target
	t.Target = nil
	if x == nil || x.State == "draining" {
		return
	}
	if s := taskService(c, t); s != nil {
		w.event(s, "deregistered 1 targets in (target-group %s)", x.TargetGroup)
	}
}

// TargetHealth lists the targets registered in the group and their health.
func (a *Account) TargetHealth(ctx context.Context, targetGroupARN string) ([]cloud.TargetHealth, error) {
	out := []cloud.TargetHealth{}
	err := a.viewCall(ctx, apiCall{"elbv2", "DescribeTargetHealth"}, func(w *world, r *region) error {
		const op = "DescribeTargetHealth"
		if err := cloud.ValidateELBARN(op, "targetgroup", targetGroupARN); err != nil {
			return err
		}
		if r.targetGroup(targetGroupARN) == nil {
			return errTargetGroupNotFound(op, targetGroupARN)
		}
		for _, c := range r.Clusters {
			for _, t := range c.Tasks {
				if x := t.Target; x != nil && x.TargetGroup == targetGroupARN {
					out = append(out, w.targetHealth(r, x))
				}
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b cloud.TargetHealth) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Port, b.Port))
	})
	return out, err
}

// targetHealth is the target as DescribeTargetHealth reports it now.
func (w *world) targetHealth(r *region, x *elbTarget) cloud.TargetHealth {
	h := cloud.TargetHealth{ID: x.IP, Port: x.Port, State: x.State}
	switch {
	case x.State == "draining":
		h.Reason, h.Description = "Target.DeregistrationInProgress", "Target deregistration is in progress"
	case len(r.forwarders(x.TargetGroup)) == 0:
		h.State, h.Reason, h.Description = "unused", "Target.NotInUse", "Target group is not configured to receive traffic from the load balancer"
	case x.State == "initial" && (x.Since.IsZero() || w.now.Before(x.Since.Add(w.scaled(healthInterval)))):
		h.Reason, h.Description = "Elb.RegistrationInProgress", "Target registration is in progress"
	case x.State == "initial":
		h.Reason, h.Description = "Elb.InitialHealthChecking", "Initial health checks in progress"
	case x.State == "unhealthy":
		h.Reason, h.Description = x.Failing, x.FailDesc
	}
	return h
}

// taskPrivateIP is the private IPv4 address of an awsvpc task's network
// interface: in one of its subnets, fixed by the task (like taskAddress),
// never one of the five addresses AWS reserves in a subnet (the first
// four and the last). "" when the task has no interface of its own.
func (r *region) taskPrivateIP(c *cluster, t *task) string {
	n := r.taskNet(c, t)
	if n == nil || len(n.Subnets) == 0 {
		return ""
	}
	h := sha256.Sum256([]byte("private-ip " + t.ARN))
	v := binary.BigEndian.Uint64(h[:8])
	sn := r.subnet(n.Subnets[v%uint64(len(n.Subnets))])
	if sn == nil {
		return ""
	}
	p, err := netip.ParsePrefix(sn.CIDR)
	if err != nil || !p.Addr().Is4() || p.Bits() > 28 {
		return ""
	}
	size := uint64(1) << (32 - p.Bits())
	a := p.Masked().Addr().As4()
	ip := binary.BigEndian.Uint32(a[:]) + uint32(4+v%(size-5))
	binary.BigEndian.PutUint32(a[:], ip)
	return netip.AddrFrom4(a).String()
}
