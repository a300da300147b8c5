package tui

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// The console output page (V on an instance): GetConsoleOutput, decoded,
// newest at the bottom, scrollable; ctrl+r reads it again. On the sandbox
// it is the cloud-config run's output, so a failed `docker run` of the
// user data shows here. EC2 keeps about the last 64 KB and updates it
// only every few minutes, which the page says.

type consolePage struct {
	pageBase
	id, label string
	lines     []string
	loading   bool
	err       error
	readAt    time.Time
	scroll    int
	atBottom  bool // the first read shows the end
}

type consoleMsg struct {
	p   *consolePage
	out string
	err error
	at  time.Time
}

func (msg consoleMsg) apply(m *Model) tea.Cmd {
	p := msg.p
	if !m.onStack(p) {
		return nil
	}
	p.loading, p.err, p.readAt = false, msg.err, msg.at
	if msg.err == nil {
		p.lines = strings.Split(strings.TrimRight(strings.ReplaceAll(msg.out, "\r\n", "\n"), "\n"), "\n")
		if msg.out == "" {
			p.lines = nil
		}
		if !p.atBottom {
			p.scroll, p.atBottom = max(len(p.lines)-m.bodyHeight()+3, 0), true
		}
	}
	return nil
}

func (m *Model) openConsole(x resource.Instance) tea.Cmd {
	p := &consolePage{pageBase: pageBase{"console"}, id: x.ID, label: clean(x.Label())}
	m.push(p)
	return p.reload(m)
}

func (p *consolePage) mode() mode { return modeDetail }

func (p *consolePage) title(m *Model) string {
	if p.loading {
		return m.st.Muted.Render(" (reading…)")
	}
	return m.st.Muted.Render(" " + p.label)
}

func (p *consolePage) reload(m *Model) tea.Cmd {
	p.loading = true
	api, id, now := m.cfg.EC2.Admin, p.id, m.now()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), taskDefsTimeout)
		defer cancel()
		out, err := api.ConsoleOutput(ctx, id)
		return consoleMsg{p, out, err, now}
	}
}

// body is the header lines and the output.
func (p *consolePage) body(m *Model, w int) []string {
	st := &m.st
	head := "Console output of " + p.label + " (GetConsoleOutput)"
	if !p.readAt.IsZero() {
		head += ", read " + clock(p.readAt, m.loc())
	}
	out := []string{st.Title.Render(fit(head, w)),
		st.Muted.Render(fit("EC2 keeps the last 64 KB and refreshes it every few minutes; ctrl+r reads it again.", w))}
	switch {
	case p.err != nil:
		return append(out, "", st.Err.Render(fit("Could not read it: "+clean(p.err.Error())+" — ctrl+r tries again.", w)))
	case p.loading && p.lines == nil:
		return append(out, "", st.Muted.Render("Reading…"))
	case len(p.lines) == 0:
		return append(out, "", st.Muted.Render(fit("No output yet: EC2 has none before the first boot, and it may take minutes to appear.", w)))
	}
	for _, l := range p.lines {
		tone := toneNone
		if lower := strings.ToLower(l); strings.Contains(lower, "error") || strings.Contains(lower, "failed") {
			tone = toneErr
		}
		// Wrapped, not cut: the end of a cloud-init line is often the
		// error (a docker run's reason), continued two columns in.
		for i, part := range wrapWords(clean(l), max(w, 10), max(w-2, 8)) {
			if i > 0 {
				part = "  " + part
			}
			out = append(out, st.tone(tone).Render(part))
		}
	}
	return out
}

func (p *consolePage) view(m *Model, _ time.Time, w, h int) []string {
	return m.window(p.body(m, w), p.scroll, h)
}

func (p *consolePage) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	if matches(msg, m.keys.Back) {
		m.pop()
		return nil
	}
	n, h := len(p.body(m, m.width)), m.bodyHeight()
	if pos, ok := m.scroll(msg, p.scroll, max(n-h+1, 1), h); ok {
		p.scroll = pos
	}
	return nil
}
