package tui

import (
	"context"
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// Marks, as in k9s: space marks the row under the cursor (and moves down),
// and stop, start, terminate and remove then act on every marked row, with
// one confirmation that lists them and the commands, each reported in the
// result. Marks are kept by row key, so a refresh that reorders rows keeps
// them; a row that disappears loses its mark. esc clears them.

// markKey handles space on a table page; ok is false for other keys.
func (m *Model) markKey(p *listPage, msg tea.KeyPressMsg) bool {
	if !matches(msg, m.keys.Mark) {
		return false
	}
	t := &p.tbl
	r, ok := t.selected()
	if !ok || p.spec.kind == "" {
		m.info("nothing here to mark: marks are for resources an action can apply to")
		return true
	}
	if t.marked == nil {
		t.marked = map[string]bool{}
	}
	if t.marked[r.key] {
		delete(t.marked, r.key)
	} else {
		t.marked[r.key] = true
	}
	t.cursor++
	t.clamp()
	return true
}

// pruneMarks drops the marks of rows that are gone.
func (t *table) pruneMarks() {
	if len(t.marked) == 0 {
		return
	}
	live := make(map[string]bool, len(t.marked))
	for i := range t.rows {
		if k := t.rows[i].key; t.marked[k] {
			live[k] = true
		}
	}
	t.marked = live
}

// markedItems are the marked rows' resources, in the table's order.
func (m *Model) markedItems(p *listPage) []resource.Item {
	var out []resource.Item
	for i := range p.tbl.rows {
		r := &p.tbl.rows[i]
		if p.tbl.marked[r.key] {
			if it := m.data.lookup(r.ref); it != nil {
				out = append(out, it)
			}
		}
	}
	return out
}

// batchShown is how many resources a batch dialog names before "and N
// more".
const batchShown = 6

// requestMarked asks to run action a on every marked row of p: the rows
// whose state does not allow it are named and left out; the others are
// confirmed at once (terminate asks for their number to be typed).
func (m *Model) requestMarked(a *action, kind resource.Kind, p *listPage) tea.Cmd {
	if !m.allowed(a, kind) {
		return nil
	}
	if a == &m.keys.Scale {
		m.warn("scale acts on one service at a time: esc clears the marks")
		return nil
	}
	var jobs []job
	var skipped []string
	for _, it := range m.markedItems(p) {
		j, _, why, ok := m.plan(a, it)
		switch {
		case !ok:
			continue
		case why != "":
			skipped = append(skipped, j.label+" ("+why+")")
		default:
			jobs = append(jobs, j)
		}
	}
	if len(jobs) == 0 {
		m.warn("cannot " + a.verb + " any marked row: " + strings.Join(skipped, "; "))
		return nil
	}
	what := plural(len(jobs), string(kind))
	d := &dialog{title: strings.ToUpper(a.verb[:1]) + a.verb[1:] + " " + what + "?", verb: a.verb, danger: true,
		yes: strings.ToUpper(a.verb[:1]) + a.verb[1:] + " " + itoa(int32(len(jobs)))}
	for i, j := range jobs {
		if i == batchShown {
			d.lines = append(d.lines, "… and "+itoa(int32(len(jobs)-batchShown))+" more")
			break
		}
		d.lines = append(d.lines, j.label)
	}
	if len(skipped) > 0 {
		d.lines = append(d.lines, "Left out: "+strings.Join(skipped, "; "))
	}
	for i, j := range jobs {
		if i == batchShown {
			break
		}
		if j.cli != "" {
			d.lines = append(d.lines, "$ "+j.cli)
		}
	}
	run := func() tea.Cmd { p.tbl.marked = nil; return m.launchBatch(a.verb, jobs) }
	if a == &m.keys.Terminate {
		// As for one instance, y is not enough for what cannot be undone.
		want := itoa(int32(len(jobs)))
		d.field, d.input = "Type "+want+" (how many) to confirm", &lineInput{kind: inputPrompt}
		d.submit = func(text string) (tea.Cmd, string) {
			if strings.TrimSpace(text) != want {
				return nil, "type " + want + " to terminate all " + what + ", or esc to cancel"
			}
			return run(), ""
		}
	} else {
		d.submit = func(string) (tea.Cmd, string) { return run(), "" }
	}
	m.dlg = d
	return nil
}

// batchDoneMsg is the result of a batch: one error (or nil) per job.
type batchDoneMsg struct {
	verb string
	jobs []job
	errs []error
}

// launchBatch runs the jobs one after another in a Cmd (one call at a
// time: a batch must not burst against the account's API rate), then asks
// each source touched to fetch.
func (m *Model) launchBatch(verb string, jobs []job) tea.Cmd {
	m.info(gerunds[verb] + " " + plural(len(jobs), "resource") + "…")
	if jobs[0].cli != "" {
		m.lastCLI = jobs[0].cli
	}
	refresh := m.cfg.Refresh
	return func() tea.Msg {
		errs := make([]error, len(jobs))
		sources := map[string]bool{}
		for i, j := range jobs {
			ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
			errs[i] = j.run(ctx)
			cancel()
			if errs[i] == nil {
				sources[j.source] = true
			}
		}
		if refresh != nil {
			for s := range sources {
				refresh(s)
			}
		}
		return batchDoneMsg{verb, jobs, errs}
	}
}

// batchDone reports every job's result: how many succeeded, then each one
// that failed with its error.
func (m *Model) batchDone(msg batchDoneMsg) {
	var failed []string
	for i, err := range msg.errs {
		if j := msg.jobs[i]; err == nil && j.after != nil {
			j.after(m)
		}
		if err != nil {
			text := clean(err.Error())
			if errors.Is(err, context.DeadlineExceeded) {
				text += " (no answer within " + actionTimeout.String() + ")"
			}
			failed = append(failed, msg.jobs[i].label+": "+text)
		}
	}
	done := len(msg.jobs) - len(failed)
	head := msg.verb + ": " + itoa(int32(done)) + " of " + itoa(int32(len(msg.jobs))) + " requested"
	if len(failed) == 0 {
		labels := make([]string, len(msg.jobs))
		for i, j := range msg.jobs {
			labels[i] = j.label
		}
		m.info(head + " — " + strings.Join(labels, ", "))
		return
	}
	m.fail(head + "; failed: " + strings.Join(failed, "; "))
}
