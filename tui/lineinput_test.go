package tui

import (
	"strings"
	"testing"
)

// TestLineInputEditing: the line editor moves and deletes in the middle of
// the text, as textinput does (before, it only appended and erased at the
// end, so a typo in the middle of a CIDR meant deleting back to it).
func TestLineInputEditing(t *testing.T) {
	tests := []struct {
		name  string
		start string
		keys  []string
		want  string
	}{
		{"insert after home", "nstances", []string{"home", "i"}, "instances"},
		{"fix a typo in the middle", "10.0.0.300/32", []string{"left", "left", "left", "backspace", "backspace", "backspace", "2", "5", "5"}, "10.0.0.255/32"},
		{"delete a word back", "tcp 22 from 1.2.3.4/32", []string{"ctrl+w"}, "tcp 22 from "},
		{"delete to the end", "web-api", []string{"home", "right", "right", "right", "ctrl+k"}, "web"},
		{"word back then type", "tcp 22 from x", []string{"alt+left", "alt+left", "y"}, "tcp 22 yfrom x"},
		{"end after home", "ab", []string{"home", "end", "c"}, "abc"},
		{"ctrl+u clears the line", "abc", []string{"left", "ctrl+u"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newLoaded(t, 100, 24)
			press(m, "/")
			typeText(m, tc.start)
			for _, k := range tc.keys {
				press(m, k)
			}
			if got := m.input.value(); got != tc.want {
				t.Errorf("value %q, want %q", got, tc.want)
			}
		})
	}
}

// TestWizardFieldEditsInTheMiddle: a wizard's text field takes the same
// motions; the cursor stays visible and the value is what was typed.
func TestWizardFieldEditsInTheMiddle(t *testing.T) {
	m := createModel(t, 100, 30, false).Model
	openCmd(m, "create instance")
	typeText(m, "wb")
	press(m, "left")
	typeText(m, "e")
	if got := formOn(m).field(iName).value(); got != "web" {
		t.Fatalf("name %q, want web", got)
	}
	if s := screen(m); !strings.Contains(s, "web") {
		t.Errorf("the field does not show web:\n%s", s)
	}
}

// TestCommandLineCursor: the command completes and runs after editing in
// the middle; no ghost completion is drawn while the cursor is not at the end.
func TestCommandLineCursor(t *testing.T) {
	m, _ := newLoaded(t, 100, 24)
	press(m, ":")
	typeText(m, "nstances")
	press(m, "home")
	typeText(m, "i")
	press(m, "enter")
	mustContain(t, screen(m), "instances [3]")
}
