// Package resource holds the plain values deckhand shows: EC2 instances, ECS
// clusters, services, tasks and containers, and local Docker containers.
// Adapters (aws/, dockerops/) translate SDK types into these so that nothing
// above them depends on an SDK.
package resource

import "time"

// Kind names a type of resource; it is what the Events pane shows.
type Kind string

// The kinds deckhand watches.
const (
	KindInstance  Kind = "instance"
	KindCluster   Kind = "cluster"
	KindService   Kind = "service"
	KindTask      Kind = "task"
	KindContainer Kind = "container" // a container of an ECS task
	KindDocker    Kind = "docker"    // a local Docker container
)

// Item is what the differ needs from every resource: a stable key, a label a
// human recognises, the phase whose changes are transitions, and whether that
// phase is one AWS or Docker moves out of by itself (which makes the watcher
// poll faster).
type Item interface {
	Key() string
	Label() string
	Phase() string
	Transitional() bool
}

// Set is what one fetch of a source observed. Kinds lists the kinds the
// source owns, so that an empty slice means "there are none" rather than
// "this source does not fetch them".
type Set struct {
	Kinds      []Kind
	Instances  []Instance
	Clusters   []Cluster
	Services   []Service
	Tasks      []Task
	Containers []Container // flattened from Tasks, one per task container
	Docker     []DockerContainer
}

// Owns reports whether the set carries kind k.
func (s Set) Owns(k Kind) bool {
	for _, x := range s.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Age is how long ago t was, or 0 for the zero time.
func Age(now, t time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return now.Sub(t)
}
