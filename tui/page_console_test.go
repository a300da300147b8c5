package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestConsoleWraps: a console line wider than the screen is wrapped, so
// the reason at its end (here a docker run's error) stays readable.
func TestConsoleWraps(t *testing.T) {
	m := New(testConfig())
	line := "cloud-init[812]: docker: Error response from daemon: pull access denied for web, repository does not exist or may require 'docker login'."
	p := &consolePage{id: "i-0123456789abcdef0", label: "web-1", lines: []string{"boot ok", line}}
	for _, w := range []int{40, 80, 200} {
		body := p.body(m, w)
		var text []string
		for _, l := range body[2:] { // after the title and the note
			if width(ansi.Strip(l)) > w {
				t.Errorf("width %d: line %q is wider", w, ansi.Strip(l))
			}
			text = append(text, strings.TrimSpace(ansi.Strip(l)))
		}
		if got := strings.Join(text, " "); !strings.Contains(got, "may require 'docker login'.") {
			t.Errorf("width %d: the end of the line is lost: %q", w, got)
		}
	}
}
