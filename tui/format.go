package tui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// fmtAge renders a duration the way k9s and docker do: two units at most,
// so the column stays narrow ("42s", "3m20s", "5h2m", "12d3h").
func fmtAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + "s"
	case s < 3600:
		return two(s/60, "m", s%60, "s")
	case s < 86400:
		return two(s/3600, "h", s%3600/60, "m")
	case s < 100*86400:
		return two(s/86400, "d", s%86400/3600, "h")
	}
	return strconv.FormatInt(s/86400, 10) + "d" // at most 6 cells wide, like the others
}

func two(a int64, ua string, b int64, ub string) string {
	out := strconv.FormatInt(a, 10) + ua
	if b > 0 {
		out += strconv.FormatInt(b, 10) + ub
	}
	return out
}

// clock is a time of day in the display location.
func clock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("15:04:05")
}

// stamp is a date and time in the display location.
func stamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}

// lastSegment returns what follows the last '/' of an ARN ("prod" from
// "arn:aws:ecs:…:cluster/prod").
func lastSegment(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// shortID keeps the first n characters of a long id, marking the cut.
func shortID(id string, n int) string {
	if width(id) <= n {
		return id
	}
	return ansi.Truncate(id, n, "") + "…"
}

// clean makes text from AWS or Docker safe for one table cell: control
// characters (newlines in event messages, escape sequences) would break the
// layout, so they become spaces.
func clean(s string) string {
	ok := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// width is the display width of s. Printable ASCII is one cell per byte, so
// such strings (nearly every cell: ids, states, IPs) skip the grapheme
// segmentation of ansi.StringWidth, which dominated the cost of a refresh
// and of View; everything else goes through ansi.StringWidth.
func width(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// fit truncates s to w cells, marking the cut with an ellipsis.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

// pad fits s into exactly w cells, left- or right-aligned.
func pad(s string, w int, right bool) string {
	if w <= 0 {
		return ""
	}
	sw := width(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = width(s)
	}
	if sw == w {
		return s
	}
	if right {
		return strings.Repeat(" ", w-sw) + s
	}
	return s + strings.Repeat(" ", w-sw)
}

// thousands formats n with thousands separators, as counts in titles are.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

func itoa(n int32) string { return strconv.FormatInt(int64(n), 10) }
