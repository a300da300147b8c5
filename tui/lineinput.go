package tui

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// lineInput is the one line editor of the `:` command line, the `/` filter,
// dialog prompts and every wizard field. bubbles' textinput does the
// editing (cursor, word motions, home/end, deletes); deckhand draws it with
// its own style sheet and a steady cursor, and drops textinput's blink
// commands, because deckhand must not tick while nothing moves.
type lineInput struct {
	kind inputKind
	ti   *textinput.Model // nil until first used: the zero lineInput is empty
}

// newLineInput is an input of kind holding text, the cursor at its end.
func newLineInput(kind inputKind, text string) lineInput {
	in := lineInput{kind: kind}
	in.set(text)
	return in
}

func (in *lineInput) model() *textinput.Model {
	if in.ti == nil {
		ti := textinput.New()
		ti.Prompt = ""
		ti.Focus() // it only edits while focused; the cmd is a blink
		in.ti = &ti
	}
	return in.ti
}

func (in *lineInput) active() bool  { return in.kind != inputNone }
func (in *lineInput) value() string { return in.model().Value() }
func (in *lineInput) empty() bool   { return in.value() == "" }
func (in *lineInput) stop()         { in.kind = inputNone; in.set("") }
func (in *lineInput) clear()        { in.set("") }

// set replaces the text and puts the cursor at its end.
func (in *lineInput) set(s string) {
	m := in.model()
	m.SetValue(s)
	m.CursorEnd()
}

func (in *lineInput) start(k inputKind, text string) {
	in.kind = k
	in.set(text)
}

// insert adds typed or pasted text at the cursor; only its first line,
// without control characters, since every field is one line.
func (in *lineInput) insert(s string) {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, s)
	if s == "" {
		return
	}
	m := in.model()
	v, pos := []rune(m.Value()), m.Position()
	add := []rune(s)
	m.SetValue(string(v[:pos]) + s + string(v[pos:]))
	m.SetCursor(pos + len(add))
}

// erase deletes the character before the cursor.
func (in *lineInput) erase() {
	m := in.model()
	v, pos := []rune(m.Value()), m.Position()
	if pos == 0 {
		return
	}
	m.SetValue(string(v[:pos-1]) + string(v[pos:]))
	m.SetCursor(pos - 1)
}

// edit applies a cursor motion or deletion of textinput's keymap (←/→,
// home/end, ctrl+a/e, alt+←/→ and alt+b/f by word, ctrl+w and alt+backspace
// delete a word, delete and ctrl+k forward); false for any other key.
func (in *lineInput) edit(msg tea.KeyPressMsg) bool {
	m := in.model()
	for _, b := range editBindings(m.KeyMap) {
		if key.Matches(msg, b) {
			*m, _ = m.Update(msg) // the returned Cmd only blinks the cursor
			return true
		}
	}
	return false
}

// editKeys are the keys of the bindings edit applies, but ←/→, which the
// keymap lists on their own: the keymap's EditLine documents exactly them.
func editKeys() []string {
	km := textinput.DefaultKeyMap()
	var keys []string
	for _, b := range editBindings(km) {
		for _, k := range b.Keys() {
			if k != "left" && k != "right" {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

func editBindings(km textinput.KeyMap) []key.Binding {
	return []key.Binding{km.CharacterForward, km.CharacterBackward, km.WordForward, km.WordBackward,
		km.DeleteWordBackward, km.DeleteWordForward, km.DeleteAfterCursor, km.DeleteCharacterForward,
		km.LineStart, km.LineEnd}
}

// render draws the text with the cursor on the character it stands on (a
// space past the end), in cursor's style.
func (in *lineInput) render(cursor func(...string) string) string {
	m := in.model()
	v, pos := []rune(m.Value()), m.Position()
	under := " "
	after := ""
	if pos < len(v) {
		under, after = string(v[pos]), string(v[pos+1:])
	}
	return string(v[:pos]) + cursor(under) + after
}

// renderIn is render kept to w cells: what is left of the cursor is cut
// with "…" first, so the cursor and the text around it stay in view.
func (in *lineInput) renderIn(w int, cursor func(...string) string) string {
	m := in.model()
	v, pos := []rune(clean(m.Value())), m.Position()
	pos = min(pos, len(v))
	before := string(v[:pos])
	under, after := " ", ""
	if pos < len(v) {
		under, after = string(v[pos]), string(v[pos+1:])
	}
	if cut := width(before) + 1 - w; cut > 0 {
		before = ansi.TruncateLeft(before, cut+1, "…")
	}
	return fit(before+cursor(under)+after, w)
}

// atEnd reports whether the cursor is past the last character.
func (in *lineInput) atEnd() bool {
	m := in.model()
	return m.Position() >= len([]rune(m.Value()))
}

func ptr[T any](v T) *T { return &v }
