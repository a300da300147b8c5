// Package watch turns repeated fetches of a source into a stream of
// snapshots and transitions: it owns the refresh schedule (fast while
// something is moving, slow when steady, backoff on errors) and diffs each
// snapshot against the previous one.
package watch

import (
	"time"

	"deckhand/internal/resource"
)

// Transition is one observed change of a resource: added (From ""), removed
// (To "") or moved from one phase to another.
type Transition struct {
	At    time.Time
	Kind  resource.Kind
	Key   string
	Label string
	From  string
	To    string
}

// Added and Removed tell the three shapes of transition apart.
func (t Transition) Added() bool   { return t.From == "" && t.To != "" }
func (t Transition) Removed() bool { return t.To == "" && t.From != "" }

type seen struct{ phase, label string }

// Baseline is the last phase seen of every resource of one kind, by key.
type Baseline map[string]seen

// Diff compares next against base and returns the transitions and the new
// baseline. It is O(len(base)+len(next)) and allocates only the new map and
// the transitions, so it stays cheap for tens of thousands of resources.
func Diff[T resource.Item](kind resource.Kind, base Baseline, next []T, at time.Time) ([]Transition, Baseline) {
	nb := make(Baseline, len(next))
	var out []Transition
	for _, it := range next {
		key, phase := it.Key(), it.Phase()
		old, ok := base[key]
		label := old.label
		if !ok || old.phase != phase {
			label = it.Label()
			out = append(out, Transition{At: at, Kind: kind, Key: key, Label: label, From: old.phase, To: phase})
		}
		nb[key] = seen{phase: phase, label: label}
	}
	if len(nb) != len(base)+countAdded(out) {
		for key, old := range base {
			if _, ok := nb[key]; !ok {
				out = append(out, Transition{At: at, Kind: kind, Key: key, Label: old.label, From: old.phase})
			}
		}
	}
	return out, nb
}

func countAdded(ts []Transition) int {
	n := 0
	for _, t := range ts {
		if t.From == "" {
			n++
		}
	}
	return n
}

// Baselines holds one Baseline per kind.
type Baselines map[resource.Kind]Baseline

// DiffSet diffs every kind the set owns and returns the transitions, with
// the baselines updated in place.
func DiffSet(b Baselines, s resource.Set, at time.Time) []Transition {
	var out []Transition
	for _, k := range s.Kinds {
		var ts []Transition
		ts, b[k] = Diff(k, b[k], s.Refs(k), at)
		out = append(out, ts...)
	}
	return out
}

// AnyTransitional reports whether any resource in the set is in a phase it
// will leave by itself.
func AnyTransitional(s resource.Set) bool {
	for _, k := range resource.AllKinds {
		if anyT(s.Refs(k)) {
			return true
		}
	}
	return false
}

func anyT[T resource.Item](xs []T) bool {
	for _, x := range xs {
		if x.Transitional() {
			return true
		}
	}
	return false
}
