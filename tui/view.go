package tui

import (
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// View renders the whole screen. Its cost depends on the terminal size, not
// on the number of resources: tables render only their visible rows.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "deckhand"
	return v
}

func (m *Model) render() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return ""
	}
	now := m.now()
	top, bottom := m.chrome()
	lines := make([]string, 0, h)
	if top >= 3 {
		lines = append(lines, m.headerLine(w), m.freshnessLine(now, w))
	} else if top == 2 {
		lines = append(lines, m.headerLine(w))
	}
	if top > 0 {
		lines = append(lines, m.titleLine(now, w))
	}
	if bottom >= 2 {
		lines = append(lines, m.statusLines(w, bottom-1)...)
		lines = append(lines, m.hintLine(w))
	} else if bottom == 1 {
		lines = append(lines, m.statusLines(w, 1)...)
	}
	for i, l := range lines {
		lines[i] = cut(l, w)
	}
	body := m.body(now, w, h-top-bottom)
	if m.dlg != nil && len(body) > 0 {
		body = m.overlay(body, m.dialogBox(w), w)
	}
	// The body goes between the title and the status line.
	lines = slices.Concat(lines[:top], body, lines[top:])
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(lines, "\n")
}

// body is the area between the title and the status line, exactly h lines.
func (m *Model) body(now time.Time, w, h int) []string {
	if h <= 0 {
		return nil
	}
	var out []string
	p := m.current()
	fitted := false // table rows are built to fit; other content is cut below
	switch {
	case m.help:
		out = m.window(m.helpLines(w), m.helpScroll, h)
	case p.isAWS() && m.cfg.AWSProblem != "":
		out = m.problem("AWS is not usable, so the AWS panes are empty.", m.cfg.AWSProblem,
			"The Docker pane (5) works without AWS.", w)
	case p.kind == paneDocker && m.cfg.DockerProblem != "":
		out = m.problem("Docker is not usable, so this pane is empty.", m.cfg.DockerProblem,
			"The AWS panes work without Docker.", w)
	case p.kind == paneDetail:
		out = m.window(m.detailLines(p, now, w), p.scroll, h)
	case p.logs != nil:
		out = m.logBody(p.logs, w, h)
	case p.kind == paneWizard:
		out = m.wizardLines(w)
	case p.kind == paneCreate:
		out = m.createLines(w)
	case p.kind == paneReview:
		out = m.reviewLines(w, h)
	case p.kind == paneRun:
		scroll := 0
		if m.lr != nil {
			scroll = m.lr.scroll
		}
		out = m.window(m.runLines(w), scroll, h)
	default:
		out = p.tbl.render(renderCtx{now: now, st: &m.st, changed: m.changed, width: w, rowsShown: h - 1})
		m.reportOnScreen(&p.tbl, h-1)
		fitted = p.tbl.n() > 0
		if !fitted {
			out = append(out, "")
			for _, l := range strings.Split(ansi.Wordwrap(m.empty(p), max(w-4, 10), " "), "\n") {
				out = append(out, "  "+m.st.Muted.Render(l))
			}
		}
	}
	if len(out) > h {
		out = out[:h]
	}
	if !fitted {
		for i, l := range out {
			out[i] = cut(l, w)
		}
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out
}

// cut truncates a line that is wider than the terminal.
func cut(l string, w int) string {
	if width(l) > w {
		return ansi.Truncate(l, w, "")
	}
	return l
}

// window returns the h lines of ls starting at off, clamped; when more
// follows, the last line says so.
func (m *Model) window(ls []string, off, h int) []string {
	off = max(0, min(off, len(ls)-h))
	out := slices.Clone(ls[off:min(len(ls), off+h)])
	if off+h < len(ls) && h > 1 {
		out[h-1] = m.st.Muted.Render("  ↓ more below — j/↓, pgdn or G to scroll")
	}
	return out
}

// problem explains why a pane has no data: what failed and what to do.
func (m *Model) problem(head, detail, other string, w int) []string {
	ww := max(w-4, 10)
	out := []string{"", "  " + m.st.Warn.Render(head), ""}
	// Wrap each line on its own, continuing at its indent plus two, so the
	// adapter's bulleted list of places looked at stays readable.
	for _, src := range strings.Split(detail, "\n") {
		src = clean(src)
		body := strings.TrimLeft(src, " ")
		indent := strings.Repeat(" ", min(len(src)-len(body), ww/2))
		for i, l := range strings.Split(ansi.Wrap(body, max(ww-len(indent)-2, 10), " "), "\n") {
			if i > 0 {
				l = "  " + l
			}
			out = append(out, "  "+indent+l)
		}
	}
	return append(out, "", "  "+m.st.Muted.Render(other))
}

// empty says why a table has no rows, and what to do about it.
func (m *Model) empty(p *page) string {
	t := &p.tbl
	if t.filter != "" && len(t.rows) > 0 {
		return "No rows match /" + t.raw + " — esc clears the filter."
	}
	kind := paneKinds[p.kind]
	src := m.pageSource(p)
	if src, err := m.kindError(p); err != nil && len(t.rows) == 0 {
		return "Could not read " + paneNames[p.kind] + " (" + src + "): the failed call is in the status line below. Retrying."
	}
	if p.kind != paneEvents && !m.data.loaded[kind] {
		if s := m.src[src]; s != nil && s.err != nil {
			return "Could not fetch " + paneNames[p.kind] + " (" + src + "): the error is in the status line below. Retrying."
		}
		return "Fetching " + paneNames[p.kind] + "…"
	}
	region := m.cfg.Region
	if region == "" {
		region = "the default region"
	}
	switch p.kind {
	case paneInstances:
		return "No EC2 instances in region " + region + "."
	case paneClusters:
		return "No ECS clusters in region " + region + "."
	case paneServices:
		if p.cluster != "" {
			name := m.data.clusterName(p.cluster)
			if m.focused == p.cluster && m.src[srcECS] != nil && m.src[srcECS].updates <= m.focusUpdates {
				return "Fetching the services of " + name + "…"
			}
			return "No services in cluster " + name + "."
		}
		return "No services in the clusters fetched so far. Open a cluster (2, enter) to list its services."
	case paneTasks:
		if p.service != "" {
			return "No tasks for service " + p.service + " in cluster " + m.data.clusterName(p.cluster) + "."
		}
		return "No tasks in the clusters fetched so far. Open a cluster (2, enter) to list its tasks."
	case paneContainers:
		if p.task != "" {
			return "No containers reported for task " + lastSegment(p.task) + "."
		}
		return "No task containers in the clusters fetched so far."
	case paneDocker:
		host := m.cfg.DockerHost
		if host == "" {
			host = "the local Docker engine"
		}
		return "No containers on " + host + "."
	case paneEvents:
		return "No changes seen yet. Every transition deckhand observes (pending → running, a task stopping, a container exiting) is listed here, newest first."
	}
	return "Nothing to show."
}
