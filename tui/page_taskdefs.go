package tui

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// The task definition pages (:taskdefs): the families, a family's
// revisions, and one revision's detail — containers, images, ports,
// cpu/memory, health check, log configuration and the NAMES of its
// environment (values never reach deckhand) — with D showing what changed
// since the previous revision. Task definitions change only when someone
// registers one, so they are read when a page opens (and on ctrl+r), not
// polled.

const taskDefsTimeout = 30 * time.Second

// TaskDefinitions is what the pages read and deregister through.
type TaskDefinitions interface {
	cloud.TaskDefinitionReader
	cloud.TaskDefinitions
}

// taskDefsPage lists the families (family == "") or one family's revisions.
type taskDefsPage struct {
	fetched
	family string
}

// taskDefsMsg is the answer of a listing.
type taskDefsMsg struct {
	p     *taskDefsPage
	names []string
	err   error
}

func (msg taskDefsMsg) apply(m *Model) tea.Cmd {
	p := msg.p
	if !m.onStack(p) {
		return nil
	}
	p.loading, p.err = false, msg.err
	rows := make([]row, len(msg.names))
	for i, n := range msg.names {
		rows[i] = row{key: n, cells: []string{n}}
	}
	title := "FAMILY"
	if p.family != "" {
		title = "REVISION"
	}
	p.tbl.setRows([]column{{title: title, min: 8, max: 255}}, rows)
	return nil
}

// openTaskDefs is :taskdefs.
func (m *Model) openTaskDefs(_ []string) tea.Cmd {
	if m.cfg.TaskDefs == nil {
		m.fail("task definitions are not available: " + cmpOr(m.cfg.AWSProblem, "this backend does not read them"))
		return nil
	}
	p := &taskDefsPage{fetched: fetched{pageBase: pageBase{"task definitions"}}}
	m.push(p)
	return p.reload(m)
}

func (p *taskDefsPage) source(*Model) string {
	return srcECS // the STALE and AWS-problem marks are ECS's
}

// reload reads the listing in a Cmd (ctrl+r too).
func (p *taskDefsPage) reload(m *Model) tea.Cmd {
	p.loading = true
	api, family := m.cfg.TaskDefs, p.family
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), taskDefsTimeout)
		defer cancel()
		var names []string
		var err error
		if family == "" {
			names, err = api.TaskDefinitionFamilies(ctx)
		} else {
			names, err = api.TaskDefinitionRevisions(ctx, family)
		}
		return taskDefsMsg{p, names, err}
	}
}

func (p *taskDefsPage) view(m *Model, now time.Time, w, h int) []string {
	none := "No revisions of " + p.family + "."
	if p.family == "" {
		none = "No task definition families with an ACTIVE revision in " + m.region() + ". :create taskdef registers one."
	}
	return p.render(m, now, w, h, "task definitions", none)
}

func (p *taskDefsPage) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	k, t := &m.keys, &p.tbl
	switch {
	case k.Delete.hasKey(msg) && p.family != "":
		return m.deregister(p, msg)
	case matches(msg, k.Open), matches(msg, k.Detail):
		r, ok := t.selected()
		if !ok {
			return nil
		}
		if p.family == "" {
			q := &taskDefsPage{fetched: fetched{pageBase: pageBase{r.key}}, family: r.key}
			m.push(q)
			return q.reload(m)
		}
		d := &taskDefPage{pageBase: pageBase{r.key}, ref: r.key}
		m.push(d)
		return d.reload(m)
	}
	cmd, _ := p.listKey(m, msg)
	return cmd
}

// deregister is ctrl+k on a revision: it becomes INACTIVE (no new task or
// service can use it; running ones go on), after its name is typed.
func (m *Model) deregister(p *taskDefsPage, _ tea.KeyPressMsg) tea.Cmd {
	r, ok := p.tbl.selected()
	if !ok {
		return nil
	}
	if !m.keys.Delete.Enabled() {
		m.fail("read-only mode (--readonly): delete is disabled")
		return nil
	}
	api, ref := m.cfg.TaskDefs, r.key
	j := job{verb: "delete", label: "task definition " + ref, source: srcECS,
		cli:  m.awsCLI("ecs", "deregister-task-definition", "--task-definition", ref),
		done: "deregistered " + ref + ": it is INACTIVE (its running tasks go on)",
		run:  func(ctx context.Context) error { return api.DeregisterTaskDefinition(ctx, ref) }}
	m.dlg = m.typedConfirm(j, "Deregister task definition?", ref,
		"It becomes INACTIVE: no new task or service can use it; tasks and services running it go on.")
	return nil
}

