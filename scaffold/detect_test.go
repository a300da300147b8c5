package scaffold

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWelcomeIn(t *testing.T) {
	gen := t.TempDir()
	if _, err := Generate(gen, Options{Name: "hello"}); err != nil {
		t.Fatal(err)
	}
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "app.py"), []byte("WELCOME = \"hi\"\n"), 0o644)
	tests := []struct{ name, dir, want string }{
		{"generated", gen, WelcomeText("hello")},
		{"someone else's app", foreign, ""},
		{"no app.py", t.TempDir(), ""},
	}
	for _, tc := range tests {
		if got := WelcomeIn(tc.dir); got != tc.want {
			t.Errorf("%s: WelcomeIn = %q, want %q", tc.name, got, tc.want)
		}
	}
}
