package explain

import (
	"regexp"
	"strings"
)

// exceptionLine matches the last line of a Python traceback
// ("SyntaxError: invalid syntax", "ModuleNotFoundError: No module named
// 'x'", "gunicorn.errors.HaltServer: …") and Go panics.
var exceptionLine = regexp.MustCompile(`^(?:[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|HaltServer)\b|panic: )`)

// KeyLogLines picks at most n lines of a failed container's log that say
// why it failed. The tail alone often hides the reason: gunicorn prints the
// app's SyntaxError, then a long traceback of its own shutdown
// ("HaltServer: Worker failed to boot"), which pushes the real error out
// of the last 20 lines. So when the first exception is not in the tail,
// the answer is the first exception with the lines that lead to it, a "…"
// marker, and the rest of the budget from the tail.
func KeyLogLines(lines []string, n int) []string {
	if n <= 0 || len(lines) <= n {
		return lines
	}
	first := -1
	for i, l := range lines {
		if exceptionLine.MatchString(strings.TrimSpace(l)) {
			first = i
			break
		}
	}
	tailFrom := len(lines) - n
	if first < 0 || first >= tailFrom {
		return lines[tailFrom:]
	}
	// Half the budget for the cause, the rest (less the marker) for the
	// tail, which says how the process ended.
	head := min(n/2, first+1)
	from := first + 1 - head
	if from > 0 && strings.HasPrefix(strings.TrimSpace(lines[from]), "^") {
		from-- // keep the source line a caret points at
		head++
	}
	tail := n - head - 1
	out := make([]string, 0, n)
	out = append(out, lines[from:first+1]...)
	out = append(out, "…")
	if tail > 0 {
		start := max(len(lines)-tail, first+1)
		out = append(out, lines[start:]...)
	}
	return out
}
