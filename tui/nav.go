package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

func matches(msg tea.KeyPressMsg, a action) bool { return key.Matches(msg, a.Binding) }

// flash is a one-off message in the status line; the next key clears it.
type flash struct {
	text string
	tone tone
	// refresh is the source a "refreshing…" flash waits for ("*" for every
	// source): the flash ends when that source answers, so it never
	// outlives the fetch and hides its error.
	refresh string
}

func (m *Model) info(s string) { m.flash = flash{text: s, tone: toneNone} }
func (m *Model) warn(s string) { m.flash = flash{text: s, tone: toneWarn} }
func (m *Model) fail(s string) { m.flash = flash{text: s, tone: toneErr} }

// mode is where keys go now.
func (m *Model) mode() mode {
	switch {
	case m.dlg != nil && m.dlg.input != nil:
		return modePrompt
	case m.dlg != nil:
		return modeDialog
	case m.input.active():
		return modeInput
	case m.help:
		return modeHelp
	}
	switch m.current().kind {
	case paneDetail:
		return modeDetail
	case paneWizard, paneCreate:
		return modeForm
	case paneReview:
		return modeReview
	case paneRun:
		return modeRun
	case paneLogs:
		return modeLogs
	}
	return modeTable
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	if matches(msg, k.ForceQuit) {
		if m.mode() == modeRun && m.lr != nil && !m.lr.done {
			m.askCancelRun()
			return nil
		}
		return tea.Quit
	}
	if m.dlg != nil {
		return m.dialogKey(msg)
	}
	if m.input.active() {
		return m.inputKey(msg)
	}
	m.flash = flash{}
	switch m.mode() {
	case modeForm:
		return m.formKey(msg)
	case modeReview:
		return m.reviewKey(msg)
	}
	switch {
	case k.Launch.hasKey(msg):
		// hasKey, not matches: under --readonly the key says why it
		// does nothing.
		return m.launchKey()
	case matches(msg, k.Quit):
		return m.quit()
	case matches(msg, k.Help):
		m.help, m.helpScroll = !m.help, 0
		return nil
	case matches(msg, k.Command):
		m.input.start(inputCommand, "")
		return nil
	case matches(msg, k.Refresh):
		return m.refresh()
	case matches(msg, k.NextPane):
		m.cycle(1)
		return nil
	case matches(msg, k.PrevPane):
		m.cycle(-1)
		return nil
	case matches(msg, k.Panes):
		if i := int(msg.String()[0] - '1'); i >= 0 && i < len(topPanes) {
			m.switchTo(topPanes[i])
		}
		return nil
	}
	if m.help {
		m.helpKey(msg)
		return nil
	}
	if m.current().kind == paneRun {
		m.runKey(msg)
		return nil
	}
	if m.current().kind == paneLogs {
		return m.logsKey(msg)
	}
	if matches(msg, k.Logs) {
		if pk, it := m.target(); k.Logs.offeredOn(pk) {
			return m.openLogs(it)
		}
	}
	if cmd, ok := m.createKey(msg); ok {
		return cmd
	}
	if cmd, ok := m.actionKey(msg); ok {
		return cmd
	}
	if m.current().kind == paneDetail {
		m.detailKey(msg)
		return nil
	}
	return m.tableKey(msg)
}

func (m *Model) switchTo(k paneKind) {
	m.help = false
	m.showTop(k)
}

func (m *Model) cycle(d int) {
	i := max(m.topIndex(), 0)
	m.switchTo(topPanes[(i+d+len(topPanes))%len(topPanes)])
}

// scroll applies the movement keys to a position in a list of n lines
// shown h at a time; it is shared by tables, the detail view and help.
func (m *Model) scroll(msg tea.KeyPressMsg, pos, n, h int) (int, bool) {
	k := &m.keys
	switch {
	case matches(msg, k.Up):
		pos--
	case matches(msg, k.Down):
		pos++
	case matches(msg, k.Top):
		pos = 0
	case matches(msg, k.Bottom):
		pos = n - 1
	case matches(msg, k.PageUp):
		pos -= max(h, 1)
	case matches(msg, k.PageDown):
		pos += max(h, 1)
	case matches(msg, k.HalfUp):
		pos -= max(h/2, 1)
	case matches(msg, k.HalfDown):
		pos += max(h/2, 1)
	default:
		return pos, false
	}
	return max(0, min(pos, n-1)), true
}

