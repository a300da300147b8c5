package sandbox

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"deckhand/internal/cloud"
)

// The sandbox's CloudWatch Logs (aws.Logs). Log events get into a group
// through putEvents: sync copies there what a task's real container printed
// once it has stopped (logcopy.go). A group keeps its newest maxStreams
// streams of at most maxStreamEvents events each, so the state file stays
// small.

const (
	maxStreams      = 20
	maxStreamEvents = 500
)

type logGroup struct {
	Name    string            `json:"name"`
	ARN     string            `json:"arn"`
	Tags    map[string]string `json:"tags,omitempty"`
	Created time.Time         `json:"created"`
	Streams []*logStream      `json:"streams,omitempty"`
}

type logStream struct {
	Name   string     `json:"name"`
	Last   time.Time  `json:"last"` // the newest event's time
	Events []logEvent `json:"events"`
}

type logEvent struct {
	At      time.Time `json:"at"`
	Message string    `json:"message"`
}

func logsError(op, code, format string, args ...any) error {
	return &cloud.Error{Service: "logs", Operation: op, Code: code, Message: fmt.Sprintf(format, args...)}
}

func (r *region) logGroup(name string) *logGroup {
	return find(r.LogGroups, func(g *logGroup) bool { return g.Name == name })
}

// EnsureLogGroup creates the group with tags, or finds it.
func (a *Account) EnsureLogGroup(ctx context.Context, name string, tags cloud.Tags) (bool, error) {
	created := false
	err := a.updateCall(ctx, apiCall{"logs", "CreateLogGroup"}, func(w *world, r *region) error {
		if err := cloud.ValidateEnsureLogGroup(name, tags); err != nil {
			return err
		}
		if r.logGroup(name) != nil {
			return nil
		}
		_, err := w.createLogGroup(r, name, tags)
		created = err == nil
		return err
	})
	return created, err
}

func (w *world) createLogGroup(r *region, name string, tags cloud.Tags) (*logGroup, error) {
	if r.logGroup(name) != nil {
		return nil, logsError("CreateLogGroup", "ResourceAlreadyExistsException", "The specified log group already exists")
	}
	g := &logGroup{Name: name, ARN: "arn:aws:logs:" + r.Name + ":" + w.Account + ":log-group:" + name, Tags: maps.Clone(tags), Created: w.now}
	r.LogGroups = append(r.LogGroups, g)
	return g, nil
}

// DeleteLogGroup deletes a group and its events.
func (a *Account) DeleteLogGroup(ctx context.Context, name string) error {
	return a.updateCall(ctx, apiCall{"logs", "DeleteLogGroup"}, func(w *world, r *region) error {
		const op = "DeleteLogGroup"
		if err := cloud.ValidateLogGroupName(op, name); err != nil {
			return err
		}
		g := r.logGroup(name)
		if g == nil {
			return logsError(op, "ResourceNotFoundException", "The specified log group does not exist.")
		}
		r.LogGroups = slices.DeleteFunc(r.LogGroups, func(x *logGroup) bool { return x == g })
		return nil
	})
}

// putLogEvents appends lines written at at to a stream of the group, as
// putEvents does.
func (w *world) putLogEvents(r *region, group, stream string, at time.Time, lines ...string) bool {
	evs := make([]logEvent, len(lines))
	for i, l := range lines {
		evs[i] = logEvent{At: at, Message: strings.TrimRight(l, "\n")}
	}
	return w.putEvents(r, group, stream, evs)
}

// putEvents adds events to a stream of the group (created when missing),
// as the awslogs driver does; it reports false when the group does not
// exist (the driver's events are then lost, as in ECS). The stream stays
// in time order, as GetLogEvents returns it, even when the events come
// later than newer ones (a container's output copied after it stopped).
func (w *world) putEvents(r *region, group, stream string, evs []logEvent) bool {
	g := r.logGroup(group)
	if g == nil {
		return false
	}
	s := find(g.Streams, func(s *logStream) bool { return s.Name == stream })
	if s == nil {
		s = &logStream{Name: stream}
		g.Streams = append(g.Streams, s)
	}
	s.Events = append(s.Events, evs...)
	slices.SortStableFunc(s.Events, func(a, b logEvent) int { return a.At.Compare(b.At) })
	if len(s.Events) > maxStreamEvents {
		s.Events = slices.Clone(s.Events[len(s.Events)-maxStreamEvents:])
	}
	if n := len(s.Events); n > 0 && s.Events[n-1].At.After(s.Last) {
		s.Last = s.Events[n-1].At
	}
	if len(g.Streams) > maxStreams {
		slices.SortStableFunc(g.Streams, func(a, b *logStream) int { return b.Last.Compare(a.Last) })
		g.Streams = g.Streams[:maxStreams]
	}
	w.dirty = true
	return true
}

// RecentLogEvents returns the newest events of the streams with the
// prefix, as the adapter does: the recently written streams' last events,
// oldest first.
func (a *Account) RecentLogEvents(ctx context.Context, group, streamPrefix string, limit int) ([]cloud.LogEvent, error) {
	var out []cloud.LogEvent
	err := a.viewCall(ctx, apiCall{"logs", "GetLogEvents"}, func(w *world, r *region) error {
		if err := cloud.ValidateLogQuery(group, streamPrefix, limit); err != nil {
			return err
		}
		g := r.logGroup(group)
		if g == nil {
			return logsError("DescribeLogStreams", "ResourceNotFoundException", "The specified log group does not exist.")
		}
		streams := filter(g.Streams, func(s *logStream) bool { return strings.HasPrefix(s.Name, streamPrefix) && len(s.Events) > 0 })
		slices.SortStableFunc(streams, func(a, b *logStream) int { return b.Last.Compare(a.Last) })
		for _, s := range streams[:min(len(streams), 5)] {
			for _, e := range s.Events[max(0, len(s.Events)-limit):] {
				out = append(out, cloud.LogEvent{At: e.At, Stream: s.Name, Message: e.Message})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b cloud.LogEvent) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.Stream, b.Stream)
	})
	return out[max(0, len(out)-limit):], nil
}
