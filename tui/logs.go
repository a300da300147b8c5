package tui

import (
	"context"
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"deckhand/dockerops"
	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// The logs page (l): the last logTail lines of a container, newest at the
// bottom, as lazydocker and k9s show them. Every fetch runs in a Cmd.
// Following (f) fetches again followEvery after each answer, through one
// tick that is scheduled only while the page is open and follow is on: a
// logs page that does not follow, or has been left, costs nothing.

const (
	logTail     = 200
	followEvery = 2 * time.Second
	logsTimeout = 15 * time.Second
)

// LogReaders are what the logs page reads from; a nil reader means the
// page is not offered for that kind of resource.
type LogReaders struct {
	Docker DockerLogs          // *dockerops.Engine
	ECS    cloud.TaskLogReader // the AWS backend: CloudWatch Logs, or the sandbox's
}

// DockerLogs reads a local container's output; *dockerops.Engine
// implements it.
type DockerLogs interface {
	TimedLogs(ctx context.Context, id string, n int) ([]dockerops.LogLine, error)
}

// logLine is one line as the page shows it: the text is already free of
// escape sequences and control characters.
type logLine struct {
	at   time.Time // zero when the source gives no time
	text string
}

// logView is one logs page and its state.
type logView struct {
	pageBase
	id    uint64 // tells this page's answers from a closed one's
	what  string // the source as messages name it: "container redis"
	empty string // what the page says when the source has no line yet
	fetch func(ctx context.Context) ([]logLine, error)

	lines    []logLine
	err      error     // the last fetch's error
	at       time.Time // when the last fetch answered
	loaded   bool      // some fetch has answered
	fetching bool      // a fetch is in flight: never two
	ticking  bool      // a follow tick is scheduled: never two

	follow, wrap bool
	raw, filter  string // the filter as typed, and lower-cased
	top          int    // first display line shown, when not at the tail
	tail         bool   // pinned to the newest line
}

type (
	logsMsg struct {
		id    uint64
		lines []logLine
		err   error
	}
	logsTickMsg struct{ id uint64 }
)

// logsOffered reports whether the logs page can be opened on a resource of
// kind k.
func (m *Model) logsOffered(k resource.Kind) bool {
	switch k {
	case resource.KindDocker:
		return m.cfg.Logs.Docker != nil
	case resource.KindTask, resource.KindContainer:
		return m.cfg.Logs.ECS != nil
	}
	return false
}

// openLogs pushes the logs page of a resource and starts the first fetch.
func (m *Model) openLogs(it resource.Item) tea.Cmd {
	var lv *logView
	var label string
	switch x := it.(type) {
	case nil:
		m.warn("nothing selected to show the logs of")
		return nil
	case resource.DockerContainer:
		r := m.cfg.Logs.Docker
		if r == nil {
			m.warn("no logs for " + clean(x.Name) + ": no Docker engine")
			return nil
		}
		label = x.Name
		lv = &logView{what: "container " + clean(x.Name),
			empty: "The container has written nothing to stdout or stderr yet."}
		if x.State == "created" {
			lv.empty = "The container has not started, so it has written nothing yet."
		}
		id := x.ID
		lv.fetch = func(ctx context.Context) ([]logLine, error) {
			ls, err := r.TimedLogs(ctx, id, logTail)
			out := make([]logLine, len(ls))
			for i, l := range ls {
				out[i] = logLine{at: l.At, text: l.Text}
			}
			return out, err
		}
	case resource.Task:
		// A task's logs are its first container's; the containers pane
		// (enter) offers each.
		if len(x.Containers) == 0 {
			m.warn("no logs for task " + shortID(x.ID, 8) + ": ECS reports no containers for it")
			return nil
		}
		lv, label = m.ecsLogs(x.ClusterARN, x.ARN, x.Containers[0])
	case resource.Container:
		t, ok := m.data.lookup(rkey{resource.KindTask, x.TaskARN}).(resource.Task)
		if !ok {
			m.warn("no logs for " + clean(x.Name) + ": its task is no longer listed")
			return nil
		}
		lv, label = m.ecsLogs(t.ClusterARN, t.ARN, x)
	default:
		m.warn("no logs here: only containers and tasks have logs")
		return nil
	}
	if lv == nil {
		m.warn("no logs for " + clean(label) + ": the AWS backend offers none")
		return nil
	}
	m.logSeq++
	lv.id, lv.tail = m.logSeq, true
	lv.name = "logs " + fit(clean(label), 30)
	m.push(lv)
	return m.fetchLogs(lv)
}

// ecsLogs is the logs page of a task's container, read through the AWS
// backend (nil when it offers none).
func (m *Model) ecsLogs(cluster, task string, c resource.Container) (*logView, string) {
	r := m.cfg.Logs.ECS
	if r == nil {
		return nil, c.Name
	}
	lv := &logView{what: "container " + clean(c.Name) + " of task " + shortID(lastSegment(task), 8),
		empty: "The container has written nothing to its log stream yet."}
	switch c.LastStatus {
	case "", "PROVISIONING", "PENDING":
		lv.empty = "The container has not started, so it has written nothing yet."
	}
	name := c.Name
	lv.fetch = func(ctx context.Context) ([]logLine, error) {
		evs, err := r.TaskLogs(ctx, cluster, task, name, logTail)
		out := make([]logLine, len(evs))
		for i, e := range evs {
			out[i] = logLine{at: e.At, text: e.Message}
		}
		return out, err
	}
	return lv, c.Name
}

// fetchLogs reads the lines in a Cmd, unless a read is in flight.
func (m *Model) fetchLogs(lv *logView) tea.Cmd {
	if lv.fetching || lv.fetch == nil {
		return nil
	}
	lv.fetching = true
	id, fetch := lv.id, lv.fetch
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), logsTimeout)
		defer cancel()
		ls, err := fetch(ctx)
		return logsMsg{id, ls, err}
	}
}

