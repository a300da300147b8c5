package sandbox

import (
	"context"
	"strings"

	"deckhand/internal/cloud"
)

var _ cloud.TaskLogReader = (*Account)(nil)

// TaskLogs reads a task container's awslogs stream, as the adapter does:
// the container's log configuration comes from its task definition, and a
// container without one is an *aws.Error with aws.CodeNoLogConfiguration.
//
// A container that runs for real on the local engine (runner.go) has the
// engine's container logs as its stream while it runs: they are the
// sandbox's stand-in for what the awslogs driver would ship to CloudWatch.
// They are read after the account's lock is released, so a slow engine
// holds up no other call. Once it has stopped, sync copies them into the
// log group's model (logcopy.go), which is read from then on, as for a
// simulated container (usually nothing there).
func (a *Account) TaskLogs(ctx context.Context, cluster, taskRef, name string, limit int) ([]cloud.LogEvent, error) {
	var out []cloud.LogEvent
	var dockerID, stream string
	err := a.viewCall(ctx, apiCall{"logs", "GetLogEvents"}, func(w *world, r *region) error {
		if err := cloud.ValidateTaskLogs(cluster, taskRef, name, limit); err != nil {
			return err
		}
		c := r.cluster(cluster)
		if c == nil {
			return errClusterNotFound("DescribeTasks")
		}
		t := c.task(taskRef)
		if t == nil {
			return ecsError("DescribeTasks", "MISSING", "task %s is not known in cluster %s (ECS forgets stopped tasks after about an hour)", taskRef[strings.LastIndex(taskRef, "/")+1:], c.Name)
		}
		td := r.taskDef(t.TaskDef)
		if td == nil {
			return ecsError("DescribeTaskDefinition", "ClientException", "Unable to describe task definition.")
		}
		var cd *containerDef
		var names []string
		for i := range td.Containers {
			names = append(names, td.Containers[i].Name)
			if td.Containers[i].Name == name {
				cd = &td.Containers[i]
			}
		}
		if cd == nil {
			return ecsError("DescribeTaskDefinition", "InvalidParameterException", "task definition %s:%d has no container %s; it has %s",
				td.Family, td.Revision, name, strings.Join(names, ", "))
		}
		if cd.LogGroup == "" {
			return cloud.NoLogConfiguration(name, td.ARN, "")
		}
		ct := find(t.Containers, func(x *container) bool { return x.Name == name })
		if ct != nil && ct.Local && ct.DockerID != "" && !ct.LogsCopied {
			dockerID = ct.DockerID
			stream = cloud.AWSLogsStream(cd.LogPrefix, name, t.ARN, dockerID)
			return nil
		}
		runtimeID := ""
		if ct != nil {
			runtimeID = ct.DockerID
		}
		stream = cloud.AWSLogsStream(cd.LogPrefix, name, t.ARN, runtimeID)
		g := r.logGroup(cd.LogGroup)
		if g == nil {
			return logsError("GetLogEvents", "ResourceNotFoundException", "The specified log group does not exist.")
		}
		s := find(g.Streams, func(s *logStream) bool { return s.Name == stream })
		if s == nil {
			return logsError("GetLogEvents", "ResourceNotFoundException", "The specified log stream does not exist.")
		}
		for _, e := range s.Events[max(0, len(s.Events)-limit):] {
			out = append(out, cloud.LogEvent{At: e.At, Stream: stream, Message: e.Message})
		}
		return nil
	})
	if err != nil || dockerID == "" {
		return out, err
	}
	if a.runner == nil {
		return nil, logsError("GetLogEvents", "ServiceUnavailable", "the container runs on a Docker engine this account was opened without")
	}
	lines, err := a.runner.Logs(ctx, dockerID, limit)
	if err != nil {
		return nil, logsError("GetLogEvents", "ServiceUnavailable", "the sandbox reads this container's logs from the local Docker engine: %s", engineMessage(err))
	}
	for _, l := range lines {
		out = append(out, cloud.LogEvent{At: l.At.UTC(), Stream: stream, Message: l.Text})
	}
	return out, nil
}
