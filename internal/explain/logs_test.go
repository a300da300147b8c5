package explain

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestKeyLogLines(t *testing.T) {
	numbered := func(prefix string, k int) []string {
		var out []string
		for i := range k {
			out = append(out, fmt.Sprintf("%s%d", prefix, i))
		}
		return out
	}
	gunicorn := slices.Concat(
		[]string{"[INFO] Booting worker", "Traceback (most recent call last):", `  File "/app/app.py", line 3`, "    def (", "        ^", "SyntaxError: invalid syntax"},
		numbered("shutdown ", 30),
		[]string{"gunicorn.errors.HaltServer: <HaltServer 'Worker failed to boot.' 3>"},
	)
	tests := []struct {
		name      string
		lines     []string
		n         int
		want      []string // lines that must be in the answer
		wantLen   int
		wantFirst string
	}{
		{"short log is kept whole", []string{"a", "b"}, 20, []string{"a", "b"}, 2, "a"},
		{"no exception: the tail", numbered("l", 50), 10, []string{"l49", "l40"}, 10, "l40"},
		{"exception in the tail: the tail", slices.Concat(numbered("l", 40), []string{"ValueError: x"}), 10, []string{"ValueError: x"}, 10, "l31"},
		{"cause above the tail is brought back", gunicorn, 20, []string{"SyntaxError: invalid syntax", "    def (", "…", "gunicorn.errors.HaltServer: <HaltServer 'Worker failed to boot.' 3>"}, 20, "[INFO] Booting worker"},
		{"go panic", slices.Concat([]string{"panic: boom"}, numbered("goroutine ", 40)), 6, []string{"panic: boom", "…", "goroutine 39"}, 6, "panic: boom"},
		{"zero budget keeps all", numbered("l", 3), 0, []string{"l0"}, 3, "l0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := KeyLogLines(tc.lines, tc.n)
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, strings.Join(got, "\n"))
				}
			}
			if len(got) != tc.wantLen {
				t.Errorf("len = %d, want %d:\n%s", len(got), tc.wantLen, strings.Join(got, "\n"))
			}
			if len(got) > 0 && got[0] != tc.wantFirst {
				t.Errorf("first = %q, want %q", got[0], tc.wantFirst)
			}
		})
	}
}
