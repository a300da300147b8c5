package cloud

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"deckhand/internal/resource"
)

// How a step of the list sweep (sweep_ecs.go) is merged into the snapshot.

// ecsSweep is one published step of a sweep: a whole snapshot (a Reader
// without ARNLister, or a scope that changed) or a patch.
type ecsSweep struct {
	full  *resource.Set
	patch *ecsPatch
}

// empty reports whether sw has nothing to merge (the sweeper then does
// not wake the watcher for it).
func (sw ecsSweep) empty() bool {
	return sw.full == nil && (sw.patch == nil || sw.patch.empty)
}

// ecsPatch is what a step of the list sweep learned.
type ecsPatch struct {
	clusters []resource.Cluster // nil: not listed in this step
	// listed is every service and task ARN the lists gave for the
	// clusters in scope; nil when the step listed nothing (round-robin).
	listed map[string]bool
	svcs   map[string]*resource.Service // described now; not INACTIVE
	tasks  map[string]*resource.Task
	gone   map[string]bool // described INACTIVE or MISSING
	at     time.Time       // when the step's reads began
	// For :stats.
	newRows, reread int
	// empty: nothing to merge (listSweep checked: the lists are the
	// snapshot's, nothing was described, the clusters are the same)
	empty bool
}

// mergeStep merges one published sweep step into cur (under t.mu).
func (t *ecsTargeted) mergeStep(cur *resource.Set, sw ecsSweep, startAt time.Time) *resource.Set {
	switch {
	case sw.full != nil:
		out := mergeSweep(cur, *sw.full, t.readAt, startAt)
		t.loaded(*out, startAt)
		return out
	case sw.patch != nil:
		p := sw.patch
		next, changed, dropped := applyPatch(*cur, p, t.readAt, startAt)
		for k := range p.svcs {
			t.read(k, p.at)
			delete(t.inactive, k)
		}
		for k := range p.tasks {
			t.read(k, p.at)
		}
		for k := range p.gone {
			if strings.Contains(k, ":service/") {
				t.tombstone(k, p.at)
			}
		}
		if p.listed != nil { // a new sweep's lists: forget what ECS lists no more
			for k := range t.inactive {
				if !p.listed[k] {
					delete(t.inactive, k)
				}
			}
			t.stats.Listed, t.stats.New, t.stats.Gone = len(p.listed), p.newRows, 0
		}
		t.stats.Gone += dropped
		for k := range t.readAt {
			if !t.readAt[k].After(startAt) {
				delete(t.readAt, k) // the sweep is newer now
			}
		}
		if changed {
			return &next
		}
	}
	return cur
}

// applyPatch is cur with p merged, and whether anything changed; when
// nothing did it returns cur itself, the very slices, so that the watcher
// and the TUI skip it (resource.Unchanged). Items read by ARN after the
// sweep began (readAt) keep cur's copy, or stay out if that read found
// them gone.
func applyPatch(cur resource.Set, p *ecsPatch, readAt map[string]time.Time, startAt time.Time) (_ resource.Set, changed bool, dropped int) {
	newer := func(k string) bool { at, ok := readAt[k]; return ok && at.After(startAt) }
	next := cur
	if p.clusters != nil && !reflect.DeepEqual(p.clusters, cur.Clusters) {
		next.Clusters, changed = slices.Clone(p.clusters), true
	}
	if !slices.Contains(cur.Kinds, resource.KindService) {
		return next, changed, 0 // only clusters in scope
	}
	drop := func(k string) bool {
		return !newer(k) && (p.gone[k] || p.listed != nil && !p.listed[k])
	}
	svcs, sc, sd := patchItems(cur.Services, p.svcs, drop, newer)
	tasks, tc, td := patchItems(cur.Tasks, p.tasks, drop, newer)
	if sc {
		order := scopeOrder(cur.Scope)
		slices.SortStableFunc(svcs, func(a, b resource.Service) int {
			return cmp.Or(cmp.Compare(order[a.ClusterARN], order[b.ClusterARN]), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ARN, b.ARN))
		})
		next.Services, changed = svcs, true
	}
	if tc {
		order := scopeOrder(cur.Scope)
		slices.SortStableFunc(tasks, func(a, b resource.Task) int {
			return cmp.Or(cmp.Compare(order[a.ClusterARN], order[b.ClusterARN]), a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ARN, b.ARN))
		})
		next.Tasks, changed = tasks, true
		next.Containers = nil
		for _, x := range tasks {
			next.Containers = append(next.Containers, x.Containers...)
		}
	}
	return next, changed, sd + td
}

// patchItems is xs with the dropped items out, the fresh ones in (replaced
// or added), and whether that differs from xs; xs is never changed.
func patchItems[T resource.Item](xs []T, fresh map[string]*T, drop func(string) bool, newer func(string) bool) (_ []T, changed bool, dropped int) {
	gone := map[string]bool{}
	upd := map[string]*T{}
	seen := make(map[string]bool, len(xs))
	for i := range xs {
		k := xs[i].Key()
		seen[k] = true
		if drop(k) {
			gone[k] = true
		} else if f, ok := fresh[k]; ok && !newer(k) && !reflect.DeepEqual(*f, xs[i]) {
			upd[k] = f
		}
	}
	var add []T
	for k, f := range fresh {
		if !seen[k] && !drop(k) && !newer(k) {
			add = append(add, *f)
		}
	}
	if len(gone) == 0 && len(upd) == 0 && len(add) == 0 {
		return xs, false, 0
	}
	return append(replace(xs, upd, gone), add...), true, len(gone)
}

func scopeOrder(scope []string) map[string]int {
	m := make(map[string]int, len(scope))
	for i, c := range scope {
		m[c] = i
	}
	return m
}

// SweepStats is what the last list sweep did, for :stats.
type SweepStats struct {
	At       time.Time     // when it began; zero = none yet
	Lists    time.Duration // how long the lists and the new rows took
	Took     time.Duration // the whole sweep, round-robin included
	Listed   int           // services and tasks listed
	New      int           // rows described because they were new or changed
	Gone     int           // rows that left the snapshot
	Reread   int           // steady rows re-read round-robin
	Steady   int           // steady rows the round-robin follows
	OldestAt time.Time     // the least recently read of those, when
}

// Lines is what :stats says of the sweep: what it costs (lists, then only
// what is new), and how stale the steady rows it re-reads may be.
func (st SweepStats) Lines(now time.Time) []string {
	out := []string{fmt.Sprintf("ECS sweep: %d ARNs listed in %s; %d new or changed described, %d gone.",
		st.Listed, st.Lists.Round(100*time.Millisecond), st.New, st.Gone)}
	if st.Steady == 0 {
		return append(out, "No steady row to re-read: the fast ticks follow the rest.")
	}
	return append(out, fmt.Sprintf("%d steady rows re-read round-robin (%d last sweep); the least recently read, %s ago.",
		st.Steady, st.Reread, now.Sub(st.OldestAt).Round(time.Second)))
}

// SweepStats reports the last list sweep; ok is false when the source
// sweeps by re-reading everything (its Reader lists no ARNs).
func (s *ECSSource) SweepStats() (st SweepStats, ok bool) {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	return s.t.stats, s.t.l != nil && s.t.r != nil
}