// taskDefPage is one revision, and with D what changed since the one
// before it.
type taskDefPage struct {
	pageBase
	ref      string // family:revision
	td, prev *resource.TaskDefinition
	err      error
	diff     bool
	scroll   int
}

type taskDefMsg struct {
	p        *taskDefPage
	td, prev *resource.TaskDefinition
	err      error
}

func (msg taskDefMsg) apply(m *Model) tea.Cmd {
	if m.onStack(msg.p) {
		msg.p.td, msg.p.prev, msg.p.err = msg.td, msg.prev, msg.err
	}
	return nil
}

func (p *taskDefPage) mode() mode           { return modeDetail }
func (p *taskDefPage) source(*Model) string { return srcECS }

// reload describes the revision and the one before it (for the diff).
func (p *taskDefPage) reload(m *Model) tea.Cmd {
	api, ref := m.cfg.TaskDefs, p.ref
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), taskDefsTimeout)
		defer cancel()
		td, err := api.DescribeTaskDefinition(ctx, ref)
		if err != nil {
			return taskDefMsg{p: p, err: err}
		}
		msg := taskDefMsg{p: p, td: &td}
		if td.Revision > 1 {
			if prev, err := api.DescribeTaskDefinition(ctx, td.Family+":"+strconv.Itoa(int(td.Revision-1))); err == nil {
				msg.prev = &prev
			}
		}
		return msg
	}
}

func (p *taskDefPage) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	if cmd, ok := m.taskDefOpsKey(p, msg); ok { // C and I: ecs_ops.go
		return cmd
	}
	switch {
	case matches(msg, m.keys.Back):
		m.pop()
		return nil
	case matches(msg, m.keys.Diff):
		if p.prev == nil {
			m.info("no earlier revision to compare " + p.ref + " with")
			return nil
		}
		p.diff, p.scroll = !p.diff, 0
		return nil
	}
	n, h := len(p.lines(m)), m.bodyHeight()
	if pos, ok := m.scroll(msg, p.scroll, max(n-h+1, 1), h); ok {
		p.scroll = pos
	}
	return nil
}

func (p *taskDefPage) title(m *Model) string {
	if p.diff && p.prev != nil {
		return m.st.Accent.Render("  changes since " + p.prev.Label())
	}
	return ""
}

func (p *taskDefPage) view(m *Model, _ time.Time, w, h int) []string {
	return m.window(p.lines(m), p.scroll, h)
}

func (p *taskDefPage) lines(m *Model) []string {
	st := &m.st
	switch {
	case p.err != nil:
		return []string{"", "  " + st.Err.Render("Could not describe "+p.ref+": "+clean(p.err.Error()))}
	case p.td == nil:
		return []string{"", "  " + st.Muted.Render("Describing "+p.ref+"…")}
	case p.diff && p.prev != nil:
		out := []string{st.Title.Render(p.prev.Label() + " → " + p.td.Label()), ""}
		changes := taskDefDiff(*p.prev, *p.td)
		if len(changes) == 0 {
			return append(out, "  "+st.Muted.Render("Nothing deckhand shows changed (the revisions may differ in fields it does not read)."))
		}
		for _, c := range changes { // wrapped: ECR images are longer than a line
			for i, l := range wrapWords(clean(c), max(m.width-4, 10), max(m.width-6, 10)) {
				out = append(out, "  "+map[bool]string{true: "  "}[i > 0]+st.Warn.Render(l))
			}
		}
		return out
	}
	out := []string{st.Title.Render(p.td.Label() + "  " + p.td.Status), ""}
	valW := max(m.width-20, 10)
	for _, f := range taskDefFields(*p.td) {
		// Long values (an image in ECR, a role ARN) wrap: they are there
		// to be read whole.
		for i, l := range wrapWords(clean(f.value), valW, valW) {
			name := ""
			if i == 0 {
				name = f.name
			}
			out = append(out, "  "+st.Muted.Render(pad(name, 14, false))+"  "+l)
		}
	}
	if p.prev != nil {
		out = append(out, "", "  "+st.Muted.Render("D shows what changed since "+p.prev.Label()+"; C compares with a revision you pick."))
	}
	return out
}

