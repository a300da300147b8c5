package tui

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/launch"
)

// A run is a confirmed launch or destroy. launch.Execute runs it in a
// goroutine started from a Cmd; its events come back one at a time as
// messages through a Cmd that reads the run's channel and is issued again
// after each event, so Update never blocks and never does I/O. One run at
// a time: the checklist page shows it, and leaving the page (esc) leaves
// it running.

// launchRun is a run and its checklist page.
type launchRun struct {
	pageBase
	verb          string // launch, destroy
	stack, target string
	steps         []runStep
	start, end    time.Time
	ch            chan tea.Msg // events, then one runDoneMsg; nil in tests that feed events
	cancel        context.CancelFunc
	cancelled     bool // the user asked to cancel
	done          bool
	err           error
	url           string
	scroll        int
}

type runStep struct {
	name, summary string
	state         launch.State
	detail        string        // the latest progress line, the result, or why it failed or was skipped
	notes         []string      // lines the step asked to keep (launch.Note): how to connect, what stays
	started       time.Time     // when it started running
	elapsed       time.Duration // once it ended
}

type (
	// runDoneMsg ends a run: Execute's error and, on success, the URL.
	runDoneMsg struct {
		err error
		url string
	}
	runTickMsg struct{} // redraws elapsed times while a run is in progress
)

// maxNotes bounds the notes kept per step.
const maxNotes = 20

// runTick is how often elapsed times move while a run is in progress; it
// stops with the run (nothing ticks while nothing moves).
const runTick = time.Second

// startRun starts a confirmed plan and shows its checklist.
func (m *Model) startRun(p planMsg) tea.Cmd {
	verb := "launch"
	if p.destroy {
		verb = "destroy"
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &launchRun{pageBase: pageBase{verb + " " + p.stack}, verb: verb, stack: p.stack, target: p.target, start: m.now(),
		ch: make(chan tea.Msg, 64), cancel: cancel}
	if verb == "launch" {
		if m.launchedOn == nil {
			m.launchedOn = map[string]string{}
		}
		m.launchedOn[p.stack] = p.target
	}
	for _, s := range p.steps {
		r.steps = append(r.steps, runStep{name: s.Name, summary: s.Summary, state: launch.Pending})
	}
	m.lr = r
	m.showRun()
	steps, result, ch := p.steps, p.result, r.ch
	start := func() tea.Msg {
		go func() {
			defer cancel()
			err := launch.Execute(ctx, steps, func(e launch.Event) { ch <- e })
			url := ""
			if err == nil && result != nil {
				url = result()
			}
			ch <- runDoneMsg{err: err, url: url}
		}()
		return <-ch
	}
	return tea.Batch(start, m.scheduleRunTick())
}

// next reads the run's next message.
func (r *launchRun) next() tea.Cmd {
	ch := r.ch
	if ch == nil {
		return nil
	}
	return func() tea.Msg { return <-ch }
}

// onEvent applies one step event to the checklist.
func (m *Model) onEvent(e launch.Event) tea.Cmd {
	r := m.lr
	if r == nil || r.done {
		return nil
	}
	if e.Index < 1 || e.Index > len(r.steps) {
		return r.next()
	}
	s := &r.steps[e.Index-1]
	switch e.State {
	case launch.Running:
		s.state, s.started, s.detail = launch.Running, e.Time, ""
	case launch.Progress:
		s.detail = e.Detail
	case launch.Note:
		if len(s.notes) < maxNotes {
			s.notes = append(s.notes, e.Detail)
		}
	default:
		s.state, s.detail, s.elapsed = e.State, e.Detail, e.Elapsed
	}
	return r.next()
}

// onRunDone records how the run ended and tells the user when they are
// looking elsewhere.
func (m *Model) onRunDone(msg runDoneMsg) tea.Cmd {
	r := m.lr
	if r == nil || r.done {
		return nil
	}
	r.done, r.end, r.err, r.url = true, m.now(), msg.err, msg.url
	if m.current() != page(r) {
		switch {
		case msg.err != nil:
			m.fail(r.verb + " " + r.stack + " failed — :launches shows why")
		case r.url != "":
			m.info(r.verb + " " + r.stack + " done: " + r.url)
		default:
			m.info(r.verb + " " + r.stack + " done")
		}
	}
	// The watchers would see the changes on their own; asking now shows
	// them at once.
	if f := m.cfg.Refresh; f != nil {
		return func() tea.Msg { f(""); return nil }
	}
	return nil
}

func (m *Model) scheduleRunTick() tea.Cmd {
	if m.runTicking || m.lr == nil || m.lr.done {
		return nil
	}
	m.runTicking = true
	return tea.Tick(runTick, func(time.Time) tea.Msg { return runTickMsg{} })
}

// showRun puts the checklist on top of the current pane.
func (m *Model) showRun() {
	m.help = false
	m.dropPages(func(p page) bool {
		return isPage[*wizard](p) || isPage[*review](p) || isPage[*launchRun](p)
	})
	m.push(m.lr)
}

// launchKey is L: back to a running launch, else the wizard.
func (m *Model) launchKey() tea.Cmd {
	if m.lr != nil && !m.lr.done {
		if m.current() == page(m.lr) {
			m.warn("a " + m.lr.verb + " of " + m.lr.stack + " is running; one at a time")
			return nil
		}
		m.showRun()
		return nil
	}
	if why := m.launchBlocked("launch"); why != "" {
		m.fail(why)
		return nil
	}
	m.openWizard()
	return nil
}

// showLaunches is `:launches`: the checklist of the current or last run.
func (m *Model) showLaunches() {
	if m.lr == nil {
		m.info("no launch has run yet; L or :launch starts one")
		return
	}
	m.showRun()
}

func (r *launchRun) mode() mode { return modeRun }

func (r *launchRun) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	if matches(msg, m.keys.Back) {
		m.pop()
		return nil
	}
	n := len(m.runLines(r, m.width))
	h := m.bodyHeight()
	if pos, ok := m.scroll(msg, r.scroll, max(n-h+1, 1), h); ok {
		r.scroll = pos
	}
	return nil
}

