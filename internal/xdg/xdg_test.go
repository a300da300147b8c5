package xdg

import (
	"path/filepath"
	"testing"
)

func TestDirs(t *testing.T) {
	tests := []struct {
		name, state, home, want string
	}{
		{"absolute XDG_STATE_HOME wins", "/x/state", "/home/u", "/x/state/deckhand"},
		{"relative value is ignored", "rel/state", "/home/u", "/home/u/.local/state/deckhand"},
		{"unset falls back to HOME", "", "/home/u", "/home/u/.local/state/deckhand"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("XDG_STATE_HOME", tc.state)
			t.Setenv("HOME", tc.home)
			if got := StateDir(); got != filepath.Clean(tc.want) {
				t.Errorf("StateDir() = %q, want %q", got, tc.want)
			}
		})
	}
	t.Setenv("XDG_DATA_HOME", "/d")
	if got := DataDir(); got != "/d/deckhand" {
		t.Errorf("DataDir() = %q", got)
	}
}
