package tui

import (
	"cmp"
	"slices"
	"time"

	"deckhand/internal/resource"
)

var instanceCols = []column{
	{title: "NAME", min: 8, soft: 24, max: 48},
	{title: "ID", min: 10, max: 19},
	{title: "STATE", min: 7, max: 13},
	{title: "CHECKS", min: 6, max: 16, prio: 2},
	{title: "CHANGED", at: 2, prio: 1, right: true},
	{title: "TYPE", min: 6, max: 14, prio: 2},
	{title: "AGE", at: 1, prio: 3, right: true},
	{title: "PRIVATE IP", min: 7, max: 15, prio: 3},
	{title: "PUBLIC IP", min: 7, max: 15, prio: 4},
	{title: "AZ", min: 6, max: 16, prio: 5},
	{title: "LAUNCHED", at: 1, date: true, prio: 6},
}

// instanceRows lists instances by name, then id, so that the order is the
// same on every refresh.
func (m *Model) instanceRows() []row {
	xs := m.data.Instances
	order := sortedIdx(xs, func(a, b *resource.Instance) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	rows := make([]row, len(xs))
	for i, o := range order {
		x := &xs[o]
		k := rkey{resource.KindInstance, x.ID}
		checks, checksTone := x.StatusCheck, toneOf(x.StatusCheck)
		if len(x.UserDataFailures) > 0 {
			// The status checks pass while the app never started: say so
			// where the eye goes for health (the detail has the reason).
			checks, checksTone = "user data failed", toneErr
		}
		rows[i] = row{
			key:   x.ID,
			ref:   k,
			cells: []string{clean(x.Name), x.ID, m.instanceState(x), checks, "", x.Type, "", x.PrivateIP, x.PublicIP, x.AZ, ""},
			tones: []tone{2: toneOf(m.instanceState(x)), 3: checksTone, 10: toneNone},
			at:    []time.Time{x.LaunchTime, m.lastChange(k, x.StateChanged)},
		}
	}
	return rows
}

// sortedIdx returns the positions of xs in display order without copying
// the values, which are large (an Instance is about 250 bytes).
func sortedIdx[T any](xs []T, cmpf func(a, b *T) int) []int {
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmpf(&xs[a], &xs[b]) })
	return order
}

// lastChange is when a resource last changed state: what AWS says, or what
// deckhand observed this session, whichever is later.
func (m *Model) lastChange(k rkey, reported time.Time) time.Time {
	if seen, ok := m.changedAt[k]; ok && seen.After(reported) {
		return seen
	}
	return reported
}

// instancesPage lists the region's EC2 instances.
var instancesPage = &listSpec{
	name: "instances", kind: resource.KindInstance, key: true, uses: []resource.Kind{resource.KindInstance},
	rows: func(m *Model, _ *listPage) ([]column, []row) { return instanceCols, m.instanceRows() },
	empty: func(m *Model, _ *listPage) string {
		return "No EC2 instances in region " + m.region() + "."
	},
}
