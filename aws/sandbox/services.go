package sandbox

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// The service scheduler (developerguide/ecs_services.html): a service keeps
// its desired count of tasks running, replacing the ones that stop. A new
// task definition starts a rolling deployment (minimumHealthyPercent 100,
// maximumPercent 200, ECS's defaults): the new PRIMARY deployment starts its
// tasks, and the old ACTIVE one's tasks are stopped as new ones become ready.
// Tasks that fail to start are retried with the service throttle logic, and,
// with the deployment circuit breaker, fail the deployment after
// breakerThreshold failures, rolling back to the last COMPLETED deployment
// when there is one; without one the failed deployment launches nothing
// more ("the deployment is stalled").

// breakerThreshold is the circuit breaker's failure threshold: 0.5 × the
// desired count, rounded up, at least 3 and at most 200
// (developerguide/deployment-circuit-breaker.html).
func breakerThreshold(desired int32) int {
	return min(200, max(3, (int(desired)+1)/2))
}

// CreateService creates a service and starts its first deployment.
func (a *Account) CreateService(ctx context.Context, spec cloud.ServiceSpec) (resource.Service, error) {
	var out resource.Service
	err := a.updateCall(ctx, apiCall{"ecs", "CreateService"}, func(w *world, r *region) error {
		c, s, err := w.createService(r, spec)
		if err == nil {
			out = s.resource(c)
		}
		return err
	})
	return out, err
}

func (w *world) createService(r *region, spec cloud.ServiceSpec) (*cluster, *service, error) {
	const op = "CreateService"
	if err := cloud.ValidateServiceSpec(spec); err != nil {
		return nil, nil, err
	}
	c := r.cluster(spec.Cluster)
	switch {
	case c == nil:
		return nil, nil, errClusterNotFound(op)
	case c.service(spec.Name) != nil:
		return nil, nil, ecsError(op, "InvalidParameterException", "Creation of service was not idempotent.")
	}
	td, err := r.activeTaskDef(op, spec.TaskDefinition)
	if err != nil {
		return nil, nil, err
	}
	lt, err := checkPlacement(op, r, td, spec.LaunchType, spec.Subnets, spec.SecurityGroups)
	if err != nil {
		return nil, nil, err
	}
	if err := checkServiceLB(op, r, td, spec.LoadBalancer); err != nil { // elb_targets.go
		return nil, nil, err
	}
	s := &service{
		Name: spec.Name, ARN: w.arn(r, "service/"+c.Name+"/"+spec.Name), Status: "ACTIVE",
		Desired: spec.Desired, LaunchType: lt, Subnets: slices.Clone(spec.Subnets),
		SecurityGroups: slices.Clone(spec.SecurityGroups), PublicIP: spec.PublicIP,
		CircuitBreaker: spec.CircuitBreaker, Tags: maps.Clone(spec.Tags), Created: w.now,
		HealthGrace: spec.HealthCheckGrace,
	}
	if lb := spec.LoadBalancer; lb != nil {
		s.LoadBalancer = &serviceLB{TargetGroup: lb.TargetGroupARN, Container: lb.ContainerName, Port: lb.ContainerPort}
	}
	s.Deployments = []*deployment{w.newDeployment(td.ARN)}
	c.Services = append(c.Services, s)
	w.adopt(r, c, s)
	w.reconcile(r, c, s)
	return c, s, nil
}

// UpdateService sets the desired count and, when taskDef names another task
// definition than the current one, starts a new deployment.
func (a *Account) UpdateService(ctx context.Context, clusterRef, serviceRef string, desired int32, taskDefRef string) (resource.Service, error) {
	var out resource.Service
	err := a.updateCall(ctx, apiCall{"ecs", "UpdateService"}, func(w *world, r *region) error {
		const op = "UpdateService"
		if err := cloud.ValidateUpdateService(clusterRef, serviceRef, desired, taskDefRef); err != nil {
			return err
		}
		c, s, err := lookupService(op, r, clusterRef, serviceRef)
		if err != nil {
			return err
		}
		var td *taskDef
		if taskDefRef != "" {
			if td, err = r.activeTaskDef(op, taskDefRef); err != nil {
				return err
			}
			if _, err := checkPlacement(op, r, td, s.LaunchType, s.Subnets, s.SecurityGroups); err != nil {
				return err
			}
			if err := checkServiceLB(op, r, td, s.loadBalancer()); err != nil {
				return err
			}
		}
		s.Desired = desired
		if td != nil && td.ARN != s.Deployments[0].TaskDef {
			// "If you update your service to use a new task definition, your
			// service returns to a normal, non-throttled state immediately."
			s.Failures, s.Due, s.Unplaced = 0, time.Time{}, false
			s.Deployments[0].Status = "ACTIVE"
			s.Deployments = append([]*deployment{w.newDeployment(td.ARN)}, s.Deployments...)
		}
		s.Steady = false
		w.reconcile(r, c, s)
		out = s.resource(c)
		return nil
	})
	return out, err
}

