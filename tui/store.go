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
	instances  []resource.Instance
	clusters   []resource.Cluster
	services   []resource.Service
	tasks      []resource.Task
	containers []resource.Container
	docker     []resource.DockerContainer

	loaded map[resource.Kind]bool           // a snapshot of the kind has arrived
	index  map[resource.Kind]map[string]int // key → position, for the detail view
	source map[resource.Kind]string         // which source delivers the kind
}

// The sources: the names under which cmd/deckhand's watchers deliver sets
// (Config.Refresh and the source of each update use the same strings), so a
// typo in one place would silently never match.
const (
	srcEC2    = "ec2"
	srcECS    = "ecs"
	srcDocker = "docker"
)

func newStore() store {
	return store{
		loaded: map[resource.Kind]bool{},
		index:  map[resource.Kind]map[string]int{},
		source: map[resource.Kind]string{
			resource.KindInstance: srcEC2,
			resource.KindCluster:  srcECS, resource.KindService: srcECS,
			resource.KindTask: srcECS, resource.KindContainer: srcECS,
			resource.KindDocker: srcDocker,
		},
	}
}

// apply replaces the kinds the set owns and returns them.
func (s *store) apply(source string, set resource.Set) []resource.Kind {
	kinds := set.Kinds
	for _, k := range kinds {
		s.loaded[k] = true
		s.source[k] = source
		switch k {
		case resource.KindInstance:
			s.instances = set.Instances
			s.index[k] = indexOf(set.Instances)
		case resource.KindCluster:
			s.clusters = set.Clusters
			s.index[k] = indexOf(set.Clusters)
		case resource.KindService:
			s.services = set.Services
			s.index[k] = indexOf(set.Services)
		case resource.KindTask:
			s.tasks = set.Tasks
			s.index[k] = indexOf(set.Tasks)
			if !set.Owns(resource.KindContainer) {
				s.setContainers(flatten(set.Tasks))
			}
		case resource.KindContainer:
			c := set.Containers
			if len(c) == 0 {
				c = flatten(set.Tasks)
			}
			s.setContainers(c)
		case resource.KindDocker:
			s.docker = set.Docker
			s.index[k] = indexOf(set.Docker)
		}
	}
	return kinds
}

func (s *store) setContainers(c []resource.Container) {
	s.containers = c
	s.index[resource.KindContainer] = indexOf(c)
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
	switch k.kind {
	case resource.KindInstance:
		return s.instances[i]
	case resource.KindCluster:
		return s.clusters[i]
	case resource.KindService:
		return s.services[i]
	case resource.KindTask:
		return s.tasks[i]
	case resource.KindContainer:
		return s.containers[i]
	case resource.KindDocker:
		return s.docker[i]
	}
	return nil
}

// clusterName is the name of a cluster ARN, from the snapshot when known.
func (s *store) clusterName(arn string) string {
	if i, ok := s.index[resource.KindCluster][arn]; ok && s.clusters[i].Name != "" {
		return s.clusters[i].Name
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
	at := u.At
	if at.IsZero() {
		at = m.now()
	}
	if u.Err != nil {
		st.err, st.errAt = u.Err, at
		return true
	}
	st.err, st.okAt, st.loading = nil, at, u.Partial
	return true
}
