package tui

import (
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/lifecycle"
	"deckhand/internal/resource"
)

// The lifecycle page draws where one instance, task or service deployment
// stands in its lifecycle (v on it): the current state lit, the states it
// went through with the time spent in each (from the store's history and
// the times AWS reports), the transitions it can take next and the key
// that causes each. `:lifecycle instance|task|deployment` draws the
// generic graph with every state and transition, for learners. The page
// is in detail mode, so the resource's actions (s, S, ctrl+k…) work here
// too. The layout itself is internal/lifecycle's.

type lifecyclePage struct {
	pageBase
	graph  lifecycle.Graph
	ref    rkey // zero for the generic graph
	scroll int
}

func (p *lifecyclePage) mode() mode { return modeDetail }

func (p *lifecyclePage) source(m *Model) string {
	if p.ref.kind == "" {
		return ""
	}
	return m.data.source[p.ref.kind]
}

func (p *lifecyclePage) uses(k resource.Kind) bool { return p.ref.kind != "" && k == p.ref.kind }

func (p *lifecyclePage) subject(m *Model) (resource.Kind, resource.Item) {
	if p.ref.kind == "" {
		return "", nil
	}
	return p.ref.kind, m.data.lookup(p.ref)
}

// openLifecycle is v on an instance, a task or a service (its primary
// deployment).
func (m *Model) openLifecycle(it resource.Item) tea.Cmd {
	if _, ok := m.current().(*lifecyclePage); ok {
		return nil
	}
	var g lifecycle.Graph
	var ref rkey
	switch x := it.(type) {
	case resource.Instance:
		g, ref = lifecycle.EC2, rkey{resource.KindInstance, x.ID}
	case resource.Task:
		g, ref = lifecycle.Task, rkey{resource.KindTask, x.ARN}
	case resource.Service:
		g, ref = lifecycle.Deployment, rkey{resource.KindService, x.ARN}
	default:
		m.warn("nothing selected to show the lifecycle of")
		return nil
	}
	m.push(&lifecyclePage{pageBase: pageBase{"lifecycle of " + fit(clean(it.Label()), 30)}, graph: g, ref: ref})
	return nil
}

// openLifecycleCommand is `:lifecycle [instance|task|deployment]`.
func (m *Model) openLifecycleCommand(args []string) tea.Cmd {
	name := "instance"
	if len(args) > 0 {
		name = strings.ToLower(args[0])
	}
	g, ok := lifecycle.ByName(name)
	if !ok {
		m.fail("lifecycle of what? :lifecycle instance, :lifecycle task or :lifecycle deployment")
		return nil
	}
	m.push(&lifecyclePage{pageBase: pageBase{g.Name + " lifecycle"}, graph: g})
	return nil
}

func (p *lifecyclePage) lines(m *Model, now time.Time, w int) []string {
	v := lifecycle.View{Graph: p.graph, Key: m.verbKey(p.ref.kind)}
	if p.ref.kind != "" {
		it := m.data.lookup(p.ref)
		if it == nil {
			return []string{m.st.Warn.Render(fit("No longer listed by "+m.data.source[p.ref.kind]+": it was removed, or is outside the current scope.", w))}
		}
		v = m.lifecycleView(p.graph, p.ref, it, now)
	}
	var out []string
	for _, l := range lifecycle.Render(v, w) {
		t := clean(l.Text)
		switch {
		case l.Head:
			t = m.st.Title.Render(t)
		case l.Lit:
			t = m.st.Transitional.Bold(true).Render(t)
		case l.Muted:
			t = m.st.Muted.Render(t)
		}
		out = append(out, t)
	}
	return out
}

func (p *lifecyclePage) view(m *Model, now time.Time, w, h int) []string {
	return m.window(p.lines(m, now, w), p.scroll, h)
}

func (p *lifecyclePage) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	if p.ref.kind != "" {
		if cmd, ok := m.resourceKey(msg); ok {
			return cmd
		}
	}
	if matches(msg, m.keys.Back) {
		m.pop()
		return nil
	}
	n, h := len(p.lines(m, m.now(), m.width)), m.bodyHeight()
	if pos, ok := m.scroll(msg, p.scroll, max(n-h+1, 1), h); ok {
		p.scroll = pos
	}
	return nil
}

