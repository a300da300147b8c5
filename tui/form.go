package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// form is a column of fields shared by the launch wizard and the creation
// wizards: text, choice and toggle fields, one focused, each checked when
// the cursor leaves it and all of them again on submit. A refused field
// keeps what was typed, and the form outlives its page, so nothing typed is
// lost by leaving it, by a refusal or by a failed create.

type fieldKind int

const (
	fieldText fieldKind = iota
	fieldChoice
	fieldToggle
)

type formField struct {
	id, label string
	kind      fieldKind
	in        lineInput
	choices   []string // fieldChoice: the options; fieldToggle: off, on
	choice    int
	hint      string // shown, muted, while a text field is empty; a toggle's description
	err       string // why the value was refused; "" when it is fine
}

func (f *formField) value() string { return strings.TrimSpace(f.in.value()) }

// on reports whether a toggle is switched on.
func (f *formField) on() bool { return f.choice == 1 }

func textField(id, label, value, hint string) *formField {
	return &formField{id: id, label: label, kind: fieldText, in: newLineInput(inputPrompt, value), hint: hint}
}

func toggleField(id, label string, on bool, hint string) *formField {
	f := &formField{id: id, label: label, kind: fieldToggle, choices: []string{"no", "yes"}, hint: hint}
	if on {
		f.choice = 1
	}
	return f
}

func choiceField(id, label string, choices ...string) *formField {
	return &formField{id: id, label: label, kind: fieldChoice, choices: choices}
}

type form struct {
	fields  []*formField
	focus   string // id of the focused field
	problem string // an error not tied to one field, shown below the form
	busy    bool   // a Cmd is checking or creating; enter waits for it
	// The wizard's rules; nil means every field shows, every value is
	// fine and the hint is the field's own.
	show  func(*formField) bool
	valid func(*formField) string // why the value is refused, "" = fine
	hint  func(*formField) string
	// note, when set, is shown after a filled value too: what the
	// value allows, e.g. the memory sizes Fargate offers for a cpu.
	note func(*formField) string
}

func (fm *form) field(id string) *formField {
	for _, f := range fm.fields {
		if f.id == id {
			return f
		}
	}
	return nil
}

// visible is the fields that apply now (a choice may hide others).
func (fm *form) visible() []*formField {
	var out []*formField
	for _, f := range fm.fields {
		if fm.show == nil || fm.show(f) {
			out = append(out, f)
		}
	}
	return out
}

func (fm *form) focused() *formField {
	vis := fm.visible()
	for _, f := range vis {
		if f.id == fm.focus {
			return f
		}
	}
	return vis[0]
}

// check validates one field and records why it is refused.
func (fm *form) check(f *formField) bool {
	f.err = ""
	if fm.valid != nil {
		f.err = fm.valid(f)
	}
	return f.err == ""
}

// checkAll checks every visible field and focuses the first refused one.
func (fm *form) checkAll() bool {
	first := ""
	for _, f := range fm.visible() {
		if !fm.check(f) && first == "" {
			first = f.id
		}
	}
	if first != "" {
		fm.focus = first
	}
	return first == ""
}

// move checks the field being left and focuses the next (d=1) or the
// previous (d=-1) one, wrapping around.
func (fm *form) move(d int) {
	cur := fm.focused()
	fm.check(cur)
	vis := fm.visible()
	for i, f := range vis {
		if f == cur {
			fm.focus = vis[(i+d+len(vis))%len(vis)].id
			return
		}
	}
}

// fail puts an error under the field it is about (focusing it), or below
// the form when id names no visible field.
func (fm *form) fail(id, msg string) {
	if f := fm.field(id); f != nil && (fm.show == nil || fm.show(f)) {
		f.err, fm.focus = msg, id
		return
	}
	fm.problem = msg
}

// edit applies a key that changes a field or the focus; it reports whether
// the key was one.
func (fm *form) edit(msg tea.KeyPressMsg, k *keyMap) bool {
	f := fm.focused()
	switch {
	case matches(msg, k.NextField):
		fm.move(1)
	case matches(msg, k.PrevField):
		fm.move(-1)
	case f.kind != fieldText && len(f.choices) > 0 && (matches(msg, k.Choose) || matches(msg, k.Toggle)):
		d := 1
		if msg.String() == "left" {
			d = -1
		}
		f.choice = (f.choice + d + len(f.choices)) % len(f.choices)
		f.err = ""
	case f.kind != fieldText:
		return false
	case matches(msg, k.ClearLine):
		f.in.clear()
	case matches(msg, k.Erase):
		f.in.erase()
	case f.in.edit(msg):
	case matches(msg, k.Toggle):
		f.in.insert(" ")
	case msg.Text != "":
		f.in.insert(msg.Text)
	default:
		return false
	}
	fm.problem = ""
	return true
}