func (r *launchRun) view(m *Model, _ time.Time, w, h int) []string {
	return m.window(m.runLines(r, w), r.scroll, h)
}

// askCancelRun is ctrl+c on the checklist of a running launch.
func (m *Model) askCancelRun() {
	r := m.lr
	d := &dialog{title: "Cancel the " + r.verb + " of " + r.stack + "?", yes: "Cancel run", danger: true,
		lines: []string{
			"The running step is interrupted and no further step starts.",
			"What was created so far stays; the checklist lists it, and :destroy " + r.stack + " removes it.",
		},
		closed: r.verb + " of " + r.stack + " goes on",
	}
	d.submit = func(string) (tea.Cmd, string) {
		if !r.done {
			r.cancelled = true
			r.cancel()
			m.info("cancelling the " + r.verb + " of " + r.stack + "…")
		}
		return nil, ""
	}
	m.dlg = d
}

// quit is q and :quit. While a run is in progress it asks first, since
// quitting interrupts the running step (ctrl+c still quits at once).
func (m *Model) quit() tea.Cmd {
	r := m.lr
	if r == nil || r.done {
		return tea.Quit
	}
	m.dlg = &dialog{title: "Quit while the " + r.verb + " of " + r.stack + " runs?", yes: "Quit", danger: true,
		lines: []string{
			"Quitting interrupts the running step; no further step starts.",
			"What was created so far stays: :destroy " + r.stack + " removes it, or launch again.",
		},
		closed: r.verb + " of " + r.stack + " goes on",
		submit: func(string) (tea.Cmd, string) {
			r.cancel()
			return tea.Quit, ""
		},
	}
	return nil
}

// stepError is the run's failure as a StepError, when it is one.
func (r *launchRun) stepError() *launch.StepError {
	var se *launch.StepError
	if errors.As(r.err, &se) {
		return se
	}
	return nil
}
