package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// The mouse, off unless Config.Mouse (--mouse) asks for it: turning it on
// takes the terminal's own selection away (shift+drag still selects in
// most terminals), which users of a keyboard tool do not expect by
// default. A click selects a row, a second click on it within
// doubleClick opens it (as enter), the wheel scrolls three lines.

// doubleClick is how soon a second click counts as a double click.
const doubleClick = 400 * time.Millisecond

// wheelStep is how many rows one notch of the wheel moves.
const wheelStep = 3

// lastClick is the previous click, for double clicks.
type lastClick struct {
	at  time.Time
	row string // the row key clicked
}

// onMouse handles a mouse message; the key handlers do the rest, so a
// click means what the keys mean.
func (m *Model) onMouse(msg tea.Msg) tea.Cmd {
	if m.dlg != nil || m.input.active() {
		return nil // answer the dialog or the command line first
	}
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		k := keyPress(tea.KeyDown)
		if msg.Button == tea.MouseWheelUp {
			k = keyPress(tea.KeyUp)
		}
		var cmd tea.Cmd
		for range wheelStep {
			cmd = tea.Batch(cmd, m.onKey(k))
		}
		return cmd
	case tea.MouseClickMsg:
		if msg.Button != tea.MouseLeft || m.help {
			return nil
		}
		return m.click(msg.Y)
	}
	return nil
}

// click selects the table row at screen line y; a second click on the
// same row opens it.
func (m *Model) click(y int) tea.Cmd {
	t := m.current().table()
	top, _ := m.chrome()
	i := y - top - 1 // the body starts with the column header
	if t == nil || i < 0 || i >= t.height || t.offset+i >= t.n() {
		return nil
	}
	t.cursor = t.offset + i
	t.clamp()
	r, _ := t.selected()
	now := m.now()
	if m.click1.row == r.key && now.Sub(m.click1.at) <= doubleClick {
		m.click1 = lastClick{}
		return m.onKey(keyPress(tea.KeyEnter))
	}
	m.click1 = lastClick{at: now, row: r.key}
	return nil
}

func keyPress(code rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: code} }
