package tui

import (
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
