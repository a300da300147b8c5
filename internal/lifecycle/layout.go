package lifecycle

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// View is what Render draws: a graph, and for one resource where it stands.
type View struct {
	Graph Graph
	// Head is the first line: which resource, its desired state… ("" =
	// the graph's title, the generic view for learners).
	Head string
	// Current is the state the resource is in ("" = the generic view:
	// every transition is listed, none is lit).
	Current string
	// Spent is the time spent in each state the resource went through
	// (Spent()); the current state's entry is how long it has been there.
	Spent map[string]time.Duration
	// Passed are states it must have gone through whose time is not
	// known (a task's PENDING, seen only as the span to RUNNING).
	Passed map[string]bool
	// Key is the key deckhand offers for a transition's verb ("" = not
	// offered here); CLI the full command for a transition ("" = none).
	Key func(verb string) string
	CLI func(t Transition) string
	// Notes are extra lines after the diagram (a deployment's list, a
	// stop reason), drawn as given.
	Notes []string
}

// Line is one line of the layout. Lit marks the current state's row and
// Muted the states not gone through, so the page can style them; the text
// alone says the same with markers (▶[STATE], ✓), for NO_COLOR.
type Line struct {
	Text  string
	Lit   bool
	Muted bool
	Head  bool
}

// Render lays v out w cells wide. Every line fits w; the page scrolls
// when there are more lines than rows.
func Render(v View, w int) []Line {
	w = max(w, 20)
	g := v.Graph
	generic := v.Current == ""
	var out []Line
	add := func(l Line) { l.Text = fit(l.Text, w); out = append(out, l) }
	head := v.Head
	if head == "" {
		head = g.Title
	}
	add(Line{Text: head, Head: true})

	nameW := 0
	for _, s := range g.States {
		nameW = max(nameW, len(s.Name))
	}
	nameW += 2 // the brackets of the lit state
	if g.Linear {
		nameW += 2 // "↓ "
	}
	// The info column: the time spent, for one resource.
	infoW := 0
	if !generic {
		infoW = 9
	}
	border := strings.Repeat("─", nameW+2)
	add(Line{Text: "  ╭" + border + "╮"})
	for i, s := range g.States {
		spent, went := v.Spent[s.Name]
		lit := s.Name == v.Current
		name := " " + s.Name + " "
		if lit {
			name = "[" + s.Name + "]"
		}
		if g.Linear {
			arrow := "  "
			if i > 0 {
				arrow = "↓ "
			}
			name = arrow + name
		}
		gutter := "  "
		if lit {
			gutter = "▶ "
		}
		row := gutter + "│ " + pad(name, nameW) + " │ "
		if !generic {
			info := ""
			switch {
			case lit:
				info = "◉ " + Dur(spent)
			case went:
				info = "✓ " + Dur(spent)
			case v.Passed[s.Name]:
				info, went = "✓", true
			}
			row += pad(info, infoW) + " "
		}
		row += s.Meaning
		add(Line{Text: row, Lit: lit, Muted: !generic && !lit && !went})
	}
	add(Line{Text: "  ╰" + border + "╯"})
	if !generic && !g.Has(v.Current) {
		add(Line{Text: "  " + v.Current + " is not a state of this lifecycle.", Lit: true})
	}

	var ts []Transition
	if generic && g.Note != "" {
		add(Line{Text: "  " + g.Note})
	}
	if generic {
		add(Line{Text: "How it moves (key: what deckhand offers; else AWS moves it, or the CLI does):", Head: true})
		ts = g.Transitions
	} else {
		ts = g.Next(v.Current)
		switch {
		case len(ts) == 0:
			add(Line{Text: "Next from " + v.Current + ": nothing — it is a final state.", Head: true})
		default:
			add(Line{Text: "Next from " + v.Current + ":", Head: true})
		}
	}
	for _, t := range ts {
		k := ""
		if v.Key != nil && t.Verb != "" {
			k = v.Key(t.Verb)
		}
		cause := t.By
		if k != "" {
			cause = k + " " + t.Verb + " · " + t.By
		}
		line := "  "
		if generic {
			line += t.From + " "
		}
		line += "→ " + t.To + "  " + cause
		if v.CLI != nil && w >= 120 {
			if c := v.CLI(t); c != "" {
				line += "  $ " + c
			}
		}
		add(Line{Text: line})
	}
	for _, n := range v.Notes {
		add(Line{Text: n})
	}
	if !generic {
		add(Line{Text: "▶[STATE] now (◉ time in it)  ✓ gone through (time)  :lifecycle " + g.Name + " explains all"})
	}
	return out
}

// Dur is a short duration: 12s, 4m02s, 3h04m, 2d03h.
func Dur(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}

func pad(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// fit cuts s to w cells, ending in … when cut.
func fit(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}
