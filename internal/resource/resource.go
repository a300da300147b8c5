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

// The sources deckhand watches, by the name the header and the jobs show.
// They are constants so that the store, the plans and the watchers cannot
// drift apart on a spelling.
const (
	SourceEC2    = "ec2"
	SourceECS    = "ecs"
	SourceDocker = "docker"
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
	Images     []DockerImage
	Volumes    []DockerVolume
	Networks   []DockerNetwork
	Compose    []ComposeProject
	// Failed are kinds the source owns but could not read this time, with
	// why (one denied call must not blank what could be read: a user
	// allowed to list clusters but not ecs:DescribeServices still sees the
	// clusters). They are not in Kinds, so their last rows stay as they were.
	Failed map[Kind]error
	// Scope is the cluster ARNs whose services and tasks the set carries,
	// when a source narrows them (the ECS source's focus, or every cluster
	// when there are few); nil = not narrowed. It travels with the data, so
	// a consumer knows what a set covers without guessing from its timing.
	Scope []string
}

// Items is the one place that knows which slice of the set holds kind k,
// so that the differ and the TUI's store treat every kind alike instead of
// each repeating a switch over the kinds. It returns nil for a kind the set
// does not carry.
func (s Set) Items(k Kind) []Item { return s.kindItems(k, false) }

// Refs is Items without a copy of each item: pointers into the set's
// slices (an item's value methods make its pointer an Item too), for
// walks that only read, such as the watcher's diff. Boxing every value
// copies it: 8 MB of garbage per walk of 20,000 instances.
func (s Set) Refs(k Kind) []Item { return s.kindItems(k, true) }

func (s Set) kindItems(k Kind, ref bool) []Item {
	switch k {
	case KindInstance:
		return items(s.Instances, ref)
	case KindCluster:
		return items(s.Clusters, ref)
	case KindService:
		return items(s.Services, ref)
	case KindTask:
		return items(s.Tasks, ref)
	case KindContainer:
		return items(s.Containers, ref)
	case KindDocker:
		return items(s.Docker, ref)
	case KindImage:
		return items(s.Images, ref)
	case KindVolume:
		return items(s.Volumes, ref)
	case KindNetwork:
		return items(s.Networks, ref)
	case KindCompose:
		return items(s.Compose, ref)
	}
	return nil
}

// Take replaces the slice of kind k in s with the one in from; like Items it
// keeps the kind-to-field mapping in this one file.
func (s *Set) Take(k Kind, from Set) {
	switch k {
	case KindInstance:
		s.Instances = from.Instances
	case KindCluster:
		s.Clusters = from.Clusters
	case KindService:
		s.Services = from.Services
	case KindTask:
		s.Tasks = from.Tasks
	case KindContainer:
		s.Containers = from.Containers
	case KindDocker:
		s.Docker = from.Docker
	case KindImage:
		s.Images = from.Images
	case KindVolume:
		s.Volumes = from.Volumes
	case KindNetwork:
		s.Networks = from.Networks
	case KindCompose:
		s.Compose = from.Compose
	}
}

// AllKinds lists every kind, in the order the Events pane groups them.
var AllKinds = []Kind{KindInstance, KindCluster, KindService, KindTask, KindContainer, KindDocker,
	KindCompose, KindImage, KindVolume, KindNetwork}

func items[T Item, P interface {
	*T
	Item
}](xs []T, ref bool) []Item {
	out := make([]Item, len(xs))
	for i := range xs {
		if ref {
			out[i] = P(&xs[i])
		} else {
			out[i] = xs[i]
		}
	}
	return out
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
