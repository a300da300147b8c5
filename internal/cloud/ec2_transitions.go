package cloud

import (
	"context"

	"deckhand/internal/resource"
)

// TransitionFinder is a Reader that can list, in one cheap call, every
// instance of the region in a transitional state (pending, stopping,
// shutting-down): the SDK adapter's DescribeInstances filtered by
// instance-state-name. With it, an EC2Source sees a transition anywhere in
// an account of 20,000 instances at the fast interval without re-reading
// them (EC2 has no call that lists only ids), and so asks its watcher to
// keep the fast pace (KeepFast) whatever its snapshot holds.
type TransitionFinder interface {
	InstancesInTransition(ctx context.Context) ([]resource.Instance, error)
}

// KeepFast tells the watcher to fetch at the fast interval even when no
// instance is in transition (watch.Pacer): with a TransitionFinder a tick
// costs one call for the account plus one for the rows on screen, not
// the account's size, and this is what lets a stop started in the console
// show within the fast interval.
func (s *EC2Source) KeepFast() bool {
	_, ok := s.c.(TransitionFinder)
	return ok && s.t.r != nil
}

// newIDs is the instances of moving that xs does not hold yet (a launch
// found by the TransitionFinder before a sweep lists it), each once.
func newIDs(xs []resource.Instance, moving []resource.Instance) []resource.Instance {
	if len(moving) == 0 {
		return nil
	}
	known := make(map[string]bool, len(moving))
	for _, m := range moving {
		known[m.ID] = false
	}
	for _, x := range xs {
		if _, ok := known[x.ID]; ok {
			known[x.ID] = true
		}
	}
	var out []resource.Instance
	for _, m := range moving {
		if !known[m.ID] {
			known[m.ID] = true
			out = append(out, m)
		}
	}
	return out
}

// addMissing appends to ids the keys on screen that are neither in ids nor
// in skip.
func (o *onScreen) addMissing(ids []string, skip map[string]*resource.Instance) []string {
	in := make(map[string]bool, len(ids))
	for _, k := range ids {
		in[k] = true
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for k := range o.keys {
		if !in[k] && skip[k] == nil {
			ids = append(ids, k)
		}
	}
	return ids
}
