package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"deckhand/internal/explain"
	"deckhand/internal/launch"
	"deckhand/internal/resource"
)

// DeployError is a deployment ECS gave up on (the circuit breaker failed
// the rollout) or that deckhand stopped waiting for because tasks of the
// new revision kept stopping. Its first line carries the first stopped
// task's reason ("CannotPullContainerError: …"), which the step's
// explanation reads.
type DeployError struct {
	Service  string
	Revision string          // family:revision
	Rollout  string          // the rollout's reason when ECS failed it, else ""
	Stopped  []resource.Task // stopped tasks of the revision, oldest first
	Logs     []string        // key log lines of the last stopped task, if any
}

func (e *DeployError) Error() string {
	var b strings.Builder
	switch {
	case e.Rollout != "":
		fmt.Fprintf(&b, "ECS failed the deployment of %s: %s", e.Revision, e.Rollout)
	default:
		fmt.Fprintf(&b, "%d tasks of %s stopped without serving", len(e.Stopped), e.Revision)
	}
	if len(e.Stopped) > 0 {
		t := e.Stopped[len(e.Stopped)-1]
		fmt.Fprintf(&b, "; task %s: %s", t.ID, taskReason(t))
	}
	for _, t := range e.Stopped {
		fmt.Fprintf(&b, "\n  task %s stopped: %s", t.ID, taskReason(t))
	}
	if len(e.Logs) > 0 {
		b.WriteString("\n  its log:")
		for _, l := range e.Logs {
			b.WriteString("\n    " + l)
		}
	}
	return b.String()
}

// taskReason is a stopped task's stop code and reason, with a container's
// exit code or reason when the task's own reason is about a container.
func taskReason(t resource.Task) string {
	parts := []string{}
	if t.StopCode != "" {
		parts = append(parts, t.StopCode)
	}
	if t.StoppedReason != "" {
		parts = append(parts, t.StoppedReason)
	}
	for _, c := range t.Containers {
		switch {
		case c.Reason != "" && !strings.Contains(t.StoppedReason, c.Reason):
			parts = append(parts, "container "+c.Name+": "+c.Reason)
		case c.ExitCode != nil && t.StopCode == "EssentialContainerExited":
			parts = append(parts, fmt.Sprintf("container %s exited with code %d", c.Name, *c.ExitCode))
		}
	}
	if len(parts) == 0 {
		return "no reason given"
	}
	return strings.Join(parts, ": ")
}

// failedStart reports whether a stopped task of the new revision stopped
// because it could not serve, rather than because the service scaled in
// or a newer deployment replaced it.
func failedStart(t resource.Task) bool {
	if t.LastStatus != "STOPPED" && t.DesiredStatus != "STOPPED" {
		return false
	}
	switch t.StopCode {
	case "TaskFailedToStart", "EssentialContainerExited":
		return true
	case "UserInitiated":
		return false
	}
	r := t.StoppedReason
	return strings.Contains(r, "health checks") || strings.Contains(r, "Error") || strings.Contains(r, "OutOfMemory")
}

func (p *fargate) waitStep() launch.Step {
	cmds := []string{
		launch.Shell("aws", "ecs", "wait", "services-stable", "--cluster", p.Cluster, "--services", p.Stack),
		launch.Shell("aws", "ecs", "describe-tasks", "--cluster", p.Cluster, "--tasks", "TASK_ARN",
			"--query", "tasks[].[lastStatus,healthStatus,stopCode,stoppedReason]"),
	}
	if p.LoadBalancer {
		cmds = append(cmds, launch.Shell("aws", "elbv2", "wait", "load-balancer-available", "--names", LoadBalancerName(p.Stack)),
			launch.Shell("aws", "elbv2", "describe-target-health", "--target-group-arn", "TG_ARN"))
	}
	return launch.Step{
		Name: "wait",
		Summary: fmt.Sprintf("Wait for a steady state%s (at most %v), watching the tasks; stop at once when ECS fails the rollout or %d tasks stop",
			map[bool]string{true: " and a healthy target behind an active load balancer"}[p.LoadBalancer], p.Timeout, p.MaxFailedTasks),
		Commands: cmds,
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.NoWait {
				return launch.Skip("--no-wait")
			}
			return p.wait(ctx, out)
		},
		Explain: func(err error) string {
			var de *DeployError
			if errors.As(err, &de) {
				for i := len(de.Stopped) - 1; i >= 0; i-- {
					t := de.Stopped[i]
					if s := explain.Reason(t.StoppedReason, t.StopCode); s != "" {
						return s
					}
				}
			}
			return ""
		},
	}
}

