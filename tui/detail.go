package tui

import (
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"deckhand/internal/explain"
	"deckhand/internal/resource"
	"deckhand/internal/watch"
)

// The detail view shows one resource's fields and what deckhand saw happen
// to it this session (from the event log), e.g.
// "pending 20:01:03 → running 20:01:20 (+17s) → stopping 20:05:00 (+3m40s)".

type field struct{ name, value string }

// whatItMeans is the field that explains a failure code in plain words; it
// is left out when there is nothing to explain.
const whatItMeans = "What it means"

// openAt is the field with the http:// address of a port published on this
// machine; left out when there is none.
const openAt = "Open at"

// prefixed joins lines, the first after p; "" when there are none.
func prefixed(p string, lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return p + strings.Join(lines, "\n")
}

// userDataFailed lists the user data's failed commands; like openAt it is
// left out when empty (it is rare, and "-" would suggest a check ran).
const userDataFailed = "User data"

func (m *Model) fields(it resource.Item) []field {
	loc := m.loc()
	at := func(t time.Time) string { return stamp(t, loc) }
	switch x := it.(type) {
	case resource.Instance:
		fs := []field{{"Name", x.Name}, {"ID", x.ID}, {"State", x.State}, {"State reason", x.StateReason},
			{whatItMeans, explain.Reason(x.StateReason)},
			{"State changed", at(m.lastChange(rkey{resource.KindInstance, x.ID}, x.StateChanged))},
			{"Status checks", x.StatusCheck}, {userDataFailed, prefixed("failed: ", x.UserDataFailures)}, {"Type", x.Type}, {"AZ", x.AZ}, {"Public IP", x.PublicIP}, {"Private IP", x.PrivateIP},
			{openAt, bindingURLs(x.LocalBindings)}, // the sandbox's containers of the user data
			{"Launched", at(x.LaunchTime)}, {"Image", x.ImageID}, {"Key pair", x.KeyName},
			{"VPC", x.VpcID}, {"Subnet", x.SubnetID}}
		fs = append(fs, m.instanceExtras(x)...) // ec2_detail.go
		keys := make([]string, 0, len(x.Tags))
		for k := range x.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fs = append(fs, field{"Tag " + k, x.Tags[k]})
		}
		return fs
	case resource.Cluster:
		return []field{{"Name", x.Name}, {"ARN", x.ARN}, {"Status", x.Status},
			{"Active services", itoa(x.ActiveServices)}, {"Running tasks", itoa(x.RunningTasks)},
			{"Pending tasks", itoa(x.PendingTasks)}, {"Container instances", itoa(x.ContainerInstances)}}
	case resource.Service:
		return append([]field{{"Name", x.Name}, {"ARN", x.ARN}, {"Cluster", m.data.clusterName(x.ClusterARN)},
			{"Status", x.Status}, {"Desired", itoa(x.Desired)}, {"Running", itoa(x.Running)},
			{"Pending", itoa(x.Pending)}, {"Rollout", x.Rollout}, {"Rollout reason", x.RolloutReason},
			{"Deployments", itoa(int32(x.Deployments))}, {"Launch type", x.LaunchType},
			{"Task definition", x.TaskDefinition}, {"Target groups", strings.Join(x.TargetGroups, ", ")}, {"Created", at(x.CreatedAt)},
			{"Last event", strings.TrimSpace(clock(x.LastEvent.At, loc) + " " + x.LastEvent.Message + " (w: every event)")}},
			append(m.metricFields(x), deploymentFields(x.Config, x.Rollouts, loc)...)...) // metrics: ecs_metrics.go
	case resource.Task:
		fs := []field{{"ID", x.ID}, {"ARN", x.ARN}, {"Cluster", m.data.clusterName(x.ClusterARN)},
			{"Group", x.Group}, {"Task definition", x.TaskDefinition}, {"Last status", x.LastStatus},
			{"Desired status", x.DesiredStatus}, {"Health", x.Health}, {"Launch type", x.LaunchType},
			{"Created", at(x.CreatedAt)}, {"Started", at(x.StartedAt)}, {"Stopping", at(x.StoppingAt)},
			{"Stopped", at(x.StoppedAt)}, {"Stop code", x.StopCode}, {"Stopped reason", x.StoppedReason},
			{whatItMeans, explain.Reason(x.StopCode, x.StoppedReason)}}
		for _, c := range x.Containers {
			fs = append(fs, field{"Container " + c.Name, containerSummary(c)})
		}
		return fs
	case resource.Container:
		return []field{{"Name", x.Name}, {"Task", x.TaskARN}, {"Image", x.Image},
			{"Last status", x.LastStatus}, {"Exit code", exitText(x.ExitCode)}, {"Health", x.Health},
			{"Ports", formatBindings(x.NetworkBindings)}, {openAt, bindingURLs(x.NetworkBindings)},
			{"Reason", x.Reason}, {whatItMeans, explain.Reason(x.Reason)}}
	case resource.DockerContainer:
		return append([]field{{"Name", x.Name}, {"ID", x.ID}, {"Image", x.Image}, {"State", x.State},
			{"Status", x.Status}, {"Ports", x.Ports}, {"Created", at(x.Created)}},
			m.containerExtras(x)...) // the project; stats, live while shown (docker_stats.go)
	case resource.DockerImage:
		return []field{{"Repository", x.Repository}, {"Tag", x.Tag}, {"ID", x.ID}, {"Size", bytesText(uint64(x.Size))},
			{"Created", at(x.Created)}, {"Used by", users(x.Containers)}, {"State", x.Phase()}}
	case resource.DockerVolume:
		return []field{{"Name", x.Name}, {"Driver", x.Driver}, {"Mountpoint", x.Mountpoint},
			{"Created", at(x.Created)}, {"Used by", users(x.Containers)}, {"State", x.Phase()}}
	case resource.DockerNetwork:
		return []field{{"Name", x.Name}, {"ID", x.ID}, {"Driver", x.Driver}, {"Scope", x.Scope},
			{"Created", at(x.Created)}, {"Used by", users(x.Containers)}, {"State", x.Phase()}}
	case resource.ComposeProject:
		return []field{{"Project", x.Name}, {"State", x.Phase()}, {"Directory", x.WorkingDir},
			{"Services", strings.Join(x.Services, ", ")}, {"Containers", strings.Join(x.Names, ", ")}}
	}
	return nil
}

