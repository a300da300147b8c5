package tui

import (
	"slices"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"deckhand/internal/resource"
)

// seg is one piece of a header line; when the line is too wide, segments
// with the highest prio are dropped first.
type seg struct {
	text  string
	prio  int
	style lipgloss.Style
}

// joinSegs lays segments out on one line of width w.
func joinSegs(segs []seg, sep string, w int) string {
	keep := make([]bool, len(segs))
	for i := range keep {
		keep[i] = true
	}
	width := func() int {
		n, shown := 0, 0
		for i, s := range segs {
			if keep[i] {
				n += ansi.StringWidth(s.text)
				shown++
			}
		}
		return n + ansi.StringWidth(sep)*max(shown-1, 0)
	}
	for width() > w {
		drop := -1
		for i, s := range segs {
			if keep[i] && s.prio > 0 && (drop < 0 || s.prio >= segs[drop].prio) {
				drop = i
			}
		}
		if drop < 0 {
			break
		}
		keep[drop] = false
	}
	var parts []string
	for i, s := range segs {
		if keep[i] {
			parts = append(parts, s.style.Render(s.text))
		}
	}
	return strings.Join(parts, sep)
}

// headerLine: who and where — app, markers, AWS identity, region, profile,
// endpoint and Docker host.
func (m *Model) headerLine(w int) string {
	st := &m.st
	plain := lipgloss.NewStyle()
	name := "deckhand"
	if m.cfg.Version != "" {
		name += " " + m.cfg.Version
	}
	segs := []seg{{name, 0, st.Header}}
	if m.cfg.Readonly {
		segs = append(segs, seg{" READONLY ", 0, st.Marker})
	}
	if m.cfg.Sandbox {
		segs = append(segs, seg{" SANDBOX ", 0, st.Marker})
	}
	if m.cfg.AWSProblem != "" {
		segs = append(segs, seg{"aws unavailable", 1, st.Warn})
	} else {
		switch {
		case m.account != "":
			segs = append(segs, seg{"acct " + m.account, 1, plain})
		case m.identErr != nil:
			segs = append(segs, seg{"identity unknown", 3, st.Warn})
		case m.cfg.Identity != nil:
			segs = append(segs, seg{"acct …", 3, st.Muted})
		}
		if m.arn != "" {
			segs = append(segs, seg{m.arn, 6, st.Muted})
		}
	}
	if m.cfg.Region != "" {
		segs = append(segs, seg{"region " + m.cfg.Region, 1, plain})
	}
	if m.cfg.Profile != "" {
		segs = append(segs, seg{"profile " + m.cfg.Profile, 2, plain})
	}
	if m.cfg.Endpoint != "" {
		segs = append(segs, seg{"endpoint " + m.cfg.Endpoint, 2, st.Accent})
	}
	switch {
	case m.cfg.DockerProblem != "":
		segs = append(segs, seg{"docker unavailable", 4, st.Warn})
	case m.cfg.DockerHost != "":
		segs = append(segs, seg{"docker " + m.cfg.DockerHost, 5, st.Muted})
	}
	return joinSegs(segs, "  ", w)
}

// freshness says how old each source's data is: "ec2 10s ago", or STALE
// with the age of the data still shown when the last fetch failed; age
// prints it (the header's coarse fmtAgo, the :stats page's exact fmtAge).
func (m *Model) freshness(now time.Time, src string, age func(time.Duration) string) (string, tone) {
	aws := src == srcEC2 || src == srcECS
	if aws && m.cfg.AWSProblem != "" || src == srcDocker && m.cfg.DockerProblem != "" {
		return src + " unavailable", toneWarn
	}
	s := m.src[src]
	switch {
	case s == nil || s.updates == 0, s.loading:
		return src + " loading…", toneMuted
	case s.err != nil && s.okAt.IsZero():
		return src + " FAILED " + age(clockAge(now, s.errAt)) + " ago", toneErr
	case s.err != nil:
		return src + " STALE " + age(clockAge(now, s.okAt)) + " ago", toneErr
	}
	return src + " " + age(clockAge(now, s.okAt)) + " ago", toneMuted
}