// verbKey finds the key of the resource action with that verb on kind k
// ("" when none: the transition is AWS's, or the CLI's).
func (m *Model) verbKey(k resource.Kind) func(string) string {
	return func(verb string) string {
		for _, a := range m.keys.resource() {
			if a.verb == verb && a.Enabled() && (k == "" || a.offeredOn(k)) {
				return a.Help().Key
			}
		}
		return ""
	}
}

// lifecycleView is the view of one resource: its state now and the marks
// it left, from the times AWS reports and the transitions deckhand saw.
func (m *Model) lifecycleView(g lifecycle.Graph, ref rkey, it resource.Item, now time.Time) lifecycle.View {
	v := lifecycle.View{Graph: g, Key: m.verbKey(ref.kind)}
	var marks []lifecycle.Mark
	observed := func() {
		for _, t := range m.events.history(ref) {
			if !t.Removed() && !slices.ContainsFunc(marks, func(x lifecycle.Mark) bool { return x.State == t.To }) {
				marks = append(marks, lifecycle.Mark{State: t.To, At: t.At})
			}
		}
	}
	switch x := it.(type) {
	case resource.Instance:
		v.Current = x.State
		v.Head = "instance " + x.Label() + " · " + x.State
		if x.StatusCheck != "" {
			v.Head += " · status checks " + x.StatusCheck
		}
		observed()
		// The state it was in when deckhand first saw it moving began at
		// its launch, when that was running.
		if h := m.events.history(ref); len(h) > 0 && !h[0].Added() && h[0].From == "running" && x.LaunchTime.Before(h[0].At) {
			marks = append(marks, lifecycle.Mark{State: "running", At: x.LaunchTime})
		}
		if !slices.ContainsFunc(marks, func(k lifecycle.Mark) bool { return k.State == x.State }) {
			at := x.StateChanged
			if at.IsZero() && (x.State == "running" || x.State == "pending") {
				at = x.LaunchTime
			}
			marks = append(marks, lifecycle.Mark{State: x.State, At: at})
		}
		v.CLI = func(t lifecycle.Transition) string {
			if t.CLI == "" {
				return ""
			}
			return m.awsCLI(append(strings.Fields(t.CLI), "--instance-ids", x.ID)...)
		}
		if x.StateReason != "" {
			v.Notes = append(v.Notes, "State reason: "+x.StateReason)
		}
	case resource.Task:
		v.Current = x.LastStatus
		v.Head = "task " + x.ID + " · last " + x.LastStatus + " · desired " + x.DesiredStatus
		// AWS's own times first: they hold for a task deckhand did not
		// watch from its start.
		for _, s := range []lifecycle.Mark{{State: "PROVISIONING", At: x.CreatedAt}, {State: "RUNNING", At: x.StartedAt},
			{State: "DEACTIVATING", At: x.StoppingAt}, {State: "STOPPED", At: x.StoppedAt}} {
			if !s.At.IsZero() {
				marks = append(marks, s)
			}
		}
		observed()
		v.Passed = taskPassed(x)
		cluster := m.data.clusterName(x.ClusterARN)
		v.CLI = func(t lifecycle.Transition) string {
			if t.CLI == "" {
				return ""
			}
			return m.awsCLI(append(strings.Fields(t.CLI), "--cluster", cluster, "--task", x.ARN)...)
		}
		if x.DesiredStatus == "STOPPED" && x.LastStatus != "STOPPED" {
			v.Notes = append(v.Notes, "Desired STOPPED: ECS is taking it down the list to STOPPED.")
		}
		if x.StopCode != "" || x.StoppedReason != "" {
			v.Notes = append(v.Notes, "Stopped: "+strings.TrimSpace(x.StopCode+" "+x.StoppedReason))
		}
	case resource.Service:
		v = m.deploymentView(g, x)
	}
	slices.SortStableFunc(marks, func(a, b lifecycle.Mark) int { return a.At.Compare(b.At) })
	if v.Spent == nil {
		v.Spent = lifecycle.Spent(marks, now)
	}
	return v
}

