package tui

import (
	"strconv"
	"time"

	"deckhand/internal/resource"
	"deckhand/internal/watch"
)

// eventCap bounds the session's event log: enough for hours of a busy
// account, small enough (about 1 MB) to keep memory flat.
const eventCap = 5000

// rkey names one resource across kinds.
type rkey struct {
	kind resource.Kind
	key  string
}

// eventLog is a ring of the transitions observed this session. It feeds the
// Events pane and the per-resource history of the detail view.
type eventLog struct {
	buf   []watch.Transition
	next  int    // where the next event goes
	total uint64 // events ever added; the newest has sequence total-1
}

func newEventLog(n int) *eventLog { return &eventLog{buf: make([]watch.Transition, 0, n)} }

func (l *eventLog) add(t watch.Transition) {
	if len(l.buf) < cap(l.buf) {
		l.buf = append(l.buf, t)
	} else {
		l.buf[l.next] = t
	}
	l.next = (l.next + 1) % cap(l.buf)
	l.total++
}

func (l *eventLog) len() int { return len(l.buf) }

// newest returns the i-th newest event (0 = the latest) and its sequence
// number, which stays the same however many events arrive after it.
func (l *eventLog) newest(i int) (watch.Transition, uint64) {
	j := (l.next - 1 - i + 2*cap(l.buf)) % cap(l.buf)
	return l.buf[j], l.total - 1 - uint64(i)
}

// history returns the events of one resource, oldest first.
func (l *eventLog) history(k rkey) []watch.Transition {
	var out []watch.Transition
	for i := l.len() - 1; i >= 0; i-- {
		t, _ := l.newest(i)
		if t.Kind == k.kind && t.Key == k.key {
			out = append(out, t)
		}
	}
	return out
}

// change renders a transition's phase change for the Events pane.
func change(t watch.Transition) string {
	switch {
	case t.Added():
		return "+ added (" + t.To + ")"
	case t.Removed():
		return "removed (was " + t.From + ")"
	}
	return t.From + " → " + t.To
}

func changeTone(t watch.Transition) tone {
	if t.Removed() {
		return toneMuted
	}
	return toneOf(t.To)
}

var eventCols = []column{
	{title: "TIME", min: 8, max: 8},
	{title: "KIND", min: 4, max: 9, prio: 2},
	{title: "RESOURCE", min: 10, soft: 36, max: 70},
	{title: "CHANGE", min: 12, soft: 32, max: 60},
	{title: "AGO", at: 1, prio: 1, right: true},
}

func (m *Model) eventRows() []row {
	rows := make([]row, m.events.len())
	for i := range rows {
		t, seq := m.events.newest(i)
		rows[i] = row{
			key:   strconv.FormatUint(seq, 10),
			ref:   rkey{t.Kind, t.Key},
			cells: []string{clock(t.At, m.loc()), string(t.Kind), clean(t.Label), clean(change(t)), ""},
			tones: []tone{toneNone, toneNone, toneNone, changeTone(t), toneNone},
			at:    []time.Time{t.At},
			still: true,
		}
	}
	return rows
}

// recordTransitions files an update's transitions: into the event log, the
// observed-change times, and the highlight set that makes changed rows stand
// out for a few seconds.
func (m *Model) recordTransitions(ts []watch.Transition) {
	if len(ts) == 0 {
		return
	}
	m.hlSeq++
	for _, t := range ts {
		m.events.add(t)
		k := rkey{t.Kind, t.Key}
		if t.Removed() {
			delete(m.changedAt, k)
			delete(m.hl, k)
			continue
		}
		m.changedAt[k] = t.At
		m.hl[k] = m.hlSeq
	}
}