// openLogView is the logs page numbered id if it is still on the stack.
func (m *Model) openLogView(id uint64) *logView {
	for _, p := range m.stack {
		if lv, ok := p.(*logView); ok && lv.id == id {
			return lv
		}
	}
	return nil
}

func (m *Model) gotLogs(msg logsMsg) tea.Cmd {
	lv := m.openLogView(msg.id)
	if lv == nil {
		return nil // the page was left: nothing more runs for it
	}
	lv.fetching, lv.loaded, lv.at, lv.err = false, true, m.now(), msg.err
	if msg.err == nil {
		lv.lines = msg.lines
		for i := range lv.lines {
			// Colour codes and control characters would break the
			// layout; the text is what the line says.
			lv.lines[i].text = clean(ansi.Strip(lv.lines[i].text))
		}
	} else if len(lv.lines) > 0 {
		// Keep the lines shown; say that they are no longer current.
		m.fail("logs of " + lv.what + ": " + clean(msg.err.Error()))
	}
	return m.scheduleFollow(lv)
}

// scheduleFollow starts the one tick that fetches again while following.
func (m *Model) scheduleFollow(lv *logView) tea.Cmd {
	if !lv.follow || lv.ticking {
		return nil
	}
	lv.ticking = true
	id := lv.id
	return tea.Tick(followEvery, func(time.Time) tea.Msg { return logsTickMsg{id} })
}

func (m *Model) logsTick(msg logsTickMsg) tea.Cmd {
	lv := m.openLogView(msg.id)
	if lv == nil {
		return nil
	}
	lv.ticking = false
	if !lv.follow {
		return nil
	}
	return m.fetchLogs(lv)
}

func (lv *logView) mode() mode { return modeLogs }

// reload fetches the lines again (ctrl+r).
func (lv *logView) reload(m *Model) tea.Cmd {
	m.info("fetching the logs again…")
	return m.fetchLogs(lv)
}

func (lv *logView) filterText() string { return lv.raw }

func (lv *logView) setFilter(s string) {
	lv.raw, lv.filter, lv.tail = s, strings.ToLower(s), true
}

