package tui

import (
	"slices"
	"time"

	"deckhand/internal/resource"
	"deckhand/internal/watch"
)

// store holds the latest snapshot of every kind, as the watchers reported
// it. A failed fetch leaves the last snapshot in place (shown as stale).
type store struct {
	resource.Set // the latest slice of every kind

	items  map[resource.Kind][]resource.Item // the same, as items, for lookup
	loaded map[resource.Kind]bool            // a snapshot of the kind has arrived
	index  map[resource.Kind]map[string]int  // key → position, for the detail view
	source map[resource.Kind]string          // which source delivers the kind
	failed map[resource.Kind]error           // kinds the last fetch could not read (Set.Failed)
	scope  []string                          // the clusters the services and tasks cover (Set.Scope; nil = not narrowed)
}

// The sources: the names under which cmd/deckhand's watchers deliver sets
// (Config.Refresh and the source of each update use the same strings), so a
// typo in one place would silently never match.
const (
	srcEC2    = resource.SourceEC2
	srcECS    = resource.SourceECS
	srcDocker = resource.SourceDocker
)

func newStore() store {
	return store{
		loaded: map[resource.Kind]bool{},
		items:  map[resource.Kind][]resource.Item{},
		failed: map[resource.Kind]error{},
		index:  map[resource.Kind]map[string]int{},
		source: map[resource.Kind]string{
			resource.KindInstance: resource.SourceEC2,
			resource.KindCluster:  resource.SourceECS, resource.KindService: resource.SourceECS,
			resource.KindTask: resource.SourceECS, resource.KindContainer: resource.SourceECS,
			resource.KindDocker: resource.SourceDocker, resource.KindImage: resource.SourceDocker,
			resource.KindVolume: resource.SourceDocker, resource.KindNetwork: resource.SourceDocker,
			resource.KindCompose: resource.SourceDocker,
		},
	}
}

// covers reports whether the services in the store are those of cluster
// (an ARN): they have loaded, for every cluster or for a scope that holds it.
func (s *store) covers(cluster string) bool {
	return s.loaded[resource.KindService] && (s.scope == nil || slices.Contains(s.scope, cluster))
}

// apply replaces the kinds the set owns and returns them.
func (s *store) apply(source string, set resource.Set) []resource.Kind {
	kinds := set.Kinds
	if set.Owns(resource.KindService) {
		s.scope = set.Scope
	}
	for k, err := range set.Failed {
		s.failed[k] = err
	}
	for _, k := range kinds {
		delete(s.failed, k)
		s.loaded[k] = true
		s.source[k] = source
		switch k {
		case resource.KindContainer:
			// A source that owns containers but sends none flattens them
			// from its tasks; that is a rule about containers, not a
			// mapping of kind to field, so it stays here.
			c := set.Containers
			if len(c) == 0 {
				c = flatten(set.Tasks)
			}
			s.setContainers(c)
			continue
		case resource.KindTask:
			if !set.Owns(resource.KindContainer) {
				s.setContainers(flatten(set.Tasks))
			}
		}
		s.Take(k, set)
		s.items[k] = set.Items(k)
		s.index[k] = indexOf(s.items[k])
	}
	return kinds
}

func (s *store) setContainers(c []resource.Container) {
	s.Containers = c
	s.items[resource.KindContainer] = resource.Set{Containers: c}.Items(resource.KindContainer)
	s.index[resource.KindContainer] = indexOf(s.items[resource.KindContainer])
	s.loaded[resource.KindContainer] = true
}

// flatten lists the containers of tasks, filling in the task ARN that the
// key of a container depends on.
func flatten(tasks []resource.Task) []resource.Container {
	var out []resource.Container
	for _, t := range tasks {
		for _, c := range t.Containers {
			if c.TaskARN == "" {
				c.TaskARN = t.ARN
			}
			out = append(out, c)
		}
	}
	return out
}

func indexOf[T resource.Item](xs []T) map[string]int {
	m := make(map[string]int, len(xs))
	for i, x := range xs {
		m[x.Key()] = i
	}
	return m
}

// lookup finds the current value of a resource, or nil when it is gone.
func (s *store) lookup(k rkey) resource.Item {
	i, ok := s.index[k.kind][k.key]
	if !ok {
		return nil
	}
	return s.items[k.kind][i]
}

// clusterName is the name of a cluster ARN, from the snapshot when known.
func (s *store) clusterName(arn string) string {
	if i, ok := s.index[resource.KindCluster][arn]; ok && s.Clusters[i].Name != "" {
		return s.Clusters[i].Name
	}
	return lastSegment(arn)
}

// sourceStatus is what the header says about one watcher.
type sourceStatus struct {
	gen     uint64
	updates int       // updates accepted, successful or not
	okAt    time.Time // when the last successful fetch finished
	loading bool      // the last update was partial: a first load in progress
	err     error     // the last fetch's error; nil after a success
	errAt   time.Time
	retryAt time.Time // when the watcher tries again after err or a partly failed fetch (zero: unknown)
}

// accept applies the generation rule: an update older than the newest seen
// generation of its source is a leftover of a previous scope and is dropped.
func (m *Model) accept(u watch.Update) bool {
	st := m.src[u.Source]
	if st == nil {
		st = &sourceStatus{}
		m.src[u.Source] = st
		if !slices.Contains(m.srcOrder, u.Source) {
			m.srcOrder = append(m.srcOrder, u.Source)
		}
	} else if u.Gen < st.gen {
		return false
	}
	st.gen = u.Gen
	st.updates++
	if r := m.flash.refresh; r == u.Source || r == "*" {
		m.flash = flash{} // answered: its result (or error) shows instead
	}
	at := u.At
	if at.IsZero() {
		at = m.now()
	}
	if u.Err != nil {
		st.err, st.errAt = u.Err, at
		st.retryAt = time.Time{}
		if u.Next > 0 {
			st.retryAt = at.Add(u.Next)
		}
		return true
	}
	st.err, st.okAt, st.loading = nil, at, u.Partial
	st.retryAt = time.Time{}
	if len(u.Set.Failed) > 0 && u.Next > 0 {
		// Part of the fetch failed (say, a throttled DescribeServices while
		// the clusters were read): the kinds it could not read are shown
		// with the error, and with when the next fetch tries them again.
		st.retryAt = at.Add(u.Next)
	}
	return true
}
