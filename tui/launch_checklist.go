package tui

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"deckhand/internal/launch"
)

// The checklist draws a run: one line per step with a glyph that reads
// without colour (· pending, ▶ running, ✓ done, ✗ failed, – skipped), its
// elapsed time, and under the running step its latest progress line; then
// the outcome — the URL, or the failed step with the error, its AWS code,
// a plain explanation, what exists now and how to remove it.

var glyphs = map[launch.State]string{
	launch.Pending: "·", launch.Running: "▶", launch.Done: "✓", launch.Failed: "✗", launch.Skipped: "–",
}

func stateTone(s launch.State) tone {
	switch s {
	case launch.Running:
		return toneTrans
	case launch.Done:
		return toneOK
	case launch.Failed:
		return toneErr
	case launch.Skipped, launch.Pending:
		return toneMuted
	}
	return toneNone
}

// fmtElapsed is a step's time: tenths under ten seconds (most steps are
// quick, and 0s would say nothing), then as ages are written.
func fmtElapsed(d time.Duration) string {
	if d < 10*time.Second {
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	}
	return fmtAge(d)
}

// status is the run's state in a few words, for the checklist's title and
// the title line of other pages.
func (r *launchRun) status(now time.Time) (string, tone) {
	switch {
	case !r.done:
		for i, s := range r.steps {
			if s.state == launch.Running {
				return "running step " + strconv.Itoa(i+1) + "/" + strconv.Itoa(len(r.steps)) + " " + s.name + ", " + fmtAge(now.Sub(r.start)), toneTrans
			}
		}
		return "running, " + fmtAge(now.Sub(r.start)), toneTrans
	case r.err == nil:
		return "done in " + fmtElapsed(r.end.Sub(r.start)), toneOK
	case r.cancelled:
		return "cancelled after " + fmtElapsed(r.end.Sub(r.start)), toneWarn
	}
	return "failed after " + fmtElapsed(r.end.Sub(r.start)), toneErr
}

// runLines is the checklist page before scrolling.
func (m *Model) runLines(r *launchRun, w int) []string {
	st := &m.st
	now := m.now()
	status, t := r.status(now)
	out := []string{fit(st.Title.Render(strings.ToUpper(r.verb[:1])+r.verb[1:]+" "+r.stack+" on "+r.target)+"  "+st.tone(t).Render(status), w)}
	switch {
	case r.done && r.err == nil && r.url != "":
		out = append(out, "", "  "+st.OK.Render("✓ "+r.stack+" is running at ")+st.Accent.Bold(true).Render(r.url))
	case r.done && r.err == nil && r.verb == "destroy":
		out = append(out, "", "  "+st.OK.Render(fit("✓ removed what launches of "+r.stack+" created on "+r.target, w-2)))
	}
	out = append(out, "")

	nameW := 0
	for _, s := range r.steps {
		nameW = max(nameW, width(s.name))
	}
	nameW = min(nameW, 24)
	num := len(strconv.Itoa(len(r.steps)))*2 + 1
	for i, s := range r.steps {
		el := ""
		switch s.state {
		case launch.Running:
			el = fmtAge(now.Sub(s.started))
		case launch.Done, launch.Failed, launch.Skipped:
			el = fmtElapsed(s.elapsed)
		}
		left := "  " + st.tone(stateTone(s.state)).Render(glyphs[s.state]) + " " +
			st.Muted.Render(pad(strconv.Itoa(i+1)+"/"+strconv.Itoa(len(r.steps)), num, true)) + " " +
			pad(clean(s.name), nameW, false) + "  "
		// Every line is wrapped, never cut: a summary, a result or a
		// reason is there to be read whole (the page scrolls).
		textW := max(w-width(left)-8, 8)
		indent := strings.Repeat(" ", width(left))
		text := clean(s.summary)
		if s.state == launch.Done && s.detail != "" {
			text += " · " + clean(s.detail)
		}
		for i, l := range wrapWords(text, textW, textW) {
			if i == 0 {
				out = append(out, left+pad(l, textW, false)+"  "+pad(el, 6, true))
			} else {
				out = append(out, indent+l)
			}
		}
		restW := max(w-width(indent), 8)
		below := func(text string, style func(...string) string) {
			text = clean(text)
			lead := strings.Repeat(" ", min(len(text)-len(strings.TrimLeft(text, " ")), restW/2))
			for _, l := range wrapWords(text, restW-len(lead), restW-len(lead)) {
				out = append(out, indent+lead+style(l))
			}
		}
		switch {
		case s.state == launch.Running && s.detail != "":
			below(s.detail, st.Muted.Render)
		case s.state == launch.Skipped && s.detail != "":
			below("skipped: "+s.detail, st.Muted.Render)
		case s.state == launch.Failed && s.detail != "":
			below(s.detail, st.Err.Render)
		}
		for _, n := range s.notes {
			// Notes keep their own indentation (an ssh config block).
			below(n, st.Accent.Render)
		}
	}
	total := now.Sub(r.start)
	if r.done {
		total = r.end.Sub(r.start)
	}
	out = append(out, "", "  "+st.Muted.Render("total "+fmtElapsed(total)))
	if r.done && r.err != nil {
		out = append(out, "")
		out = append(out, m.failureLines(r, w)...)
	}
	return out
}

