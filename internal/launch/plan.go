package launch

import (
	"fmt"
	"io"
	"strings"
)

// WritePlan prints steps as a numbered plan: for each step its summary,
// the resources it would create or change, and the equivalent CLI
// commands. It is what --dry-run prints and what a wizard's review page
// shows; it runs nothing.
func WritePlan(w io.Writer, title string, steps []Step) error {
	var b strings.Builder
	if title != "" {
		b.WriteString(title + "\n")
	}
	if len(steps) == 0 {
		b.WriteString("  nothing to do\n")
	}
	width := 0
	for _, s := range steps {
		for _, r := range s.Resources {
			width = max(width, len(r.Action))
		}
	}
	for i, s := range steps {
		fmt.Fprintf(&b, "%2d. %s: %s\n", i+1, s.Name, s.Summary)
		for _, r := range s.Resources {
			fmt.Fprintf(&b, "      %-*s  %s %s\n", width, r.Action, r.Kind, r.Name)
		}
		for _, c := range s.Commands {
			// Continuation lines of a multi-line command line up under it.
			b.WriteString("      $ " + strings.ReplaceAll(c, "\n", "\n        ") + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Shell joins args into one command line a POSIX shell reads back as the
// same words: words with anything but safe characters are single-quoted.
func Shell(args ...string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = quote(a)
	}
	return strings.Join(out, " ")
}

func quote(s string) string {
	if s == "" {
		return "''"
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+%", r)) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}