// key handles a key on the logs page.
func (lv *logView) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	switch {
	case matches(msg, k.Back):
		if lv.raw != "" {
			lv.setFilter("")
		} else {
			m.pop()
		}
		return nil
	case matches(msg, k.Filter):
		m.input.start(inputFilter, lv.raw)
		return nil
	case matches(msg, k.Wrap):
		lv.wrap = !lv.wrap
		return nil
	case matches(msg, k.Follow):
		lv.follow = !lv.follow
		if !lv.follow {
			m.info("stopped following " + lv.what)
			return nil
		}
		lv.tail = true
		m.info("following " + lv.what + ": fetching every " + followEvery.String())
		return m.fetchLogs(lv)
	}
	n, h := len(m.logDisplay(lv, m.width)), m.bodyHeight()
	last := max(n-h, 0)
	top := lv.top
	if lv.tail {
		top = last
	}
	if pos, ok := m.scroll(msg, top, last+1, h); ok {
		lv.top, lv.tail = pos, pos >= last
	}
	return nil
}

// matching reports whether a line passes the filter.
func (lv *logView) matching(l logLine) bool {
	return lv.filter == "" || strings.Contains(strings.ToLower(l.text), lv.filter)
}

// logDisplay is the filtered lines as screen lines w cells wide: the time
// of day, then the text, cut with … or wrapped under itself.
func (m *Model) logDisplay(lv *logView, w int) []string {
	out := make([]string, 0, len(lv.lines))
	for _, l := range lv.lines {
		if !lv.matching(l) {
			continue
		}
		prefix := ""
		if !l.at.IsZero() {
			prefix = clock(l.at, m.loc()) + "  "
		}
		tw := max(w-len(prefix), 1)
		if !lv.wrap {
			out = append(out, m.st.Muted.Render(prefix)+fit(l.text, tw))
			continue
		}
		for i, part := range strings.Split(ansi.Hardwrap(l.text, tw, true), "\n") {
			if i == 0 {
				out = append(out, m.st.Muted.Render(prefix)+part)
			} else {
				out = append(out, strings.Repeat(" ", len(prefix))+part)
			}
		}
	}
	return out
}

// view is the logs page's body, h lines at most.
func (lv *logView) view(m *Model, _ time.Time, w, h int) []string {
	ls := m.logDisplay(lv, w)
	if len(ls) == 0 {
		why := lv.empty
		switch {
		case !lv.loaded:
			why = "Fetching the last " + itoa(logTail) + " lines of " + lv.what + "…"
		case lv.err != nil:
			why = "No logs for " + lv.what + ": " + clean(lv.err.Error())
			var ae *cloud.Error
			if errors.As(lv.err, &ae) && ae.Code == "ResourceNotFoundException" && ae.Operation == "GetLogEvents" {
				// awslogs makes the stream when the container starts.
				why = "No logs for " + lv.what + " yet: CloudWatch has no log stream for it (" + clean(ae.Message) +
					"), so the container has not started or its log group is missing."
			}
		case len(lv.lines) > 0:
			why = "No lines match /" + lv.raw + " — esc clears the filter."
		}
		out := []string{""}
		for _, l := range strings.Split(ansi.Wordwrap(why, max(w-4, 10), " "), "\n") {
			out = append(out, "  "+m.st.Muted.Render(l))
		}
		return out
	}
	last := max(len(ls)-h, 0)
	top := min(lv.top, last)
	if lv.tail {
		top = last
	}
	out := ls[top:min(len(ls), top+h)]
	if below := len(ls) - top - h; below > 0 && h > 1 {
		out[h-1] = m.st.Muted.Render("  ↓ " + thousands(below+1) + " newer lines — G jumps to the newest")
	}
	return out
}

// title follows the breadcrumbs: the line count, the filter, and whether
// the page follows or wraps.
func (lv *logView) title(m *Model) string {
	st := &m.st
	s := " [" + thousands(len(lv.lines)) + "]"
	if lv.filter != "" {
		n := 0
		for _, l := range lv.lines {
			if lv.matching(l) {
				n++
			}
		}
		s = " [" + thousands(n) + "/" + thousands(len(lv.lines)) + "]"
	}
	s = st.Muted.Render(s)
	if lv.filter != "" {
		s += "  " + st.Accent.Render("/"+lv.raw)
	}
	if lv.follow {
		s += "  " + st.OK.Render("following")
	}
	if lv.wrap {
		s += "  " + st.Muted.Render("wrapped")
	}
	if !lv.at.IsZero() {
		s += st.Muted.Render("  fetched " + clock(lv.at, m.loc()))
	}
	return s
}