// taskDefFields are a revision's fields as the detail lists them.
func taskDefFields(td resource.TaskDefinition) []field {
	fs := []field{
		{"CPU / memory", cmpOr(td.CPU, "-") + " / " + cmpOr(td.Memory, "-")},
		{"Network mode", td.NetworkMode},
		{"Requires", strings.Join(td.Compatibilities, ", ")},
		{"Execution role", cmpOr(td.ExecutionRoleARN, "none")},
		{"Task role", cmpOr(td.TaskRoleARN, "none")},
	}
	if !td.RegisteredAt.IsZero() {
		fs = append(fs, field{"Registered", td.RegisteredAt.UTC().Format("2006-01-02 15:04 MST")})
	}
	for _, c := range td.Containers {
		fs = append(fs, field{"Container", c.Name + map[bool]string{true: " (essential)", false: ""}[c.Essential]})
		for _, kv := range containerFields(c) {
			fs = append(fs, field{"  " + kv.name, kv.value})
		}
	}
	return fs
}

// containerFields are one container's fields; the environment by name only.
func containerFields(c resource.ContainerDef) []field {
	var ports []string
	for _, pm := range c.Ports {
		ports = append(ports, itoa(pm.ContainerPort)+"/"+cmpOr(pm.Protocol, "tcp"))
	}
	logs := "none (its output is not kept)"
	if c.LogDriver != "" {
		logs = c.LogDriver
		if g := c.LogOptions["awslogs-group"]; g != "" {
			logs += " " + g
		}
	}
	health := "none"
	if len(c.HealthCheck) > 0 {
		health = strings.Join(c.HealthCheck, " ")
	}
	return []field{
		{"image", c.Image},
		{"ports", cmpOr(strings.Join(ports, ", "), "none")},
		{"cpu / memory", itoa(c.CPU) + " / " + itoa(c.Memory) + " (reserved " + itoa(c.MemoryRes) + ")"},
		{"health check", health},
		{"logs", logs},
		{"environment", cmpOr(strings.Join(c.EnvNames, ", "), "none")},
		{"secrets", cmpOr(strings.Join(c.SecretNames, ", "), "none")},
	}
}

// taskDefDiff says what changed from a to b, field by field and container
// by container: "web image: nginx:1.25 → nginx:1.27".
func taskDefDiff(a, b resource.TaskDefinition) []string {
	var out []string
	diff := func(name string, x, y []field) {
		for i := range max(len(x), len(y)) {
			switch {
			case i >= len(x):
				out = append(out, name+strings.TrimSpace(y[i].name)+": added "+y[i].value)
			case i >= len(y):
				out = append(out, name+strings.TrimSpace(x[i].name)+": removed")
			case x[i].value != y[i].value:
				out = append(out, name+strings.TrimSpace(x[i].name)+": "+x[i].value+" → "+y[i].value)
			}
		}
	}
	strip := func(fs []field) []field { // the registration time always differs
		return slices.DeleteFunc(fs, func(f field) bool {
			return f.name == "Registered" || f.name == "Container" || strings.HasPrefix(f.name, "  ")
		})
	}
	diff("", strip(taskDefFields(a)), strip(taskDefFields(b)))
	byName := func(td resource.TaskDefinition) map[string]resource.ContainerDef {
		out := map[string]resource.ContainerDef{}
		for _, c := range td.Containers {
			out[c.Name] = c
		}
		return out
	}
	ca, cb := byName(a), byName(b)
	for _, c := range a.Containers {
		if d, ok := cb[c.Name]; ok {
			diff(c.Name+" ", containerFields(c), containerFields(d))
		} else {
			out = append(out, "container "+c.Name+": removed")
		}
	}
	for _, c := range b.Containers {
		if _, ok := ca[c.Name]; !ok {
			out = append(out, "container "+c.Name+": added ("+c.Image+")")
		}
	}
	return out
}

// cmpOr is s, or def when s is empty.
func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
