package sandbox

import (
	"context"

	"deckhand/dockerops"
	"deckhand/internal/cloud"
)

// Keeping a real container's output after its task stops. On ECS the
// awslogs driver ships a container's output to CloudWatch Logs as it is
// written, and it stays there after the task stops: the launch pipeline
// shows a crashed app's last lines from there (RecentLogEvents), and a
// stopped task's logs can still be read. In the sandbox the output of a
// container that ran on the local engine is in the engine's container only,
// which sync removes once the task is STOPPED. So sync copies it into the
// log model as the container's awslogs stream when it sees the container
// has exited (jobObserve), after it stops it (jobStop), and in any case
// before it removes it (jobRemove): the engine is read in runJobs, with the
// runner's timeouts, and the lines are recorded by apply, like every other
// observation. A container is copied once (container.LogsCopied), so a
// second sync adds nothing.
//
// Only a container whose task definition logs with awslogs to a group that
// exists is copied: on ECS a missing group makes the task fail to start
// (the sandbox does not enforce that, and does not create the group), and a
// container without awslogs has no stream. Its last copiedLines lines are
// copied, with the engine's times; the stream keeps no more.

const copiedLines = maxStreamEvents

// logCopy is a container's output on its way to its awslogs stream.
type logCopy struct {
	group, stream string
	lines         []dockerops.LogLine
	read          bool // lines are the container's output
}

// planLogCopies gives a logCopy to each job that ends, or may find ended,
// a task's container whose output has not been copied.
func (w *world) planLogCopies(jobs []*engineJob) {
	for _, j := range jobs {
		switch j.kind {
		case jobObserve, jobStop, jobRemove:
		default:
			continue
		}
		if j.r == nil || j.t == nil || j.ct == nil || j.ru != nil || j.ct.LogsCopied {
			continue
		}
		td := j.r.taskDef(j.t.TaskDef)
		if td == nil {
			continue
		}
		for _, cd := range td.Containers {
			if cd.Name == j.ct.Name && cd.LogGroup != "" && j.r.logGroup(cd.LogGroup) != nil {
				j.logs = &logCopy{group: cd.LogGroup, stream: cloud.AWSLogsStream(cd.LogPrefix, cd.Name, j.t.ARN, j.id)}
			}
		}
	}
}

// readLogs reads the output of j's container when j copies it. A container
// the engine no longer has has nothing left to copy; any other failure is
// returned, and a removal waits for the next sync to try again (an engine
// that cannot read logs would not remove the container either).
func (a *Account) readLogs(ctx context.Context, j *engineJob) error {
	if j.logs == nil {
		return nil
	}
	lines, err := a.runner.Logs(ctx, j.id, copiedLines)
	switch {
	case dockerops.IsNotFound(err):
		return nil
	case err != nil:
		return err
	}
	j.logs.lines, j.logs.read = lines, true
	return nil
}

// readExited reads the output of j's container once Inspect found it
// exited; a failure is left to the read before its removal.
func (a *Account) readExited(ctx context.Context, j *engineJob) {
	if j.err == nil && !j.found.running() {
		_ = a.readLogs(ctx, j)
	}
}

// applyLogs records the output readLogs read as the container's stream.
func (w *world) applyLogs(j *engineJob) {
	if j.logs == nil || !j.logs.read || j.ct.LogsCopied {
		return
	}
	evs := make([]logEvent, 0, len(j.logs.lines))
	for _, l := range j.logs.lines {
		at := l.At.UTC()
		if l.At.IsZero() { // the engine gave no time: as late as is known
			at = w.now
		}
		evs = append(evs, logEvent{At: at, Message: l.Text})
	}
	if len(evs) > 0 {
		w.putEvents(j.r, j.logs.group, j.logs.stream, evs)
	}
	j.ct.LogsCopied, w.dirty = true, true
}
