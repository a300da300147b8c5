package tui

import (
	"flag"
	"os"
	"strings"
	"testing"
)

// TestREADMEKeyTable keeps the README's key table equal to KeyTable(), the
// one keymap's rendering, so the documentation cannot drift from the keys.
// Regenerate with: go test ./tui -run TestREADMEKeyTable -update
func TestREADMEKeyTable(t *testing.T) {
	const begin, end = "<!-- keys:begin", "<!-- keys:end -->"
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q … %q markers", begin, end)
	}
	i += strings.Index(readme[i:], "\n") + 1
	want := KeyTable()
	if got := readme[i:j]; got != want {
		// -update is the flag x/exp/golden registers for the layout goldens.
		if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
			if err := os.WriteFile("../README.md", []byte(readme[:i]+want+readme[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README key table differs from KeyTable(); run: go test ./tui -run TestREADMEKeyTable -update\n--- README\n%s\n--- KeyTable\n%s", got, want)
	}
}
