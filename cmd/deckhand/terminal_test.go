package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"deckhand/internal/testbed"
)

// TestDumbTerminal runs the built binary with TERM=dumb: it must print a
// plain message and exit 1 without writing a single escape sequence (before
// the fix it switched to the alternate screen and addressed the cursor).
func TestDumbTerminal(t *testing.T) {
	bin := testbed.DeckhandBinary(t)
	cmd := exec.Command(bin, "--sandbox")
	cmd.Env = []string{"TERM=dumb", "HOME=" + t.TempDir(), "XDG_DATA_HOME=" + t.TempDir(), "PATH=/usr/bin:/bin", "DECKHAND_KEEP_PROXY_IMAGES=1"}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want exit code 1\n%s", err, out)
	}
	if strings.Contains(string(out), "\x1b") {
		t.Errorf("output holds escape sequences:\n%q", out)
	}
	if !strings.Contains(string(out), "TERM=dumb") || !strings.Contains(string(out), "deckhand launch|destroy|scaffold --help") {
		t.Errorf("message does not say why or what to use instead:\n%s", out)
	}
}

func TestDumbTerminalOnlyForDumb(t *testing.T) {
	for _, term := range []string{"", "xterm-256color", "screen", "tmux-256color", "linux"} {
		if msg := dumbTerminal(term); msg != "" {
			t.Errorf("TERM=%q refused: %s", term, msg)
		}
	}
}
