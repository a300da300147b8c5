package doctor

import (
	"context"
	"strings"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// ServiceSource is what the service doctor reads: the parts of
// cloud.Account it needs (every backend implements them).
type ServiceSource interface {
	Clusters(ctx context.Context) ([]resource.Cluster, error)
	Services(ctx context.Context, clusterARN string) ([]resource.Service, error)
	Tasks(ctx context.Context, clusterARN string) ([]resource.Task, error)
	cloud.TaskDefinitionReader
	cloud.TaskLogReader
	cloud.SecurityGroupReader
	TargetHealth(ctx context.Context, targetGroupARN string) ([]cloud.TargetHealth, error)
}

// ErrNotFound is returned when the cluster or service does not exist.
type ErrNotFound struct{ What string }

func (e ErrNotFound) Error() string { return e.What + " not found" }

// logLines is how many of a container's newest log lines are read.
const logLines = 100

// GatherService reads what the service checks look at: the service, its
// tasks, the task definitions of its deployments, its targets' health,
// the security groups and the logs of a few tasks. A read that fails is
// listed in unread (with AWS's operation and code, as cloud.Error says
// them) and the checks that need it see nothing; only a missing cluster
// or service is an error.
func GatherService(ctx context.Context, src ServiceSource, cluster, name string, now time.Time) (in ServiceInput, unread []string, err error) {
	cs, err := src.Clusters(ctx)
	if err != nil {
		return in, nil, err
	}
	var c *resource.Cluster
	for i := range cs {
		if cs[i].Name == cluster || cs[i].ARN == cluster {
			c = &cs[i]
		}
	}
	if c == nil {
		return in, nil, ErrNotFound{"cluster " + cluster}
	}
	ss, err := src.Services(ctx, c.ARN)
	if err != nil {
		return in, nil, err
	}
	found := false
	for _, s := range ss {
		if s.Name == name || s.ARN == name {
			in.Service, found = s, true
		}
	}
	if !found {
		return in, nil, ErrNotFound{"service " + name + " in cluster " + c.Name}
	}
	in.Cluster, in.Now = c.Name, now
	miss := func(what string, err error) { unread = append(unread, what+": "+err.Error()) }

	ts, err := src.Tasks(ctx, c.ARN)
	if err != nil {
		miss("tasks", err)
	}
	for _, t := range ts {
		if t.Service() == in.Service.Name {
			in.Tasks = append(in.Tasks, t)
		}
	}
	in.TaskDefs = map[string]resource.TaskDefinition{}
	want := []string{in.Service.TaskDefinition}
	for _, d := range in.Service.Rollouts {
		want = append(want, d.TaskDefinition)
	}
	for _, t := range in.Tasks {
		want = append(want, t.TaskDefinition)
	}
	for _, arn := range want {
		if _, ok := in.TaskDefs[arn]; ok || arn == "" {
			continue
		}
		td, err := src.DescribeTaskDefinition(ctx, arn)
		if err != nil {
			miss("task definition "+lastSegment(arn), err)
			in.TaskDefs[arn] = resource.TaskDefinition{ARN: arn}
			continue
		}
		in.TaskDefs[arn] = td
	}
	in.Targets = map[string][]cloud.TargetHealth{}
	for _, tg := range in.Service.TargetGroups {
		th, err := src.TargetHealth(ctx, tg)
		if err != nil {
			miss("target health of "+lastSegment(tg), err)
			continue
		}
		in.Targets[tg] = th
	}
	if len(in.Service.SecurityGroups) > 0 {
		gs, err := src.SecurityGroups(ctx)
		if err != nil {
			miss("security groups", err)
		}
		in.Groups = map[string]cloud.SecurityGroup{}
		for _, g := range gs {
			in.Groups[g.ID] = g
		}
	}
	in.Logs = map[string][]string{}
	for _, t := range logTasks(in) {
		c := essential(in.TaskDefs[t.TaskDefinition], t)
		if c == "" {
			continue
		}
		evs, err := src.TaskLogs(ctx, t.ClusterARN, t.ARN, c, logLines)
		if err != nil {
			if strings.Contains(err.Error(), "The specified log stream does not exist") {
				in.Logs[t.ARN] = nil // awslogs makes the stream at the first line: the app printed nothing
				continue
			}
			if !strings.Contains(err.Error(), cloud.CodeNoLogConfiguration) {
				miss("logs of task "+t.ID, err)
			}
			continue
		}
		lines := make([]string, len(evs))
		for i, e := range evs {
			lines[i] = e.Message
		}
		in.Logs[t.ARN] = lines
	}
	return in, unread, nil
}

// logTasks are the tasks whose logs the checks read: the newest task that
// crashed, and, behind a load balancer, the newest running task and the
// newest one stopped for failing health checks (the app's port is in its
// log). At most three reads.
func logTasks(in ServiceInput) []resource.Task {
	var out []resource.Task
	var crashed, running, elb bool
	for _, t := range in.stopped() {
		switch {
		case !crashed && t.StopCode == "EssentialContainerExited":
			out, crashed = append(out, t), true
		case !elb && len(in.Service.TargetGroups) > 0 && strings.Contains(t.StoppedReason, "ELB health checks"):
			out, elb = append(out, t), true
		}
	}
	for _, t := range in.Tasks {
		if !running && len(in.Service.TargetGroups) > 0 && t.LastStatus == "RUNNING" {
			out, running = append(out, t), true
		}
	}
	return out
}

// essential is the name of the task's essential container.
func essential(td resource.TaskDefinition, t resource.Task) string {
	for _, c := range td.Containers {
		if c.Essential {
			return c.Name
		}
	}
	if len(t.Containers) > 0 {
		return t.Containers[0].Name
	}
	return ""
}
