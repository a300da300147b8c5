package resource

import (
	"slices"
	"unsafe"
)

// Unchanged reports whether next is the very snapshot prev was: the same
// kinds and scope, no failures, and for every kind the same slice (one
// backing array, one length). A watch source that found nothing changed
// hands out its previous snapshot again, and the watcher and the TUI skip
// their per-item work on it (issue 8: diffing and re-rendering 2,000
// unchanged services every 2 s was most of the idle CPU). It relies on
// the rule that a slice handed out in a Set is never changed in place.
func Unchanged(prev, next Set) bool {
	if !slices.Equal(prev.Kinds, next.Kinds) || !slices.Equal(prev.Scope, next.Scope) ||
		len(prev.Failed) > 0 || len(next.Failed) > 0 {
		return false
	}
	for _, k := range next.Kinds {
		if !SameSlice(prev, next, k) {
			return false
		}
	}
	return true
}

// SameSlice reports whether a and b hold the same slice of kind k; a kind
// it does not know is never the same.
func SameSlice(a, b Set, k Kind) bool {
	pa, na, ok := a.slice(k)
	pb, nb, _ := b.slice(k)
	return ok && pa == pb && na == nb
}

func ident[T any](xs []T) (unsafe.Pointer, int, bool) {
	return unsafe.Pointer(unsafe.SliceData(xs)), len(xs), true
}

func (s Set) slice(k Kind) (unsafe.Pointer, int, bool) {
	switch k {
	case KindInstance:
		return ident(s.Instances)
	case KindCluster:
		return ident(s.Clusters)
	case KindService:
		return ident(s.Services)
	case KindTask:
		return ident(s.Tasks)
	case KindContainer:
		return ident(s.Containers)
	case KindDocker:
		return ident(s.Docker)
	case KindImage:
		return ident(s.Images)
	case KindVolume:
		return ident(s.Volumes)
	case KindNetwork:
		return ident(s.Networks)
	case KindCompose:
		return ident(s.Compose)
	}
	return nil, 0, false
}