func (m *Model) helpKey(msg tea.KeyPressMsg) {
	if matches(msg, m.keys.Back) {
		m.help = false
		return
	}
	n := len(m.helpLines(m.width))
	h := m.bodyHeight()
	if pos, ok := m.scroll(msg, m.helpScroll, max(n-h+1, 1), h); ok {
		m.helpScroll = pos
	}
}

func (m *Model) detailKey(msg tea.KeyPressMsg) {
	p := m.current()
	if matches(msg, m.keys.Back) {
		m.pop()
		return
	}
	n := len(m.detailLines(p, m.now(), m.width))
	h := m.bodyHeight()
	if pos, ok := m.scroll(msg, p.scroll, max(n-h+1, 1), h); ok {
		p.scroll = pos
	}
}

func (m *Model) tableKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	p := m.current()
	t := &p.tbl
	switch {
	case matches(msg, k.Back):
		if t.filter != "" {
			t.setFilter("")
			return nil
		}
		leaving := p.kind == paneServices && p.cluster != "" && len(m.stack) > 1
		if m.pop() && leaving {
			return m.focus("")
		}
		return nil
	case matches(msg, k.Filter):
		m.input.start(inputFilter, t.raw)
		return nil
	case matches(msg, k.Open):
		return m.open(p)
	case matches(msg, k.Detail):
		if r, ok := t.selected(); ok {
			m.openDetail(r.ref)
		}
		return nil
	}
	if pos, ok := m.scroll(msg, t.cursor, t.n(), t.height); ok {
		t.cursor = pos
		t.clamp()
	}
	return nil
}

// open drills down from the selected row: cluster → services → tasks →
// containers; on a leaf (instance, container, event) it opens the detail.
func (m *Model) open(p *page) tea.Cmd {
	r, ok := p.tbl.selected()
	if !ok {
		return nil
	}
	switch p.kind {
	case paneClusters:
		m.push(&page{kind: paneServices, cluster: r.key, crumb: clean(m.data.clusterName(r.key))})
		return m.focus(r.key)
	case paneServices:
		if s, ok := m.data.lookup(r.ref).(resource.Service); ok {
			m.push(&page{kind: paneTasks, cluster: s.ClusterARN, service: s.Name, crumb: clean(s.Name)})
		}
		return nil
	case paneTasks:
		m.push(&page{kind: paneContainers, task: r.key, crumb: shortID(clean(lastSegment(r.key)), 8)})
		return nil
	}
	m.openDetail(r.ref)
	return nil
}

func (m *Model) openDetail(ref rkey) {
	label := ref.key
	if it := m.data.lookup(ref); it != nil {
		label = it.Label()
	}
	m.push(&page{kind: paneDetail, ref: ref, crumb: fit(clean(label), 40)})
}

// focus asks the ECS watcher, in a Cmd, to fetch one cluster ("" = back to
// automatic).
func (m *Model) focus(arn string) tea.Cmd {
	f := m.cfg.FocusCluster
	if f == nil || arn == m.focused {
		return nil
	}
	m.focused = arn
	if st := m.src[srcECS]; st != nil {
		m.focusUpdates = st.updates
	}
	for _, p := range m.allPages() { // the top-level ECS panes list the focus (scopeCluster)
		if p.kind == paneServices || p.kind == paneTasks {
			p.dirty = true
		}
	}
	return func() tea.Msg { f(arn); return nil }
}

// refresh asks the watcher of the current page to fetch now.
func (m *Model) refresh() tea.Cmd {
	f := m.cfg.Refresh
	if f == nil {
		m.fail("refresh is not available")
		return nil
	}
	if p := m.current(); p.logs != nil && !m.help {
		m.info("fetching the logs again…")
		return m.fetchLogs(p.logs)
	}
	src := m.pageSource(m.current())
	if m.help {
		src = ""
	}
	if src == "" {
		m.flash = flash{text: "refreshing every source…", refresh: "*"}
	} else {
		m.flash = flash{text: "refreshing " + src + "…", refresh: src}
	}
	return func() tea.Msg { f(src); return nil }
}

// bodyHeight is the number of lines between the title and the status line.
func (m *Model) bodyHeight() int {
	top, bottom := m.chrome()
	return max(m.height-top-bottom, 0)
}
