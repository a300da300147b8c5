package tui

import (
	"slices"

	"deckhand/internal/resource"
)

// unchanged reports whether set is the very snapshot the store already
// holds for every kind it owns (resource.SameSlice): a targeted watch
// source hands its last snapshot out again when a fast tick found nothing
// new, and rebuilding thousands of rows for it every 2 s was most of the
// idle CPU (issue 8). Anything else (a failure, a new scope, a kind not
// loaded yet) is not unchanged.
func (s *store) unchanged(set resource.Set) bool {
	if len(set.Kinds) == 0 || len(set.Failed) > 0 {
		return false
	}
	if set.Owns(resource.KindService) && !slices.Equal(s.scope, set.Scope) {
		return false
	}
	for _, k := range set.Kinds {
		if !s.loaded[k] || s.failed[k] != nil || !resource.SameSlice(s.Set, set, k) {
			return false
		}
	}
	return true
}