// freshnessLine: data age per source on the left, the panes on the right
// when they fit.
func (m *Model) freshnessLine(now time.Time, w int) string {
	var parts []string
	for _, src := range m.srcOrder {
		text, t := m.freshness(now, src, fmtAgo)
		parts = append(parts, m.st.tone(t).Render(text))
	}
	if text, t := m.budgetSeg(w - width(strings.Join(parts, "  ")) - 2); text != "" {
		parts = append(parts, m.st.tone(t).Render(text))
	}
	left := strings.Join(parts, "  ")
	var tabs []string
	cur := m.topIndex()
	for i, p := range m.numbered() {
		label := string(rune('1'+i)) + " " + p.spec.name
		if i == cur {
			tabs = append(tabs, m.st.Selected.Render(" "+label+" "))
		} else {
			tabs = append(tabs, m.st.Muted.Render(" "+label+" "))
		}
	}
	right := strings.Join(tabs, "")
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 2 {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}

// titleLine: breadcrumbs of the page stack, row count, filter and whether
// the data is stale.
func (m *Model) titleLine(now time.Time, w int) string {
	crumbs := make([]string, len(m.stack))
	for i, p := range m.stack {
		crumbs[i] = p.crumb()
	}
	title := m.st.Title.Render(strings.Join(crumbs, " › "))
	p := m.current()
	if m.help {
		title += m.st.Muted.Render(" › help")
	}
	if !m.help {
		title += p.title(m)
	}
	// A run in progress is shown on every other page, so leaving the
	// checklist does not hide it.
	if r := m.lr; r != nil && !r.done && p != page(r) {
		status, t := r.status(now)
		title += "  " + m.st.tone(t).Render(r.verb+" "+r.stack+": "+status) + m.st.Muted.Render(" (L shows it)")
	}
	if _, err := m.kindError(p); err != nil {
		title += "  " + m.st.Err.Render("STALE: the last fetch could not read these (see below)")
	} else if src := p.source(m); src != "" {
		if s := m.src[src]; s != nil && s.err != nil && !s.okAt.IsZero() {
			title += "  " + m.st.Err.Render("STALE: "+src+" data from "+fmtAgo(clockAge(now, s.okAt))+" ago")
		}
	}
	return title
}

// statusLines: the command line or filter while typing, else a flash,
// else the latest fetch error, with the cursor position on the right. An
// error may take up to maxStatus lines: its end carries the IAM permission
// or configuration hint, which must not be cut off on 80 columns.
func (m *Model) statusLines(w, maxLines int) []string {
	if m.input.active() {
		return []string{m.inputLine()}
	}
	var text string
	t := toneNone
	switch {
	case m.flash.text != "":
		text, t = m.flash.text, m.flash.tone
	default:
		if src, err := m.lastError(); err != nil {
			text, t = src+": "+clean(err.Error())+m.retryNote(src, m.now()), toneErr
		}
	}
	right := ""
	if t := m.current().table(); t != nil && !m.help && t.n() > 0 {
		right = thousands(t.cursor+1) + "/" + thousands(t.n())
	}
	lines := []string{""}
	if text != "" {
		lines = strings.Split(ansi.Wrap(text, max(w, 1), " "), "\n")
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = fit(lines[maxLines-1]+" …", w)
	}
	last := len(lines) - 1
	gap := w - width(lines[last]) - width(right)
	for i, l := range lines {
		lines[i] = m.st.tone(t).Render(l)
	}
	if right != "" && gap >= 2 {
		lines[last] += strings.Repeat(" ", gap) + m.st.Muted.Render(right)
	}
	return lines
}

// retryNote says when a failing source is fetched again, so an error on
// screen is never a dead end: " (retrying in 8s)", or " (retrying now)".
func (m *Model) retryNote(src string, now time.Time) string {
	s := m.src[src]
	if s == nil || s.retryAt.IsZero() {
		return ""
	}
	if d := clockAge(s.retryAt, now); d >= time.Second {
		return " (retrying in " + fmtAge(d) + ")"
	}
	return " (retrying now)"
}

// kindError is why the last fetch could not read a kind the page shows
// (resource.Set.Failed), with the source that tried; nil when it could.
func (m *Model) kindError(p page) (string, error) {
	for _, k := range resource.AllKinds {
		if err := m.data.failed[k]; err != nil && p.uses(k) {
			return m.data.source[k], err
		}
	}
	return "", nil
}

// lastError is the failing source to report: the current page's first, then
// any other.
func (m *Model) lastError() (string, error) {
	if src, err := m.kindError(m.current()); err != nil {
		return src, err
	}
	if src := m.current().source(m); src != "" {
		if s := m.src[src]; s != nil && s.err != nil {
			return src, s.err
		}
	}
	for _, src := range m.srcOrder {
		if s := m.src[src]; s != nil && s.err != nil {
			return src, s.err
		}
	}
	return "", nil
}

func (m *Model) inputLine() string {
	prefix := ":"
	if m.input.kind == inputFilter {
		prefix = "/"
	}
	text := m.input.value()
	line := m.st.Key.Render(prefix) + m.input.render(m.st.Selected.Render)
	if m.input.kind != inputCommand {
		return line
	}
	// Arguments follow a known command (:destroy web): no completion but
	// the account commands' (:region eu-…, account_complete.go).
	if name, _, args := strings.Cut(strings.TrimLeft(text, " "), " "); args {
		if slices.Contains(commandNames(), strings.ToLower(name)) {
			return line + m.argHint(text)
		}
		return line + m.st.Err.Render("   no such command")
	}
	c := completions(text)
	if len(c) > 0 && text != "" {
		if m.input.atEnd() { // the completion is ghosted after the cursor
			line += m.st.Muted.Render(strings.TrimPrefix(c[0], strings.ToLower(text)))
		}
		if len(c) > 1 {
			line += m.st.Muted.Render("   (" + strings.Join(c, " ") + ")")
		}
		return line
	}
	if text != "" {
		return line + m.st.Err.Render("   no such command")
	}
	return line + m.st.Muted.Render("   "+strings.Join(commandNames(), " "))
}

// hintLine shows the main keys of the current mode, from the keymap.
func (m *Model) hintLine(w int) string {
	var b strings.Builder
	used := 0
	for _, a := range m.keys.short(m.mode(), m.paneActions()) {
		if !a.Enabled() || a == &m.keys.CancelRun && (m.lr == nil || m.lr.done) {
			continue
		}
		h := a.Help()
		n := ansi.StringWidth(h.Key) + 1 + ansi.StringWidth(h.Desc)
		if used > 0 {
			n += 2
		}
		if used+n > w {
			break
		}
		if used > 0 {
			b.WriteString("  ")
		}
		b.WriteString(m.st.Key.Render(h.Key) + " " + m.st.Muted.Render(h.Desc))
		used += n
	}
	return b.String()
}