// formText is what a form page says around its fields.
type formText struct {
	title, intro string
	busy         string // while a Cmd runs, e.g. "planning…"
	problem      string // prefix of a problem not tied to a field
}

// formLines renders a form w cells wide.
func (m *Model) formLines(fm *form, t formText, w int) []string {
	st := &m.st
	labelW := 0
	for _, f := range fm.fields {
		labelW = max(labelW, width(f.label))
	}
	valW := max(w-labelW-6, 10)
	out := []string{st.Title.Render(t.title), st.Muted.Render(fit(t.intro, w)), ""}
	for _, f := range fm.visible() {
		focus := f.id == fm.focus
		cursor := "  "
		if focus {
			cursor = st.Key.Render("> ")
		}
		out = append(out, cursor+pad(f.label, labelW, false)+"  "+m.fieldValue(fm, f, focus, valW))
		if f.err != "" {
			for _, l := range strings.Split(ansi.Wrap("✗ "+clean(f.err), valW, " "), "\n") {
				out = append(out, strings.Repeat(" ", labelW+4)+st.Err.Render(l))
			}
		}
	}
	out = append(out, "")
	switch {
	case fm.busy:
		out = append(out, "  "+st.Transitional.Render(t.busy))
	case fm.problem != "":
		for _, l := range strings.Split(ansi.Wrap("✗ "+t.problem+clean(fm.problem), max(w-4, 10), " "), "\n") {
			out = append(out, "  "+st.Err.Render(l))
		}
	}
	return out
}

// fieldValue draws a field's value. Choices bracket the chosen option, so
// the choice reads without colour too.
func (m *Model) fieldValue(fm *form, f *formField, focus bool, w int) string {
	st := &m.st
	switch f.kind {
	case fieldChoice:
		parts := make([]string, len(f.choices))
		for i, c := range f.choices {
			switch {
			case i == f.choice && focus:
				parts[i] = st.Selected.Render("[" + c + "]")
			case i == f.choice:
				parts[i] = st.Accent.Render("[" + c + "]")
			default:
				parts[i] = st.Muted.Render(" " + c + " ")
			}
		}
		return fit(strings.Join(parts, " "), w)
	case fieldToggle:
		box := "[ ] no"
		if f.on() {
			box = "[x] yes"
		}
		s := box + st.Muted.Render("  "+f.hint)
		if focus {
			s = st.Selected.Render(box) + st.Muted.Render("  space or ←/→ switches it")
		}
		return fit(s, w)
	}
	hint := f.hint
	if fm.hint != nil {
		hint = fm.hint(f)
	}
	text := clean(f.in.value())
	switch {
	case focus:
		text = f.in.renderIn(w-1, st.Selected.Render)
		if f.in.value() == "" {
			text += st.Muted.Render(" " + hint)
		}
	case text == "":
		text = st.Muted.Render(hint)
	}
	if fm.note != nil && f.in.value() != "" {
		if n := fm.note(f); n != "" {
			text += st.Muted.Render("  " + n)
		}
	}
	return fit(text, w)
}

// formPage is a wizard's page (the launch wizard, a creation wizard):
// pasted text goes into its focused field.
type formPage interface{ paste(s string) }

func (fm *form) paste(s string) {
	if f := fm.focused(); f.kind == fieldText {
		f.in.insert(s)
	}
}

func (fm *form) mode() mode { return modeForm }

// formKey is a key on a wizard's page: leave, submit (check and review),
// or an edit of its fields.
func (m *Model) formKey(fm *form, msg tea.KeyPressMsg, submit func() tea.Cmd) tea.Cmd {
	k := &m.keys
	switch {
	case matches(msg, k.Leave):
		m.pop()
		return nil
	case matches(msg, k.Submit):
		return submit()
	}
	fm.edit(msg, k)
	return nil
}