func exitText(code *int32) string {
	if code == nil {
		return "-"
	}
	return itoa(*code)
}

func containerSummary(c resource.Container) string {
	s := c.LastStatus
	if c.ExitCode != nil {
		s += ", exit " + itoa(*c.ExitCode)
	}
	if c.Health != "" {
		s += ", " + c.Health
	}
	if p := formatBindings(c.NetworkBindings); p != "" {
		s += ", " + p
	}
	if c.Reason != "" {
		s += ", " + c.Reason
	}
	return s
}

// historyChain renders a resource's transitions as one line, each phase
// with the time it was entered and how long after the previous one.
func historyChain(ts []watch.Transition, loc *time.Location) string {
	var parts []string
	var prev time.Time
	for i, t := range ts {
		if i == 0 && !t.Added() {
			parts = append(parts, t.From)
		}
		label := t.To
		if t.Removed() {
			label = "removed"
		}
		s := label + " " + clock(t.At, loc)
		if !prev.IsZero() {
			s += " (+" + fmtAge(t.At.Sub(prev)) + ")"
		}
		parts = append(parts, s)
		prev = t.At
	}
	return strings.Join(parts, " → ")
}

// detailPage shows one resource: its fields and its observed history. It
// offers the actions of the resource's kind, as its list does.
type detailPage struct {
	pageBase
	ref    rkey
	scroll int // first line shown
}