// DeleteService scales the service to zero and deletes it (what ECS does
// with force): it is DRAINING until its tasks have stopped, then gone.
func (a *Account) DeleteService(ctx context.Context, clusterRef, serviceRef string) error {
	return a.updateCall(ctx, apiCall{"ecs", "DeleteService"}, func(w *world, r *region) error {
		if err := cloud.ValidateServiceRef("DeleteService", clusterRef, serviceRef); err != nil {
			return err
		}
		c, s, err := lookupService("DeleteService", r, clusterRef, serviceRef)
		if err != nil {
			return err
		}
		s.Status, s.Desired = "DRAINING", 0
		w.reconcile(r, c, s)
		return nil
	})
}

func lookupService(op string, r *region, clusterRef, serviceRef string) (*cluster, *service, error) {
	c := r.cluster(clusterRef)
	if c == nil {
		return nil, nil, errClusterNotFound(op)
	}
	s := c.service(serviceRef)
	if s == nil {
		return nil, nil, ecsError(op, "ServiceNotFoundException", "Service not found.")
	}
	if s.Status != "ACTIVE" {
		return nil, nil, ecsError(op, "ServiceNotActiveException", "Service was not ACTIVE.")
	}
	return c, s, nil
}

func (w *world) newDeployment(taskDef string) *deployment {
	id := fmt.Sprintf("ecs-svc/%019d", w.rand()%10_000_000_000_000_000_000)
	return &deployment{
		ID: id, Status: "PRIMARY", TaskDef: taskDef, Rollout: "IN_PROGRESS",
		RolloutReason: "ECS deployment " + id + " in progress.", Created: w.now, Updated: w.now,
	}
}

// event writes a service event the way ECS words them.
func (w *world) event(s *service, format string, args ...any) {
	msg := "(service " + s.Name + ") " + fmt.Sprintf(format, args...)
	s.Events = slices.Insert(s.Events, 0, serviceEvent{At: w.now, Message: msg})
	if len(s.Events) > maxEvents {
		s.Events = s.Events[:maxEvents]
	}
}

func (s *service) deployment(id string) *deployment {
	return find(s.Deployments, func(d *deployment) bool { return d.ID == id })
}

// unstopped are the service's tasks that have not reached STOPPED: all the
// scheduler looks at (the stopped ones only wait to be forgotten).
func (s *service) unstopped(c *cluster) []*task {
	var out []*task
	for _, t := range c.Tasks {
		if s.owns(t) {
			out = append(out, t)
		}
	}
	return out
}

// owns reports whether t is the service's task. A task belongs to the
// service of its group that existed when it was created, so that a new
// service of an old name does not adopt the old one's stopping tasks.
func (s *service) owns(t *task) bool {
	name, ok := strings.CutPrefix(t.Group, "service:")
	return ok && name == s.Name && !t.Created.Before(s.Created)
}

// serviceTaskChanged counts started and failed tasks, then lets the
// scheduler react.
func (w *world) serviceTaskChanged(r *region, c *cluster, s *service, t *task, news taskNews) {
	defer w.sched(s)
	if !s.owns(t) {
		return
	}
	dep := s.deployment(t.Deployment)
	switch news {
	case taskStarted:
		s.Failures, s.Due = 0, time.Time{}
		if dep != nil {
			dep.Ran = true
		}
	case taskFailed:
		s.Failures++
		if s.Failures == throttleAfter {
			w.event(s, "is unable to consistently start tasks successfully.")
		}
		if s.Failures >= throttleAfter {
			wait := throttleBase << min(s.Failures-throttleAfter, 5)
			s.Due = w.now.Add(w.scaled(min(wait, throttleMax)))
		}
		if dep != nil && !dep.Ran {
			w.deploymentFailure(s, dep)
		}
	case taskUnhealthy: // the circuit breaker's second stage: health checks
		if dep != nil {
			w.deploymentFailure(s, dep)
		}
	}
	w.reconcile(r, c, s)
}

// deploymentFailure counts a failed task of the deployment; the circuit
// breaker trips at its threshold.
func (w *world) deploymentFailure(s *service, dep *deployment) {
	dep.Failed++
	if s.CircuitBreaker && dep == s.Deployments[0] && dep.Rollout == "IN_PROGRESS" && dep.Failed >= breakerThreshold(s.Desired) {
		w.tripBreaker(s, dep)
	}
}

// loadBalancer is the service's load balancer as the ECS API takes it, or
// nil.
func (s *service) loadBalancer() *cloud.ServiceLoadBalancer {
	if s.LoadBalancer == nil {
		return nil
	}
	return &cloud.ServiceLoadBalancer{TargetGroupARN: s.LoadBalancer.TargetGroup, ContainerName: s.LoadBalancer.Container, ContainerPort: s.LoadBalancer.Port}
}

