package tui

import (
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// The events of one service (w on a service, as in e1s): every entry of
// its event log, newest first, with time and age, live as the ECS watcher
// re-reads the service; / filters them. Its deployments are in the
// service's detail (deploymentFields).

var serviceEventsPage = &listSpec{
	name: "service events", uses: []resource.Kind{resource.KindService},
	rows: func(m *Model, p *listPage) ([]column, []row) {
		cols := []column{
			{title: "TIME", min: 8, max: 8},
			{title: "AGO", at: 1, right: true},
			{title: "EVENT", min: 20, soft: 60, max: 400},
		}
		s, _ := m.data.lookup(rkey{resource.KindService, p.scope.item}).(resource.Service)
		rows := make([]row, len(s.Events))
		for i, e := range s.Events {
			rows[i] = row{key: strconv.Itoa(len(s.Events) - i), ref: rkey{resource.KindService, s.ARN}, still: true,
				cells: []string{clock(e.At, m.loc()), "", clean(e.Message)}, tones: []tone{2: eventTone(e.Message)},
				at: []time.Time{e.At}}
		}
		return cols, rows
	},
	empty: func(m *Model, p *listPage) string {
		if m.data.lookup(rkey{resource.KindService, p.scope.item}) == nil {
			return "The service is no longer listed: it was deleted, or is outside the current scope."
		}
		return "ECS reports no events for this service yet."
	},
}

// openServiceEvents is w on a service.
func (m *Model) openServiceEvents(it resource.Item) tea.Cmd {
	s, ok := it.(resource.Service)
	if !ok {
		m.warn("nothing selected to show the events of")
		return nil
	}
	m.push(newListPage(serviceEventsPage, "events of "+clean(s.Name), scope{cluster: s.ClusterARN, item: s.ARN}))
	return nil
}

// eventTone marks the events an on-call engineer looks for.
func eventTone(msg string) tone {
	l := strings.ToLower(msg)
	switch {
	case strings.Contains(l, "unable") || strings.Contains(l, "failed") || strings.Contains(l, "unhealthy") || strings.Contains(l, "rolling back"):
		return toneErr
	case strings.Contains(l, "steady state"):
		return toneOK
	}
	return toneNone
}

// deploymentFields are a service's deployments for its detail, the
// PRIMARY first: status, task definition revision, counts and rollout.
func deploymentFields(c resource.DeploymentConfig, ds []resource.Deployment, loc *time.Location) []field {
	var fs []field
	if f, ok := rolloutField(c); ok {
		fs = append(fs, f)
	}
	for _, d := range ds {
		v := d.Status + " " + lastSegment(d.TaskDefinition) + ": desired " + itoa(d.Desired) + ", running " + itoa(d.Running) +
			", pending " + itoa(d.Pending)
		if d.Failed > 0 {
			v += ", failed " + itoa(d.Failed)
		}
		if d.Rollout != "" {
			v += " · " + d.Rollout
		}
		if d.RolloutReason != "" {
			v += " (" + d.RolloutReason + ")"
		}
		if !d.CreatedAt.IsZero() {
			v += " · created " + d.CreatedAt.In(loc).Format("15:04:05")
		}
		if !d.UpdatedAt.IsZero() {
			v += ", updated " + d.UpdatedAt.In(loc).Format("15:04:05")
		}
		fs = append(fs, field{"Deployment", v})
	}
	return fs
}

// rolloutField says how the service's deployments roll: the circuit
// breaker (which the doctor and the lifecycle refer to) and the healthy
// share ECS keeps during a rollout; false when ECS reported neither.
func rolloutField(c resource.DeploymentConfig) (field, bool) {
	if c == (resource.DeploymentConfig{}) {
		return field{}, false
	}
	v := "circuit breaker off"
	switch {
	case c.CircuitBreaker && c.Rollback:
		v = "circuit breaker on, rolls back a failed deployment"
	case c.CircuitBreaker:
		v = "circuit breaker on, no rollback"
	}
	if c.MinHealthy != 0 || c.MaxPercent != 0 {
		v += " · keeps " + itoa(c.MinHealthy) + "% healthy, runs up to " + itoa(c.MaxPercent) + "% while rolling"
	}
	return field{"Rollout config", v}, true
}
