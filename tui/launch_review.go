package tui

import (
	"context"
	"regexp"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"deckhand/internal/launch"
)

// The review page shows what a launch or destroy would do before anything
// runs: its steps, the resources each creates, replaces or deletes, and
// the equivalent docker/aws commands — what --dry-run prints, from the same
// launch.WritePlan. It ends in a No/Yes choice that starts on No, so an
// enter pressed out of habit runs nothing.

// planMsg is a finished plan, made in a Cmd.
type planMsg struct {
	destroy       bool
	req           launch.Request // launch: what the wizard asked for
	stack, target string
	steps         []launch.Step
	result        func() string
	err           error
}

// review is the review page of a plan.
type review struct {
	pageBase
	plan   planMsg
	create *createPlan // a creation wizard's plan (then plan is unused)
	lines  []string    // the plan as WritePlan prints it
	onYes  bool
	scroll int
}

// planTimeout bounds planning a destroy, which asks the engine or the
// account what exists.
const planTimeout = 30 * time.Second

// launchBlocked says why no launch or destroy can start now, or "".
func (m *Model) launchBlocked(verb string) string {
	switch {
	case !m.keys.Launch.Enabled():
		return "read-only mode (--readonly): " + verb + " is disabled"
	case m.cfg.Launcher == nil:
		return verb + " is not available here: this build has no launch planner"
	case m.lr != nil && !m.lr.done:
		return "a " + m.lr.verb + " of " + m.lr.stack + " is running; one at a time — :launches shows it"
	}
	return ""
}

// planDestroy starts `:destroy NAME [TARGET]`: it asks the planner, in a
// Cmd, what launches of the stack created.
func (m *Model) planDestroy(args []string) tea.Cmd {
	if why := m.launchBlocked("destroy"); why != "" {
		m.fail(why)
		return nil
	}
	if len(args) == 0 || len(args) > 2 {
		m.fail("usage: :destroy NAME [local|fargate|ec2] — NAME is the stack name given to the launch; TARGET defaults to where this session launched it, else local")
		return nil
	}
	stack, target := args[0], launch.TargetLocal
	switch {
	case len(args) == 2:
		target = args[1]
	case m.launchedOn[stack] != "":
		target = m.launchedOn[stack] // launched this session: destroy it there
	}
	if err := launch.ValidateStackName(stack); err != nil {
		m.fail("destroy: " + err.Error())
		return nil
	}
	if err := launch.ValidateTarget(target); err != nil {
		m.fail("destroy: " + err.Error())
		return nil
	}
	m.info("destroy " + stack + ": finding what its launches created…")
	planner := m.cfg.Launcher
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), planTimeout)
		defer cancel()
		steps, err := planner.PlanDestroy(ctx, stack, target)
		return planMsg{destroy: true, stack: stack, target: target, steps: steps, err: err}
	}
}

// planned shows a finished plan on the review page, or says why there is
// none.
func (m *Model) planned(msg planMsg) {
	if !msg.destroy {
		w := m.wiz
		if w == nil || !w.busy {
			return
		}
		w.busy = false
		if m.current() != page(w) {
			return // the user left the wizard while it planned
		}
		if msg.err != nil {
			w.planned(msg.err)
			return
		}
	} else {
		switch {
		case msg.err != nil:
			m.fail("destroy " + msg.stack + ": " + clean(msg.err.Error()))
			return
		case len(msg.steps) == 0:
			m.info("destroy " + msg.stack + ": nothing to remove — nothing on " + msg.target + " carries the stack's label " + launch.LabelStack + "=" + msg.stack)
			return
		}
	}
	var b strings.Builder
	launch.WritePlan(&b, "", msg.steps)
	crumb := "review"
	if msg.destroy {
		crumb = "destroy " + msg.stack
	}
	m.help, m.flash = false, flash{}
	m.dropPages(isPage[*review])
	m.push(&review{pageBase: pageBase{crumb}, plan: msg, lines: strings.Split(strings.TrimRight(b.String(), "\n"), "\n")})
}

func (r *review) mode() mode { return modeReview }

func (r *review) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	switch {
	case matches(msg, k.Yes):
		return m.confirmReview(r)
	case matches(msg, k.No), matches(msg, k.Dismiss):
		m.cancelReview(r)
	case matches(msg, k.Switch):
		r.onYes = !r.onYes
	case matches(msg, k.Select):
		if r.onYes {
			return m.confirmReview(r)
		}
		m.cancelReview(r) // enter on the default No: nothing runs
	default:
		h := m.reviewPlanHeight()
		if pos, ok := m.scroll(msg, r.scroll, max(len(m.planLines(r, m.width))-h+1, 1), h); ok {
			r.scroll = pos
		}
	}
	return nil
}

// cancelReview goes back (to the wizard, with its values, for a launch).
func (m *Model) cancelReview(r *review) {
	verb := r.verb()
	m.pop()
	m.info(verb + " cancelled: nothing was created or changed")
}

func (m *Model) confirmReview(r *review) tea.Cmd {
	if c := r.create; c != nil {
		return m.runCreate(c)
	}
	if why := m.launchBlocked(r.verb()); why != "" {
		m.fail(why)
		return nil
	}
	return m.startRun(r.plan)
}