func (m *Model) openDetail(ref rkey) {
	label := ref.key
	if it := m.data.lookup(ref); it != nil {
		label = it.Label()
	}
	m.push(&detailPage{pageBase: pageBase{fit(clean(label), 40)}, ref: ref})
}

func (p *detailPage) mode() mode             { return modeDetail }
func (p *detailPage) source(m *Model) string { return m.data.source[p.ref.kind] }

func (p *detailPage) subject(m *Model) (resource.Kind, resource.Item) {
	return p.ref.kind, m.data.lookup(p.ref)
}

func (p *detailPage) view(m *Model, now time.Time, w, h int) []string {
	return m.window(m.detailLines(p, now, w), p.scroll, h)
}

func (p *detailPage) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	if cmd, ok := m.resourceKey(msg); ok {
		return cmd
	}
	if matches(msg, m.keys.Back) {
		m.pop()
		return nil
	}
	n := len(m.detailLines(p, m.now(), m.width))
	h := m.bodyHeight()
	if pos, ok := m.scroll(msg, p.scroll, max(n-h+1, 1), h); ok {
		p.scroll = pos
	}
	return nil
}

// detailLines is the detail view's content, before scrolling.
func (m *Model) detailLines(p *detailPage, now time.Time, w int) []string {
	st := &m.st
	it := m.data.lookup(p.ref)
	var out []string
	head := string(p.ref.kind) + " " + clean(p.ref.key)
	if it != nil {
		head = string(p.ref.kind) + " " + clean(it.Label())
	}
	out = append(out, st.Title.Render(fit(head, w)), "")
	if it == nil {
		out = append(out, st.Warn.Render(fit("No longer listed by "+m.data.source[p.ref.kind]+": it was removed, or is outside the current scope.", w)), "")
	}
	// The history chain comes first: how the resource got where it is
	// is what the view is for. Long chains keep their latest part.
	hist := m.events.history(p.ref)
	out = append(out, st.Title.Render("History (this session)"))
	if len(hist) == 0 {
		out = append(out, "  "+st.Muted.Render("No change seen since deckhand started."))
	} else {
		chain := strings.Split(ansi.Wrap(clean(historyChain(hist, m.loc())), max(w-4, 10), " "), "\n")
		if len(chain) > 3 {
			chain = chain[len(chain)-3:]
			chain[0] = "… " + chain[0]
		}
		for _, l := range chain {
			out = append(out, "  "+l)
		}
	}
	out = append(out, "")

	fs := m.fields(it)
	nameW := 0
	for _, f := range fs {
		nameW = max(nameW, ansi.StringWidth(f.name))
	}
	valW := max(w-nameW-4, 10)
	for _, f := range fs {
		v := clean(f.value)
		if v == "" && (f.name == whatItMeans || f.name == openAt || f.name == userDataFailed) {
			continue
		}
		if v == "" {
			v = "-"
		}
		style := st.tone(toneNone)
		if strings.Contains(strings.ToLower(f.name), "status") || f.name == "State" || f.name == "Health" || f.name == "Rollout" {
			style = st.tone(toneOf(v))
		}
		wrapped := strings.Split(ansi.Wrap(v, valW, " ,"), "\n")
		for i, l := range wrapped {
			name := ""
			if i == 0 {
				name = f.name
			}
			out = append(out, "  "+st.Muted.Render(pad(name, nameW, false))+"  "+style.Render(l))
		}
	}
	if len(hist) > 0 {
		out = append(out, "", st.Title.Render("Observed changes, newest first"))
	}
	for i := len(hist) - 1; i >= 0; i-- {
		t := hist[i]
		line := clock(t.At, m.loc()) + "  " + st.tone(changeTone(t)).Render(clean(change(t))) +
			st.Muted.Render("  "+fmtAge(now.Sub(t.At))+" ago")
		out = append(out, "  "+line)
	}
	return out
}