// failureLines explain a failed run: which step, the error (with the AWS
// code when there is one), why in plain words, what exists now and how
// to remove it.
func (m *Model) failureLines(r *launchRun, w int) []string {
	st := &m.st
	ww := max(w-13, 10)
	var out []string
	row := func(name, text string, style func(...string) string) {
		for i, l := range strings.Split(ansi.Wrap(clean(text), ww, " /,"), "\n") {
			label := ""
			if i == 0 {
				label = name
			}
			out = append(out, "  "+st.Muted.Render(pad(label, 9, false))+"  "+style(l))
		}
	}
	plain := func(s ...string) string { return strings.Join(s, "") }
	se := r.stepError()
	if se == nil {
		out = append(out, "  "+st.Err.Render(fit("✗ "+r.verb+" failed", w-2)))
		row("error", r.err.Error(), st.Err.Render)
		return out
	}
	head := "✗ step " + strconv.Itoa(se.Index) + "/" + strconv.Itoa(se.Total) + " " + se.Step + " failed"
	if r.cancelled {
		head += " (cancelled)"
	}
	out = append(out, "  "+st.Err.Render(fit(head, w-2)))
	// The first line of the error says what failed; a build's output or a
	// container's log may follow, and comes last, after the explanation.
	lines := strings.Split(strings.TrimRight(se.Err.Error(), "\n"), "\n")
	row("error", lines[0], st.Err.Render)
	var coded interface{ ErrorCode() string }
	if errors.As(se.Err, &coded) && coded.ErrorCode() != "" {
		row("code", coded.ErrorCode(), st.Err.Render)
	}
	if se.Hint != "" {
		row("why", se.Hint, plain)
	}
	if len(se.Created) == 0 {
		row("created", "nothing was created", plain)
	} else {
		names := make([]string, len(se.Created))
		for i, c := range se.Created {
			names[i] = c.Kind + " " + c.Name
		}
		row("created", strings.Join(names, ", "), plain)
		if r.verb == "launch" {
			row("clean up", ":destroy "+r.stack+" removes it, or launch again to replace it", st.Key.Render)
		}
	}
	// Of a long output the last lines usually hold the reason.
	rest := lines[1:]
	if len(rest) > 15 {
		rest = append([]string{"… " + strconv.Itoa(len(rest)-14) + " lines before these"}, rest[len(rest)-14:]...)
	}
	for i, l := range rest {
		name := ""
		if i == 0 {
			name = "output"
		}
		row(name, l, st.Muted.Render)
	}
	return out
}