// deploymentView is a service's primary deployment in the deployment
// graph; the other deployments are listed under it.
func (m *Model) deploymentView(g lifecycle.Graph, s resource.Service) lifecycle.View {
	v := lifecycle.View{Graph: g, Key: m.verbKey(resource.KindService)}
	cluster := m.data.clusterName(s.ClusterARN)
	v.CLI = func(t lifecycle.Transition) string {
		if t.CLI == "" {
			return ""
		}
		args := append(strings.Fields(t.CLI), "--cluster", cluster, "--service", s.Name)
		switch t.Verb {
		case "scale":
			args = append(args, itoa(s.Desired))
		case "roll back":
			args = append(args, "FAMILY:REVISION")
		}
		return m.awsCLI(args...)
	}
	v.Head = "service " + s.Name + " · " + s.Phase()
	var marks []lifecycle.Mark
	v.Current = s.Rollout
	if len(s.Rollouts) > 0 {
		p := s.Rollouts[0]
		v.Current = deploymentState(p)
		switch v.Current {
		case "ROLLBACK":
			// It ran COMPLETED before a newer deployment FAILED; only
			// when the rollback began is known.
			v.Passed = map[string]bool{"IN_PROGRESS": true, "COMPLETED": true, "FAILED": true}
			marks = append(marks, lifecycle.Mark{State: "ROLLBACK", At: p.UpdatedAt})
		case "IN_PROGRESS":
			marks = append(marks, lifecycle.Mark{State: "IN_PROGRESS", At: p.CreatedAt})
		default:
			marks = append(marks, lifecycle.Mark{State: "IN_PROGRESS", At: p.CreatedAt}, lifecycle.Mark{State: v.Current, At: p.UpdatedAt})
		}
		v.Head = "service " + s.Name + " · deployment " + p.ID + " (" + lastSegment(p.TaskDefinition) + ")"
	}
	if v.Current == "" {
		v.Current = "IN_PROGRESS"
	}
	v.Spent = lifecycle.Spent(marks, m.now())
	for _, d := range s.Rollouts {
		n := "  " + d.Status + " " + lastSegment(d.TaskDefinition) + " " + deploymentState(d) +
			" · running " + itoa(d.Running) + "/" + itoa(d.Desired)
		if d.Failed > 0 {
			n += ", failed " + itoa(d.Failed)
		}
		if d.RolloutReason != "" {
			n += " · " + d.RolloutReason
		}
		v.Notes = append(v.Notes, n)
	}
	if len(v.Notes) > 0 {
		v.Notes = append([]string{"Deployments (PRIMARY first):"}, v.Notes...)
	}
	if v.Current == "FAILED" && !slices.ContainsFunc(s.Rollouts, func(d resource.Deployment) bool { return d.Rollout == "COMPLETED" }) {
		v.Notes = append(v.Notes, "Nothing to roll back to (no COMPLETED deployment): a new deployment of a fixed revision is the way out.")
	}
	return v
}

// taskPassed are the states a task went through whose times ECS does not
// report: between PROVISIONING and RUNNING when it started, between
// DEACTIVATING and STOPPED once it stopped (a task that never started
// skips ACTIVATING, RUNNING and DEACTIVATING).
func taskPassed(t resource.Task) map[string]bool {
	out := map[string]bool{}
	order := lifecycle.Task.States
	at := slices.IndexFunc(order, func(s lifecycle.State) bool { return s.Name == t.LastStatus })
	for i, s := range order[:max(at, 0)] {
		if t.StartedAt.IsZero() && i >= 2 && i <= 4 {
			continue
		}
		out[s.Name] = true
	}
	return out
}

// deploymentState places a deployment in the graph: a rollback is the
// IN_PROGRESS deployment the circuit breaker started.
func deploymentState(d resource.Deployment) string {
	switch {
	case d.Status == "INACTIVE":
		return "INACTIVE"
	case d.Rollout == "IN_PROGRESS" && strings.Contains(d.RolloutReason, "rolling back"):
		return "ROLLBACK"
	case d.Rollout == "":
		return "IN_PROGRESS"
	}
	return d.Rollout
}
