package tui

import (
	"context"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"deckhand/internal/doctor"
	"deckhand/internal/resource"
)

// The doctor page (x on a service or an instance, or :diag on the
// selected one): one verdict, then the findings root cause first, each
// with its evidence and times, how sure it is, and the fix — a key
// deckhand offers, or the CLI step. The reads run in a Cmd (doctor.Gather*);
// ctrl+r reads again. The checks are internal/doctor's.

// DoctorSource is what the doctor reads; every cloud backend has it.
type DoctorSource interface {
	doctor.ServiceSource
	doctor.InstanceSource
}

// doctorTimeout bounds one diagnosis: a dozen reads under the API budget.
const doctorTimeout = 45 * time.Second

type doctorPage struct {
	pageBase
	ref     rkey
	report  *doctor.Report
	err     error
	loading bool
	scroll  int
}

type doctorMsg struct {
	p   *doctorPage
	r   doctor.Report
	err error
}

func (msg doctorMsg) apply(m *Model) tea.Cmd {
	if !m.onStack(msg.p) {
		return nil
	}
	msg.p.loading, msg.p.err = false, msg.err
	if msg.err == nil {
		msg.p.report = &msg.r
	}
	return nil
}

func (p *doctorPage) mode() mode { return modeDetail }

func (p *doctorPage) source(m *Model) string { return m.data.source[p.ref.kind] }

func (p *doctorPage) subject(m *Model) (resource.Kind, resource.Item) {
	return p.ref.kind, m.data.lookup(p.ref)
}

// openDoctor is x on a service or an instance.
func (m *Model) openDoctor(it resource.Item) tea.Cmd {
	if _, ok := m.current().(*doctorPage); ok {
		return nil
	}
	if m.cfg.Doctor == nil {
		m.fail("the doctor is not available: " + cmpOr(m.cfg.AWSProblem, "this backend does not offer it"))
		return nil
	}
	var ref rkey
	switch x := it.(type) {
	case resource.Service:
		ref = rkey{resource.KindService, x.ARN}
	case resource.Instance:
		ref = rkey{resource.KindInstance, x.ID}
	default:
		m.warn("the doctor examines a service or an instance: select one")
		return nil
	}
	p := &doctorPage{pageBase: pageBase{"doctor: " + fit(clean(it.Label()), 30)}, ref: ref}
	m.push(p)
	return p.reload(m)
}

// doctorCommand is :diag, on the selected service or instance.
func (m *Model) doctorCommand([]string) tea.Cmd {
	_, it := m.current().subject(m)
	return m.openDoctor(it)
}

func (p *doctorPage) reload(m *Model) tea.Cmd {
	p.loading = true
	src, now, ref := m.cfg.Doctor, m.now(), p.ref
	cli := doctor.CLI(m.awsCLI)
	from := ""
	if m.cfg.Sandbox {
		from = "127.0.0.1/32" // the sandbox's instances are reached from this machine
	}
	var svc resource.Service
	if s, ok := m.data.lookup(ref).(resource.Service); ok {
		svc = s
	}
	cluster := m.data.clusterName(svc.ClusterARN)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), doctorTimeout)
		defer cancel()
		if ref.kind == resource.KindService {
			in, unread, err := doctor.GatherService(ctx, src, cluster, svc.Name, now)
			if err != nil {
				return doctorMsg{p: p, err: err}
			}
			in.CLI = cli
			return doctorMsg{p: p, r: doctor.Service(in, unread)}
		}
		home, _ := os.UserHomeDir()
		in, unread, err := doctor.GatherInstance(ctx, src, ref.key, from, nil, home, now)
		if err != nil {
			return doctorMsg{p: p, err: err}
		}
		in.CLI = cli
		return doctorMsg{p: p, r: doctor.Instance(in, unread)}
	}
}

func (p *doctorPage) lines(m *Model, w int) []string {
	st := &m.st
	switch {
	case p.report == nil && p.err != nil:
		return m.problem("The doctor could not read what it checks", p.err.Error(), "ctrl+r tries again.", w)
	case p.report == nil:
		return []string{"", "  " + st.Muted.Render("Examining… (reading the service, its tasks, task definitions, targets, security groups and logs)")}
	}
	var out []string
	if p.loading {
		out = append(out, st.Muted.Render("re-examining…"))
	}
	for i, l := range p.report.Text(m.loc()) {
		for j, part := range strings.Split(ansi.Wrap(clean(l), max(w-8, 10), " "), "\n") {
			if j > 0 {
				part = "       " + part
			}
			switch {
			case i == 0 && p.report.Healthy:
				part = st.OK.Bold(true).Render(part)
			case i == 0:
				part = st.Err.Bold(true).Render(part)
			case strings.HasPrefix(l, "   Fix:") || strings.HasPrefix(l, "     $ "):
				part = st.Accent.Render(part)
			case len(l) > 2 && l[0] >= '1' && l[0] <= '9':
				part = st.Title.Render(part)
			}
			out = append(out, part)
		}
	}
	if p.err != nil {
		out = append(out, "", st.Warn.Render("The last re-examination failed: "+clean(p.err.Error())))
	}
	out = append(out, "", st.Muted.Render(fit("checked at "+clock(p.report.At, m.loc())+" · ctrl+r examines again · v the lifecycle · esc back", w)))
	return out
}

func (p *doctorPage) view(m *Model, _ time.Time, w, h int) []string {
	return m.window(p.lines(m, w), p.scroll, h)
}

func (p *doctorPage) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	if cmd, ok := m.resourceKey(msg); ok {
		return cmd
	}
	if matches(msg, m.keys.Back) {
		m.pop()
		return nil
	}
	n, h := len(p.lines(m, m.width)), m.bodyHeight()
	if pos, ok := m.scroll(msg, p.scroll, max(n-h+1, 1), h); ok {
		p.scroll = pos
	}
	return nil
}
