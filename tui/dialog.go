package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// dialog is the centred box that confirms an action or asks for a value.
// A yes/no dialog starts on No, so an enter pressed out of habit changes
// nothing; a dialog with a text field (the scale prompt, the typed
// confirmation of a terminate) submits what was typed. While a dialog is
// open it gets every key but ctrl+c.
type dialog struct {
	title   string
	lines   []string // the resource, then what the action will do
	yes     string   // the confirm button's label: "Stop", "Remove"
	verb    string   // for the "cancelled" flash
	danger  bool
	onYes   bool       // the chosen button; false (No) until the user moves
	input   *lineInput // a text field; nil for a yes/no dialog
	field   string     // the text field's label
	fresh   bool       // the field holds a suggestion that the first typed key replaces
	problem string     // why the last submit was refused
	closed  string     // the flash when it is closed with No; "" = "<verb> cancelled: nothing was changed"
	// submit validates the text (empty for yes/no) and returns the Cmd
	// that runs the action, or a problem to show in the dialog.
	submit func(text string) (tea.Cmd, string)
	// pick, when set, makes the dialog a chooser: its lines are numbered
	// options and a digit picks one (copy.go). It has no buttons.
	pick func(i int) tea.Cmd
}

func (m *Model) dialogKey(msg tea.KeyPressMsg) tea.Cmd {
	d, k := m.dlg, &m.keys
	if matches(msg, k.Dismiss) {
		m.closeDialog()
		return nil
	}
	if d.input != nil {
		return m.promptKey(msg)
	}
	if d.pick != nil {
		return m.pickKey(msg)
	}
	switch {
	case matches(msg, k.Yes):
		return m.submitDialog("")
	case matches(msg, k.No):
		m.closeDialog()
	case matches(msg, k.Switch):
		d.onYes = !d.onYes
	case matches(msg, k.Select):
		if d.onYes {
			return m.submitDialog("")
		}
		m.closeDialog() // enter on the default No: nothing happens
	}
	return nil
}

func (m *Model) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	d, k := m.dlg, &m.keys
	in := d.input
	switch {
	case matches(msg, k.Select):
		return m.submitDialog(in.value())
	case matches(msg, k.ClearLine):
		in.clear()
	case matches(msg, k.Erase):
		in.erase()
	case in.edit(msg):
	default:
		if msg.Text == "" {
			return nil
		}
		m.typeInDialog(msg.Text)
		return nil
	}
	d.fresh, d.problem = false, ""
	return nil
}

// typeInDialog inserts typed or pasted text into the dialog's field.
func (m *Model) typeInDialog(s string) {
	d := m.dlg
	if d.fresh {
		d.input.clear()
	}
	d.input.insert(s)
	d.fresh, d.problem = false, ""
}

func (m *Model) submitDialog(text string) tea.Cmd {
	cmd, problem := m.dlg.submit(text)
	if problem != "" {
		m.dlg.problem = problem
		return nil
	}
	m.dlg = nil
	return cmd
}

func (m *Model) closeDialog() {
	verb, closed := m.dlg.verb, m.dlg.closed
	m.dlg = nil
	if closed != "" {
		m.info(closed)
		return
	}
	m.info(verb + " cancelled: nothing was changed")
}

// dialogBox renders the dialog for a screen w cells wide.
func (m *Model) dialogBox(w int) []string {
	d, st := m.dlg, &m.st
	// Wide enough for the usual problem text on one line, but not wider
	// than a comfortable read.
	inner := 56
	for _, l := range append([]string{d.title, d.field, d.problem}, d.lines...) {
		inner = max(inner, min(width(l)+1, 72))
	}
	inner = max(min(inner, w-4), 1) // border and padding take 4 cells
	var ls []string
	wrap := func(s string, style func(...string) string) {
		for _, l := range strings.Split(ansi.Wrap(s, inner, " -"), "\n") {
			ls = append(ls, style(l))
		}
	}
	plain := func(s ...string) string { return strings.Join(s, "") }
	title := st.Title.Render
	if d.danger {
		title = st.Err.Render
	}
	wrap(d.title, title)
	ls = append(ls, "")
	for _, l := range d.lines {
		if strings.HasPrefix(l, "$ ") {
			// The equivalent command: broken at spaces only (never
			// inside a --flag), continued under its first word, muted.
			for i, part := range wrapWords(clean(l), max(inner, 4), max(inner-2, 2)) {
				if i > 0 {
					part = "  " + part
				}
				ls = append(ls, st.Muted.Render(part))
			}
			continue
		}
		wrap(clean(l), plain)
	}
	if d.input != nil {
		ls = append(ls, "")
		wrap(d.field+":", plain)
		text := d.input.render(st.Selected.Render)
		if d.fresh {
			text = st.Selected.Render(d.input.value()) + st.Selected.Render(" ") // the first key replaces it
		}
		ls = append(ls, fit(st.Key.Render("> ")+text, inner))
	}
	if d.problem != "" {
		ls = append(ls, "")
		wrap(d.problem, st.Err.Render)
	}
	if d.input == nil && d.pick == nil {
		ls = append(ls, "", m.buttons(inner))
	}
	for i, l := range ls {
		ls[i] = pad(fit(l, inner), inner, false)
	}
	box := st.Dialog
	if d.danger {
		box = st.Danger
	}
	return strings.Split(box.Render(strings.Join(ls, "\n")), "\n")
}

// buttons draws No and Yes, centred; the chosen one is bracketed (and
// reversed), so it shows without colour too.
func (m *Model) buttons(w int) string {
	d, st := m.dlg, &m.st
	button := func(label string, chosen bool) string {
		if chosen {
			return st.Selected.Render("[ " + label + " ]")
		}
		return st.Muted.Render("  " + label + "  ")
	}
	b := button("No", !d.onYes) + "   " + button(d.yes, d.onYes)
	return strings.Repeat(" ", max((w-width(b))/2, 0)) + b
}

// overlay draws the box in the middle of the body, which is dimmed around
// it so that the dialog reads as the one thing to answer.
func (m *Model) overlay(body, box []string, w int) []string {
	bw := 0
	for _, l := range box {
		bw = max(bw, width(l))
	}
	top := max((len(body)-len(box))/2, 0)
	left := max((w-bw)/2, 0)
	dim := m.st.tones[toneMuted]
	out := make([]string, len(body))
	for i, l := range body {
		plain := ansi.Strip(l)
		j := i - top
		if j < 0 || j >= len(box) {
			out[i] = dim.apply(plain)
			continue
		}
		lp := ansi.Truncate(plain, left, "")
		lp += strings.Repeat(" ", max(left-width(lp), 0))
		rp := ansi.TruncateLeft(plain, left+bw, "")
		out[i] = cut(dim.apply(lp)+box[j]+dim.apply(rp), w)
	}
	return out
}
