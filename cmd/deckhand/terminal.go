package main

import "fmt"

// dumbTerminal says why the TUI cannot start on a terminal that declares it
// cannot address the cursor (TERM=dumb: Emacs shell buffers, some CI logs,
// serial consoles), or "" when it can. Bubble Tea would switch to the
// alternate screen anyway and fill the buffer with escape codes, so deckhand
// says so plainly and points at the subcommands that print plain lines.
func dumbTerminal(term string) string {
	if term != "dumb" {
		return ""
	}
	return fmt.Sprintf("this terminal (TERM=%s) cannot show deckhand's full-screen view.\n"+
		"Run it in a terminal emulator, tmux or screen (TERM=xterm-256color or similar),\n"+
		"or use the line-mode subcommands: deckhand launch|destroy|scaffold --help", term)
}