// tripBreaker fails the primary deployment and rolls back to the newest
// COMPLETED deployment, if there is one.
func (w *world) tripBreaker(s *service, dep *deployment) {
	dep.Rollout, dep.RolloutReason, dep.Updated = "FAILED", "ECS deployment circuit breaker: tasks failed to start.", w.now
	w.event(s, "(deployment %s) deployment failed: tasks failed to start.", dep.ID)
	for i, d := range s.Deployments {
		if i == 0 || d.Rollout != "COMPLETED" {
			continue
		}
		dep.Status, d.Status = "ACTIVE", "PRIMARY"
		d.Rollout, d.Updated = "IN_PROGRESS", w.now
		d.RolloutReason = "ECS deployment circuit breaker: rolling back to deploymentId " + d.ID + "."
		s.Deployments = append([]*deployment{d}, slices.Delete(s.Deployments, i, i+1)...)
		s.Failures, s.Due, s.Steady = 0, time.Time{}, false
		return
	}
}

// reconcile is one pass of the service scheduler.
func (w *world) reconcile(r *region, c *cluster, s *service) {
	all := s.unstopped(c)
	if s.Status == "DRAINING" {
		w.stopTasks(s, live(all), len(live(all)), s.Deployments[0].ID)
		if len(all) == 0 {
			c.Services = slices.DeleteFunc(c.Services, func(x *service) bool { return x == s })
			w.forget(s)
		}
		return
	}
	p := s.Deployments[0]
	mine := func(t *task) bool { return t.Deployment == p.ID }
	primary := filter(live(all), mine)
	old := filter(live(all), func(t *task) bool { return !mine(t) })

	// Keep the primary deployment at the desired count.
	if need := int(s.Desired) - len(primary); need > 0 && p.Rollout != "FAILED" && !s.Due.After(w.now) {
		primary = append(primary, w.launch(r, c, s, p, need)...)
	} else if need < 0 {
		w.stopTasks(s, primary, -need, p.ID)
		primary = live(primary)
	}
	ready := len(filter(primary, (*task).ready))

	// Replace the old deployments' tasks as the new ones become ready.
	w.stopTasks(s, old, len(old)-max(0, int(s.Desired)-ready), p.ID)
	old = live(old)
	s.Deployments = slices.DeleteFunc(s.Deployments, func(d *deployment) bool {
		return d != p && !slices.ContainsFunc(old, func(t *task) bool { return t.Deployment == d.ID })
	})

	if p.Rollout == "IN_PROGRESS" && len(s.Deployments) == 1 && ready >= int(s.Desired) {
		p.Rollout, p.RolloutReason, p.Updated = "COMPLETED", "ECS deployment "+p.ID+" completed.", w.now
		w.event(s, "(deployment %s) deployment completed.", p.ID)
	}
	steady := len(s.Deployments) == 1 && ready == int(s.Desired) && len(primary) == int(s.Desired)
	if steady && !s.Steady {
		w.event(s, "has reached a steady state.")
	}
	s.Steady = steady
}

// launch starts n tasks of the deployment, or says why it cannot.
func (w *world) launch(r *region, c *cluster, s *service, d *deployment, n int) []*task {
	td := r.taskDef(d.TaskDef)
	if s.LaunchType != "FARGATE" || td == nil {
		if !s.Unplaced {
			w.event(s, "was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.")
			s.Unplaced = true
		}
		return nil
	}
	var out []*task
	var ids []string
	for range n {
		t := w.startTask(r, c, td, s.LaunchType, "service:"+s.Name, d.ID)
		out = append(out, t)
		ids = append(ids, "(task "+t.ID+")")
	}
	w.event(s, "has started %d tasks: %s.", n, strings.Join(ids, " "))
	return out
}

// stopTasks stops n of ts, those not yet ready first, newest first.
func (w *world) stopTasks(s *service, ts []*task, n int, by string) {
	if n <= 0 {
		return
	}
	ts = slices.Clone(ts)
	slices.SortStableFunc(ts, func(a, b *task) int {
		if a.ready() != b.ready() {
			if a.ready() {
				return 1
			}
			return -1
		}
		return b.Created.Compare(a.Created)
	})
	var ids []string
	for _, t := range ts[:min(n, len(ts))] {
		w.stopTask(t, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment "+by+")")
		ids = append(ids, "(task "+t.ID+")")
	}
	w.event(s, "has stopped %d running tasks: %s.", len(ids), strings.Join(ids, " "))
}

// live are the tasks whose desired status is still RUNNING.
func live(ts []*task) []*task {
	return filter(ts, func(t *task) bool { return t.DesiredStatus == "RUNNING" })
}

func filter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}
