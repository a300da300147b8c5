package tui

import (
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/portfwd"
	"deckhand/internal/resource"
)

// The forwards page (:forwards, and where F lands): every port forward of
// this session — what it reaches, the local address, its state and since
// when, how often it was restarted and the last thing its process said
// (why a session dropped). s or ctrl+k stops one; y copies its address or
// command. The forwards run in portfwd's goroutines, so the page reads
// their list once a second while it is on the stack (no I/O: a copy under
// a mutex).

// kindForward names the forwards for the keymap's stop key: they are not
// resources of a watcher, so not in resource.AllKinds.
const kindForward resource.Kind = "forwards"

const forwardsTick = time.Second

type forwardsPage struct {
	fetched
	list map[string]portfwd.Forward // by row key
}

type forwardsTickMsg struct{ p *forwardsPage }

func (msg forwardsTickMsg) apply(m *Model) tea.Cmd {
	if !m.onStack(msg.p) {
		return nil // left: the ticks end
	}
	msg.p.rebuild(m)
	return msg.p.tick()
}

func (p *forwardsPage) tick() tea.Cmd {
	return tea.Tick(forwardsTick, func(time.Time) tea.Msg { return forwardsTickMsg{p} })
}

// openForwards is :forwards; an open forwards page is brought back
// rather than stacked twice.
func (m *Model) openForwards(_ []string) tea.Cmd {
	for _, q := range m.stack {
		if p, ok := q.(*forwardsPage); ok {
			m.dropPages(func(x page) bool { return x == page(p) })
			m.push(p)
			p.rebuild(m)
			return nil
		}
	}
	p := &forwardsPage{fetched: fetched{pageBase: pageBase{"forwards"}}}
	m.push(p)
	p.rebuild(m)
	return p.tick()
}

func (p *forwardsPage) subject(*Model) (resource.Kind, resource.Item) { return kindForward, nil }

func (p *forwardsPage) rebuild(m *Model) {
	now := m.now()
	fs := m.forwards().List()
	p.list = map[string]portfwd.Forward{}
	rows := make([]row, len(fs))
	for i, f := range fs {
		key := strconv.Itoa(f.ID)
		p.list[key] = f
		state, tn := f.State, forwardTone(f.State)
		if f.State == portfwd.Restarting && f.RetryAt.After(now) {
			state += " in " + fmtAge(f.RetryAt.Sub(now).Round(time.Second))
		}
		rows[i] = row{key: key, still: true,
			cells: []string{clean(f.Target), f.Address + " → " + itoa(f.Port), state, "", strconv.Itoa(f.Restarts), clean(f.LastLine)},
			tones: []tone{2: tn}, at: []time.Time{f.Since}}
	}
	p.tbl.setRows([]column{
		{title: "TARGET", min: 10, soft: 24, max: 60},
		{title: "LOCAL → PORT", min: 12, max: 30},
		{title: "STATE", min: 8, max: 24},
		{title: "SINCE", min: 5, max: 8, at: 1},
		{title: "RESTARTS", min: 8, max: 8, right: true},
		{title: "LAST OUTPUT", min: 10, soft: 30, max: 200, prio: 2},
	}, rows)
}

func forwardTone(state string) tone {
	switch state {
	case portfwd.Running, portfwd.Published:
		return toneOK
	case portfwd.Starting, portfwd.Restarting:
		return toneTrans
	case portfwd.Failed:
		return toneErr
	}
	return toneMuted
}

func (p *forwardsPage) view(m *Model, now time.Time, w, h int) []string {
	return p.render(m, now, w, h, "forwards",
		"No port forwards. F on a task or container forwards its port (on the sandbox: shows where it is published).")
}

func (p *forwardsPage) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	switch {
	case k.StopForward.hasKey(msg):
		r, ok := p.tbl.selected()
		if !ok {
			m.warn("no forward selected")
			return nil
		}
		f := p.list[r.key]
		fw := m.forwards()
		m.info("stopping the forward " + f.Address + " → " + clean(f.Target) + "…")
		// Stop waits for the process to end: in a Cmd.
		return func() tea.Msg {
			fw.Stop(f.ID)
			return forwardStoppedMsg{p, f}
		}
	case matches(msg, k.Copy):
		r, ok := p.tbl.selected()
		if !ok {
			return m.copyKey()
		}
		f := p.list[r.key]
		return m.copyForward(f)
	}
	cmd, _ := p.listKey(m, msg)
	return cmd
}

// copyForward copies the address, or asks between it and the command.
func (m *Model) copyForward(f portfwd.Forward) tea.Cmd {
	if f.CLI == "" {
		return m.copyText(copyChoice{"address", f.Address})
	}
	cs := []copyChoice{{"address", f.Address}, {"URL", "http://" + f.Address}, {"command", f.CLI}}
	d := &dialog{title: "Copy to the clipboard", verb: "copy", closed: "nothing copied"}
	for i, c := range cs {
		d.lines = append(d.lines, strconv.Itoa(i+1)+"  "+c.label+": "+fit(c.value, 60))
	}
	d.lines = append(d.lines, "", "A digit copies; esc closes.")
	d.pick = func(i int) tea.Cmd {
		if i < 0 || i >= len(cs) {
			return nil
		}
		m.dlg = nil
		return m.copyText(cs[i])
	}
	m.dlg = d
	return nil
}

type forwardStoppedMsg struct {
	p *forwardsPage
	f portfwd.Forward
}

func (msg forwardStoppedMsg) apply(m *Model) tea.Cmd {
	m.info("stopped the forward " + msg.f.Address + " → " + clean(msg.f.Target))
	if m.onStack(msg.p) {
		msg.p.rebuild(m)
	}
	return nil
}