// wait polls the service and its tasks until the new revision runs (and is
// healthy, with a health check), reporting every task's state change.
func (p *fargate) wait(ctx context.Context, out *launch.Output) error {
	deadline := time.Now().Add(p.Timeout)
	seen := map[string]string{} // task ARN → last reported state
	lastEvent := ""
	var stopped []resource.Task
	stoppedSeen := map[string]bool{}
	rev := familyRevision(p.res.TaskDefinition)
	for {
		svc, ts, err := p.observe(ctx)
		if err != nil {
			return err
		}
		if svc.LastEvent.Message != "" && svc.LastEvent.Message != lastEvent && !svc.LastEvent.At.Before(p.deployed.Add(-time.Second)) {
			out.Line("service: " + svc.LastEvent.Message)
			lastEvent = svc.LastEvent.Message
		}
		running := 0
		for _, t := range ts {
			state := taskState(t)
			if seen[t.ARN] != state {
				if prev, ok := seen[t.ARN]; ok {
					out.Linef("task %s (%s): %s → %s", t.ID, familyRevision(t.TaskDefinition), prev, state)
				} else {
					out.Linef("task %s (%s): %s", t.ID, familyRevision(t.TaskDefinition), state)
				}
				seen[t.ARN] = state
			}
			if t.TaskDefinition != p.res.TaskDefinition {
				continue
			}
			if t.LastStatus == "STOPPED" && failedStart(t) && !stoppedSeen[t.ARN] {
				stoppedSeen[t.ARN] = true
				stopped = append(stopped, t)
				out.Linef("task %s stopped: %s", t.ID, taskReason(t))
			}
			if t.LastStatus == "RUNNING" && t.DesiredStatus == "RUNNING" && (!p.health || t.Health == "HEALTHY") {
				running++
			}
		}
		lbOK := true
		if p.LoadBalancer {
			if lbOK, err = p.lbReady(ctx, out); err != nil {
				return err
			}
		}
		switch {
		case svc.Rollout == "FAILED" && svc.TaskDefinition != p.res.TaskDefinition:
			// The circuit breaker rolled back to the previous revision.
			return p.failed(ctx, &DeployError{Service: p.Stack, Revision: rev, Rollout: orDefault(svc.RolloutReason, "rolled back"), Stopped: stopped})
		case svc.Rollout == "FAILED":
			return p.failed(ctx, &DeployError{Service: p.Stack, Revision: rev, Rollout: orDefault(svc.RolloutReason, "rollout FAILED"), Stopped: stopped})
		case len(stopped) >= p.MaxFailedTasks:
			return p.failed(ctx, &DeployError{Service: p.Stack, Revision: rev, Stopped: stopped})
		case lbOK && svc.TaskDefinition == p.res.TaskDefinition && running >= int(max(svc.Desired, 1)) &&
			(svc.Rollout == "COMPLETED" || (svc.Rollout == "" && svc.Deployments <= 1) || svc.Running >= svc.Desired && svc.Deployments <= 1):
			health := ""
			if p.health {
				health = ", healthy"
			}
			if p.LoadBalancer {
				health += "; the load balancer is active and its target healthy"
			}
			out.Result(fmt.Sprintf("%d/%d tasks of %s running%s", running, svc.Desired, rev, health))
			return nil
		}
		if time.Now().Add(p.Poll).After(deadline) {
			if !lbOK && svc.Running >= svc.Desired {
				return fmt.Errorf("the load balancer %s did not become active with a healthy target within %v (%s); its target group's health check asks GET %s on port %d: the app must answer it with 200–399",
					p.lb.Name, p.Timeout, p.lb.State, p.healthPath(), p.port)
			}
			return fmt.Errorf("service %s did not reach a steady state within %v: %d/%d running, rollout %s; the deployment goes on: watch it in deckhand, or launch again later",
				p.Stack, p.Timeout, svc.Running, svc.Desired, orDefault(svc.Rollout, "not reported"))
		}
		if err := sleep(ctx, p.Poll); err != nil {
			return err
		}
	}
}

// observe reads the service and its tasks, the newest first.
func (p *fargate) observe(ctx context.Context) (resource.Service, []resource.Task, error) {
	svcs, err := p.be.Services(ctx, p.res.ClusterARN)
	if err != nil {
		return resource.Service{}, nil, err
	}
	i := slices.IndexFunc(svcs, func(s resource.Service) bool { return s.Name == p.Stack })
	if i < 0 {
		return resource.Service{}, nil, fmt.Errorf("the service %s is gone from cluster %s", p.Stack, p.Cluster)
	}
	all, err := p.be.Tasks(ctx, p.res.ClusterARN)
	if err != nil {
		return resource.Service{}, nil, err
	}
	var ts []resource.Task
	for _, t := range all {
		// Only this deployment's tasks and the running ones of the
		// previous: stopped tasks of earlier launches are history.
		if t.Service() != p.Stack || (t.LastStatus == "STOPPED" && t.TaskDefinition != p.res.TaskDefinition) {
			continue
		}
		if p.oldStopped[t.ARN] {
			continue // stopped before this deployment (of the same revision)
		}
		ts = append(ts, t)
	}
	slices.SortStableFunc(ts, func(a, b resource.Task) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return svcs[i], ts, nil
}

// taskState is what the wait reports of a task.
func taskState(t resource.Task) string {
	s := t.LastStatus
	if t.DesiredStatus == "STOPPED" && t.LastStatus != "STOPPED" {
		s += " (stopping)"
	}
	if t.Health != "" && t.Health != "UNKNOWN" && t.LastStatus == "RUNNING" {
		s += " " + t.Health
	}
	return s
}

// failed adds the stopped task's key log lines to e, best effort.
func (p *fargate) failed(ctx context.Context, e *DeployError) error {
	if len(e.Stopped) > 0 {
		t := e.Stopped[len(e.Stopped)-1]
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		evs, err := p.be.RecentLogEvents(lctx, LogGroupName(p.Stack), logPrefix+"/"+p.Stack+"/"+t.ID, 100)
		cancel()
		if err == nil {
			var lines []string
			for _, ev := range evs {
				lines = append(lines, ev.Message)
			}
			e.Logs = explain.KeyLogLines(lines, 10)
		}
	}
	return e
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
