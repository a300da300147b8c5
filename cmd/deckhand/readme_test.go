package main

import (
	"flag"
	"os"
	"strings"
	"testing"
)

// updateREADME reports -update, the flag x/exp/golden registers (a
// dependency of the tests here may have registered it already).
func updateREADME() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the README's flag table")
	}
}

// TestREADMEFlagTable keeps the README's flag tables equal to flagTable(),
// the rendering of the cobra definitions, so the documentation cannot drift
// from the flags. Regenerate with:
// go test ./cmd/deckhand -run TestREADMEFlagTable -update
func TestREADMEFlagTable(t *testing.T) {
	const begin, end = "<!-- flags:begin", "<!-- flags:end -->"
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q … %q markers", begin, end)
	}
	i += strings.Index(readme[i:], "\n") + 1
	// Environment defaults must not leak into the table.
	t.Setenv("AWS_PROFILE", "someone-s-profile")
	want := flagTable(newRoot(nil))
	if strings.Contains(want, "someone-s-profile") {
		t.Fatalf("the table shows an environment default:\n%s", want)
	}
	if got := readme[i:j]; got != want {
		if updateREADME() {
			if err := os.WriteFile("../../README.md", []byte(readme[:i]+want+readme[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README flag table differs from flagTable(); run: go test ./cmd/deckhand -run TestREADMEFlagTable -update\n--- README\n%s\n--- flagTable\n%s", got, want)
	}
}
