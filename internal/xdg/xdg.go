// Package xdg finds deckhand's directories under the XDG base directory
// specification, so logs and (later) the sandbox account live where users
// and their tools expect them.
package xdg

import (
	"os"
	"path/filepath"
)

// StateDir is $XDG_STATE_HOME/deckhand, default ~/.local/state/deckhand:
// for logs, which are worth keeping but not worth backing up.
func StateDir() string { return dir("XDG_STATE_HOME", ".local/state") }

// DataDir is $XDG_DATA_HOME/deckhand, default ~/.local/share/deckhand.
func DataDir() string { return dir("XDG_DATA_HOME", ".local/share") }

func dir(env, fallback string) string {
	// The spec says a relative path in the variable is invalid and must be ignored.
	if d := os.Getenv(env); filepath.IsAbs(d) {
		return filepath.Join(d, "deckhand")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = os.TempDir()
	}
	return filepath.Join(home, fallback, "deckhand")
}
