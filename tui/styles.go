package tui

import (
	"image/color"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
)

// This is the one styles file: every colour and text attribute the UI uses is
// a semantic token defined here, so light/dark backgrounds and NO_COLOR are
// handled in one place and panes never pick colours themselves.

// tone is the meaning of a piece of text (a state, an exit code, a fetch
// result), independent of how it is drawn.
type tone uint8

const (
	toneNone  tone = iota
	toneOK         // running, ACTIVE, healthy, COMPLETED
	toneTrans      // moving by itself: pending, stopping, IN_PROGRESS…
	toneWarn       // needs attention but is not broken: paused, stale data
	toneErr        // broken: terminated, FAILED, UNHEALTHY, non-zero exit
	toneMuted      // finished or inactive: stopped, exited, INACTIVE
)

// styles holds the semantic tokens.
type styles struct {
	OK, Warn, Err, Transitional, Muted, Accent lipgloss.Style

	Selected  lipgloss.Style // the cursor row
	Header    lipgloss.Style // the app name in the header
	Highlight lipgloss.Style // a row that changed in the last few seconds
	Title     lipgloss.Style // the breadcrumb/title line
	ColHeader lipgloss.Style // table column titles
	Key       lipgloss.Style // key names in help and hints
	Marker    lipgloss.Style // READONLY / SANDBOX badges
	Dialog    lipgloss.Style // the box of a confirmation or prompt
	Danger    lipgloss.Style // the box of an action that changes something
	NoColor   bool

	// Pre-rendered escape sequences of the styles used on every table row:
	// lipgloss's Render is general (borders, padding, wrapping) and was half
	// the cost of View, while a row cell only needs "start style, text,
	// reset".
	tones          [toneMuted + 1]paint
	selected, high paint
}

// paint is a style reduced to the sequences around a one-line text.
type paint struct{ pre, post string }

func paintOf(st lipgloss.Style) paint {
	r := st.Render("\x01")
	i := strings.IndexByte(r, 1)
	if i < 0 {
		return paint{}
	}
	return paint{r[:i], r[i+1:]}
}

// apply styles one line of text that has no escape sequences of its own.
func (p paint) apply(s string) string {
	if p.pre == "" && p.post == "" {
		return s
	}
	return p.pre + s + p.post
}

// withPaints fills the pre-rendered sequences from the styles.
func (s styles) withPaints() styles {
	for t := range s.tones {
		s.tones[t] = paintOf(s.tone(tone(t)))
	}
	s.selected, s.high = paintOf(s.Selected), paintOf(s.Highlight)
	return s
}

// newStyles builds the tokens for a dark or light background. With noColor
// (NO_COLOR set, or a terminal without colour) only bold, faint, underline
// and reverse are used, so selection and changes stay visible.
func newStyles(isDark, noColor bool) styles {
	s := lipgloss.NewStyle()
	if noColor {
		return styles{
			OK:           s,
			Warn:         s.Bold(true),
			Err:          s.Bold(true),
			Transitional: s.Underline(true),
			Muted:        s.Faint(true),
			Accent:       s.Bold(true),
			Selected:     s.Reverse(true),
			Header:       s.Bold(true),
			Highlight:    s.Bold(true),
			Title:        s.Bold(true),
			ColHeader:    s.Bold(true),
			Key:          s.Bold(true),
			Marker:       s.Reverse(true).Bold(true),
			Dialog:       s.Border(lipgloss.RoundedBorder()).Padding(0, 1),
			Danger:       s.Border(lipgloss.RoundedBorder()).Padding(0, 1),
			NoColor:      true,
		}.withPaints()
	}
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }
	accent := c("#0969DA", "#58A6FF")
	errC := c("#CF222E", "#FF7B72")
	box := s.Border(lipgloss.RoundedBorder()).Padding(0, 1)
	return styles{
		OK:           s.Foreground(c("#1A7F37", "#56D364")),
		Warn:         s.Foreground(c("#BC4C00", "#F0883E")),
		Err:          s.Foreground(errC).Bold(true),
		Transitional: s.Foreground(c("#9A6700", "#E3B341")),
		Muted:        s.Foreground(c("#6E7781", "#8B949E")),
		Accent:       s.Foreground(accent),
		Selected:     s.Foreground(c("#0A3069", "#FFFFFF")).Background(c("#B6E3FF", "#1F4E8C")).Bold(true),
		Header:       s.Foreground(accent).Bold(true),
		Highlight:    s.Foreground(c("#4D2D00", "#FFE8A3")).Background(c("#FFF1B8", "#4A3A00")).Bold(true),
		Title:        s.Foreground(c("#24292F", "#E6EDF3")).Bold(true),
		ColHeader:    s.Foreground(c("#57606A", "#8B949E")).Bold(true),
		Key:          s.Foreground(accent).Bold(true),
		Marker:       s.Foreground(c("#FFFFFF", "#0D1117")).Background(c("#BC4C00", "#F0883E")).Bold(true),
		Dialog:       box.BorderForeground(accent),
		Danger:       box.BorderForeground(errC),
	}.withPaints()
}

// tone returns the style of a tone.
func (s styles) tone(t tone) lipgloss.Style {
	switch t {
	case toneOK:
		return s.OK
	case toneTrans:
		return s.Transitional
	case toneWarn:
		return s.Warn
	case toneErr:
		return s.Err
	case toneMuted:
		return s.Muted
	}
	return lipgloss.NewStyle()
}

// toneOf classifies a state as EC2, ECS or Docker spell it. A phase may hold
// several words (a service's "ACTIVE IN_PROGRESS 1/2"): the most alarming
// word wins, so a rollout in progress is not drawn as healthy.
func toneOf(state string) tone {
	if state == "" {
		return toneNone
	}
	if lower := strings.ToLower(state); !strings.ContainsFunc(lower, isSep) {
		return wordTone(lower) // the common case: one word, no allocation
	}
	best := toneNone
	words := strings.FieldsFunc(strings.ToLower(state), isSep)
	for i, w := range words {
		t := wordTone(w)
		// Docker's status text: "Exited (137) 3 minutes ago" is a failure,
		// "Exited (0) …" is a clean stop.
		if w == "exited" && i+1 < len(words) {
			if n, err := strconv.Atoi(words[i+1]); err == nil && n != 0 {
				t = toneErr
			}
		}
		if toneRank[t] > toneRank[best] {
			best = t
		}
	}
	return best
}

func isSep(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-')
}

// toneRank orders tones from calm to alarming.
var toneRank = [...]int{toneNone: 0, toneMuted: 1, toneOK: 2, toneWarn: 3, toneTrans: 4, toneErr: 5}

func wordTone(w string) tone {
	switch w {
	case "running", "active", "healthy", "completed", "up", "steady", "ok":
		return toneOK
	case "pending", "stopping", "shutting-down", "provisioning", "deprovisioning",
		"activating", "deactivating", "in_progress", "draining", "restarting",
		"removing", "starting", "rebooting", "initializing":
		return toneTrans
	case "paused", "stale":
		return toneWarn
	case "terminated", "failed", "unhealthy", "dead", "error", "impaired":
		return toneErr
	case "stopped", "exited", "inactive", "deleted", "created", "unknown":
		return toneMuted
	}
	return toneNone
}

// exitTone colours an exit code cell: 0 is a clean exit, anything else is an
// error.
func exitTone(code string) tone {
	switch code {
	case "", "-":
		return toneNone
	case "0":
		return toneMuted
	}
	return toneErr
}