func (r *review) verb() string {
	if r.create != nil {
		return "create " + r.create.cw.kind.name
	}
	if r.plan.destroy {
		return "destroy"
	}
	return "launch"
}

// question is what the Yes button does, in words.
func (r *review) question() (string, string) {
	p := r.plan
	if r.create != nil {
		return "Create " + r.create.what + "? Nothing above exists until you choose Create.", "Create"
	}
	if p.destroy {
		return "Remove what launches of " + p.stack + " created on " + p.target + "? This cannot be undone.", "Destroy"
	}
	return "Launch " + p.stack + " on " + p.target + "? The steps above run in order.", "Launch"
}

// reviewPlanHeight is the number of plan lines the page shows: the body
// less the title above and the blank line, question and buttons below.
func (m *Model) reviewPlanHeight() int { return max(m.bodyHeight()-4, 1) }

// planLines are the plan's lines, styled and wrapped to w: a command is
// never cut, since it is there to be read or copied whole.
func (m *Model) planLines(r *review, w int) []string {
	var out []string
	for _, l := range r.lines {
		l = clean(l)
		body := strings.TrimLeft(l, " ")
		indent := len(l) - len(body)
		more := indent // continuation lines go under the text, past "$ " or "12. "
		if strings.HasPrefix(body, "$ ") {
			more += 2
		} else if n := planStep.FindString(l); n != "" {
			more = len(n)
		}
		// The first line has the room after the indent; the rest is
		// wrapped to the deeper continuation indent, so no part is cut at
		// the edge.
		parts := wrapWords(body, max(w-indent, 10), max(w-more, 10))
		out = append(out, m.planLine(strings.Repeat(" ", indent)+parts[0], w))
		for _, part := range parts[1:] {
			out = append(out, m.planLine(strings.Repeat(" ", more)+part, w))
		}
	}
	return out
}

var planStep = regexp.MustCompile(`^\s*\d+\. `)

// wrapWords breaks s at spaces only (ansi.Wrap also breaks at hyphens,
// which splits a command's --flags), keeping the spaces between words
// that stay on a line (the plan aligns columns with them): the first line
// is at most first columns wide, the others at most rest. A word wider
// than its line is split where the line ends.
func wrapWords(s string, first, rest int) []string {
	first, rest = max(first, 1), max(rest, 1) // a narrower line would never end
	var lines []string
	line, limit := "", first
	flush := func() {
		lines = append(lines, line)
		line, limit = "", rest
	}
	prev := 0
	for _, loc := range wordRE.FindAllStringIndex(s, -1) {
		gap, word := s[prev:loc[0]], s[loc[0]:loc[1]]
		prev = loc[1]
		switch {
		case line != "" && width(line)+width(gap)+width(word) <= limit:
			line += gap + word
			continue
		case line != "":
			flush()
		}
		for width(word) > limit {
			head := ansi.Truncate(word, limit, "")
			line, word = head, strings.TrimPrefix(word, head)
			flush()
		}
		line = word
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

var wordRE = regexp.MustCompile(`\S+`)

// view renders the page for a body of h lines.
func (r *review) view(m *Model, _ time.Time, w, h int) []string {
	st := &m.st
	p := r.plan
	title := "Plan: launch " + p.stack + " on " + p.target
	n := len(p.steps)
	switch {
	case r.create != nil:
		title, n = "Plan: create "+r.create.what, len(r.create.steps)
	case p.destroy:
		title = "Plan: destroy " + p.stack + " on " + p.target
	}
	out := []string{st.Title.Render(fit(title, w)) + st.Muted.Render(" — "+plural(n, "step")+", nothing runs before you confirm")}
	// The question follows the plan; a plan too long for the screen
	// scrolls above it.
	out = append(out, m.window(m.planLines(r, w), r.scroll, max(h-4, 1))...)
	q, yes := r.question()
	qs := st.Warn
	if p.destroy {
		qs = st.Err
	}
	out = append(out, "", qs.Render(fit(q, w)), m.reviewButtons(yes, r.onYes, w))
	return out
}

// planLine styles one line of WritePlan's output: steps stand out,
// commands recede, and what gets removed or replaced is marked.
func (m *Model) planLine(l string, w int) string {
	st := &m.st
	l = fit(clean(l), w)
	t := strings.TrimSpace(l)
	switch {
	case planStep.MatchString(l):
		return st.Title.Render(l)
	case strings.HasPrefix(t, "$ "):
		return st.Muted.Render(l)
	case strings.HasPrefix(t, "delete "), strings.HasPrefix(t, "replace "):
		return st.Warn.Render(l)
	case strings.HasPrefix(t, "create "), strings.HasPrefix(t, "update "):
		return st.Accent.Render(l)
	}
	return l
}

func (m *Model) reviewButtons(yes string, onYes bool, w int) string {
	st := &m.st
	button := func(label string, chosen bool) string {
		if chosen {
			return st.Selected.Render("[ " + label + " ]")
		}
		return st.Muted.Render("  " + label + "  ")
	}
	b := button("No", !onYes) + "   " + button(yes, onYes)
	return strings.Repeat(" ", max((w-width(b))/2, 0)) + b
}

func plural(n int, word string) string {
	s := itoa(int32(n)) + " " + word
	if n != 1 {
		s += "s"
	}
	return s
}
