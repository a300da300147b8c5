package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
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

// mode is where keys go now: an open dialog, the command line, help, or
// the page on top.
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
	return m.current().mode()
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
	// Forms and reviews take every key: letters are typed or answer.
	if md := m.mode(); md == modeForm || md == modeReview {
		return m.current().key(m, msg)
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
		return m.loadProfiles() // for :profile's completion (account.go)
	case matches(msg, k.Refresh):
		return m.refresh()
	case matches(msg, k.NextPane):
		m.cycle(1)
		return nil
	case matches(msg, k.PrevPane):
		m.cycle(-1)
		return nil
	case matches(msg, k.Panes):
		if i, tops := int(msg.String()[0]-'1'), m.numbered(); i >= 0 && i < len(tops) {
			m.switchTo(tops[i])
		}
		return nil
	}
	if m.help {
		m.helpKey(msg)
		return nil
	}
	return m.current().key(m, msg)
}

// resourceKey handles the keys a resource list or detail offers on its
// target: logs, create, and the resource actions; ok is false when msg is
// none of them here.
func (m *Model) resourceKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if matches(msg, m.keys.Logs) {
		if kind, it := m.current().subject(m); m.keys.Logs.offeredOn(kind) {
			return m.openLogs(it), true
		}
	}
	if matches(msg, m.keys.Events) {
		if kind, it := m.current().subject(m); m.keys.Events.offeredOn(kind) {
			return m.openServiceEvents(it), true
		}
	}
	if matches(msg, m.keys.Lifecycle) {
		if kind, it := m.current().subject(m); m.keys.Lifecycle.offeredOn(kind) {
			return m.openLifecycle(it), true
		}
	}
	if matches(msg, m.keys.Doctor) {
		if kind, it := m.current().subject(m); m.keys.Doctor.offeredOn(kind) {
			return m.openDoctor(it), true
		}
	}
	if cmd, ok := m.createKey(msg); ok {
		return cmd, true
	}
	if cmd, ok := m.sessionKey(msg); ok {
		return cmd, true
	}
	if cmd, ok := m.ec2Key(msg); ok {
		return cmd, true
	}
	if matches(msg, m.keys.Copy) {
		return m.copyKey(), true
	}
	return m.actionKey(msg)
}

func (m *Model) switchTo(p *listPage) {
	m.help = false
	m.showTop(p)
}

func (m *Model) cycle(d int) {
	i, tops := max(m.topIndex(), 0), m.numbered()
	m.switchTo(tops[(i+d+len(tops))%len(tops)])
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

// focus asks the ECS watcher, in a Cmd, to fetch one cluster ("" = back to
// automatic).
func (m *Model) focus(arn string) tea.Cmd {
	f := m.cfg.FocusCluster
	if f == nil || arn == m.focused {
		return nil
	}
	m.focused = arn
	for _, p := range m.allPages() { // the top-level ECS panes list the focus (listPage.cluster)
		if lp, ok := p.(*listPage); ok && lp.spec.ecs {
			lp.invalidate()
		}
	}
	return func() tea.Msg { f(arn); return nil }
}

// reloader is a page that fetches its own data (the logs page): ctrl+r
// fetches it again rather than asking a watcher.
type reloader interface{ reload(m *Model) tea.Cmd }

// refresh asks the watcher of the current page to fetch now.
func (m *Model) refresh() tea.Cmd {
	f := m.cfg.Refresh
	if f == nil {
		m.fail("refresh is not available")
		return nil
	}
	if r, ok := m.current().(reloader); ok && !m.help {
		return r.reload(m)
	}
	src := m.current().source(m)
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
