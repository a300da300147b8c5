package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
)

// revPick is a picker of a family's task definition revisions, newest
// first, with one marked (the revision a service runs, or the one shown):
// U on a service and C on a revision open it, enter picks, esc goes back.
type revPick struct {
	fetched
	family, marked string
	pick           func(m *Model, rev string) tea.Cmd
}

func newRevPick(what, family, marked string, pick func(m *Model, rev string) tea.Cmd) *revPick {
	return &revPick{fetched: fetched{pageBase: pageBase{what + "…"}}, family: family, marked: marked, pick: pick}
}

type revPickMsg struct {
	p     *revPick
	names []string
	err   error
}

func (msg revPickMsg) apply(m *Model) tea.Cmd {
	p := msg.p
	if !m.onStack(p) {
		return nil
	}
	p.loading, p.err = false, msg.err
	rows := make([]row, len(msg.names))
	for i, n := range msg.names {
		r := row{key: n, cells: []string{n, ""}}
		if n == p.marked {
			r.cells[1], r.tones = "◀ current", []tone{toneOK, toneOK}
		}
		rows[i] = r
	}
	p.tbl.setRows([]column{{title: "REVISION", min: 8, max: 255}, {title: "", min: 9, max: 9}}, rows)
	return nil
}

func (p *revPick) source(*Model) string { return srcECS }

// reload lists the revisions in a Cmd (ctrl+r too).
func (p *revPick) reload(m *Model) tea.Cmd {
	p.loading = true
	api, family := m.cfg.TaskDefs, p.family
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), taskDefsTimeout)
		defer cancel()
		names, err := api.TaskDefinitionRevisions(ctx, family)
		return revPickMsg{p, names, err}
	}
}

func (p *revPick) title(m *Model) string {
	return p.fetched.title(m) + m.st.Muted.Render("  enter picks, esc goes back")
}

func (p *revPick) view(m *Model, now time.Time, w, h int) []string {
	return p.render(m, now, w, h, "revisions of "+p.family, "No revisions of "+p.family+".")
}

func (p *revPick) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	if matches(msg, m.keys.Open) {
		if r, ok := p.tbl.selected(); ok {
			return p.pick(m, r.key)
		}
		return nil
	}
	cmd, _ := p.listKey(m, msg)
	return cmd
}
