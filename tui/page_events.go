package tui

import (
	"strconv"
	"time"

	"deckhand/internal/resource"
	"deckhand/internal/watch"
)

// eventsPage lists every transition deckhand observed this session, newest
// first; enter opens the resource's detail.
var eventsPage = &listSpec{
	name: "events", key: true, uses: []resource.Kind{kindEvents},
	rows: func(m *Model, _ *listPage) ([]column, []row) { return eventCols, m.eventRows() },
	empty: func(*Model, *listPage) string {
		return "No changes seen yet. Every transition deckhand observes (pending → running, a task stopping, a container exiting) is listed here, newest first."
	},
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
