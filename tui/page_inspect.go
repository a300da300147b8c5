package tui

import (
	"context"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// inspectPage shows the engine's JSON for a container, image, volume or
// network (`docker inspect`), scrollable, with `/` to search and n/N to
// go from match to match. The JSON is fetched once, when the page opens.
type inspectPage struct {
	pageBase
	kind    resource.Kind
	id      string // what the engine is asked about: ID, ref or name
	seq     uint64
	lines   []string
	err     error
	loading bool
	scroll  int
	raw     string // the search as typed
	search  string // lower-cased
	match   int    // the line of the current match, -1 for none
}

type inspectMsg struct {
	seq  uint64
	text string
	err  error
}

// inspectSeq numbers the inspect pages, so a late answer for a page that
// was closed and opened anew cannot fill the new one.
var inspectSeq uint64

func (m *Model) openInspect(k resource.Kind, it resource.Item) tea.Cmd {
	id := it.Key()
	switch x := it.(type) {
	case resource.DockerImage:
		id = x.Ref()
	case resource.DockerNetwork:
		id = x.ID
	}
	inspectSeq++
	p := &inspectPage{pageBase: pageBase{"inspect " + fit(clean(it.Label()), 30)}, kind: k, id: id,
		seq: inspectSeq, loading: true, match: -1}
	m.push(p)
	api, seq := m.cfg.Docker.Inspect, p.seq
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		text, err := api.Inspect(ctx, k, id)
		return inspectMsg{seq: seq, text: text, err: err}
	}
}

// gotInspect fills the page the answer is for, wherever it is on the stack.
func (m *Model) gotInspect(msg inspectMsg) {
	for _, pg := range m.stack {
		if p, ok := pg.(*inspectPage); ok && p.seq == msg.seq {
			p.loading, p.err = false, msg.err
			p.lines = strings.Split(strings.TrimRight(msg.text, "\n"), "\n")
			if msg.err != nil {
				p.lines = nil
			}
			p.setFilter(p.raw)
		}
	}
}

func (p *inspectPage) mode() mode         { return modeInspect }
func (p *inspectPage) filterText() string { return p.raw }

// setFilter searches: the view jumps to the first matching line.
func (p *inspectPage) setFilter(s string) {
	p.raw, p.search = s, strings.ToLower(s)
	p.match = -1
	if p.search != "" {
		p.next(0, 1)
	}
}

// next moves the current match to the first matching line from line
// from, going in direction dir, wrapping around.
func (p *inspectPage) next(from, dir int) {
	n := len(p.lines)
	for i := range n {
		j := ((from+dir*i)%n + n) % n
		if strings.Contains(strings.ToLower(p.lines[j]), p.search) {
			p.match = j
			p.scroll = max(j-3, 0)
			return
		}
	}
	p.match = -1
}

func (p *inspectPage) title(m *Model) string {
	t := m.st.Muted.Render(" [" + thousands(len(p.lines)) + " lines]")
	if p.raw != "" {
		t += "  " + m.st.Accent.Render("/"+p.raw)
		if p.match < 0 {
			t += m.st.Warn.Render(" no match")
		} else {
			t += m.st.Muted.Render(" line " + strconv.Itoa(p.match+1))
		}
	}
	return t
}

func (p *inspectPage) view(m *Model, _ time.Time, w, h int) []string {
	st := &m.st
	switch {
	case p.loading:
		return []string{"", "  " + st.Muted.Render("Asking the engine…")}
	case p.err != nil:
		return []string{"", "  " + st.Err.Render(fit("docker inspect failed: "+clean(p.err.Error()), w-2))}
	}
	out := make([]string, len(p.lines))
	for i, l := range p.lines {
		l = fit(clean(l), w)
		switch {
		case i == p.match:
			l = st.Selected.Render(l)
		case p.search != "" && strings.Contains(strings.ToLower(l), p.search):
			l = st.Accent.Render(l)
		}
		out[i] = l
	}
	return m.window(out, p.scroll, h)
}

func (p *inspectPage) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	switch {
	case matches(msg, k.Back):
		if p.raw != "" {
			p.setFilter("")
		} else {
			m.pop()
		}
		return nil
	case matches(msg, k.Filter):
		m.input.start(inputFilter, p.raw)
		return nil
	case matches(msg, k.NextMatch) && p.search != "":
		if msg.String() == "N" {
			p.next(p.match-1+len(p.lines), -1)
		} else {
			p.next(p.match+1, 1)
		}
		return nil
	}
	h := m.bodyHeight()
	if pos, ok := m.scroll(msg, p.scroll, max(len(p.lines)-h+1, 1), h); ok {
		p.scroll = pos
	}
	return nil
}
