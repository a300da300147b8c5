package resource

import "time"

// The Docker kinds besides containers: images, volumes and networks of the
// local engine, and the compose projects its containers belong to. The
// docker source fetches them with the containers, since their "in use"
// columns are counted from the container list.
const (
	KindImage   Kind = "image"
	KindVolume  Kind = "volume"
	KindNetwork Kind = "network"
	KindCompose Kind = "compose" // a compose project: containers sharing com.docker.compose.project
)

// ComposeProjectLabel is the label compose sets on every container of a
// project.
const ComposeProjectLabel = "com.docker.compose.project"

// Usage phases: whether anything uses an image, volume or network. A change
// between them is what the events pane reports for these kinds.
const (
	PhaseInUse    = "in use"
	PhaseUnused   = "unused"
	PhaseDangling = "dangling"
)

// DockerImage is one row of `docker images`: an image under one of its
// repo:tag names, or under <none> when it has none (dangling).
type DockerImage struct {
	ID         string // sha256:…
	Repository string // "<none>" when dangling
	Tag        string // "<none>" when dangling
	Size       int64  // bytes
	Created    time.Time
	Containers []string // names of the containers (any state) created from it
	Dangling   bool     // no tag at all
	Labels     map[string]string
}

// Ref is how the engine is asked about this row: repo:tag, or the ID for a
// dangling image.
func (d DockerImage) Ref() string {
	if d.Dangling || d.Repository == "<none>" {
		return d.ID
	}
	return d.Repository + ":" + d.Tag
}

// ShortID is the 12 hex digits `docker images` shows.
func (d DockerImage) ShortID() string {
	id := d.ID
	if len(id) > 7 && id[:7] == "sha256:" {
		id = id[7:]
	}
	return id[:min(len(id), 12)]
}

func (d DockerImage) Key() string   { return d.ID + " " + d.Ref() }
func (d DockerImage) Label() string { return d.Ref() }
func (d DockerImage) Phase() string {
	switch {
	case len(d.Containers) > 0:
		return PhaseInUse
	case d.Dangling:
		return PhaseDangling
	}
	return PhaseUnused
}
func (d DockerImage) Transitional() bool { return false }

// DockerVolume is a named (or anonymous) volume.
type DockerVolume struct {
	Name       string
	Driver     string
	Mountpoint string
	Created    time.Time
	Containers []string // names of the containers that mount it
	Labels     map[string]string
}

func (d DockerVolume) Key() string { return d.Name }
func (d DockerVolume) Label() string {
	if len(d.Name) == 64 { // anonymous: a hex id
		return d.Name[:12]
	}
	return d.Name
}
func (d DockerVolume) Phase() string      { return usage(d.Containers) }
func (d DockerVolume) Transitional() bool { return false }

// DockerNetwork is a network of the engine.
type DockerNetwork struct {
	ID         string
	Name       string
	Driver     string
	Scope      string
	Internal   bool
	Created    time.Time
	Containers []string // names of the containers attached to it
	Labels     map[string]string
}

// Builtin reports whether the network is one the engine makes and never
// removes (bridge, host, none).
func (d DockerNetwork) Builtin() bool {
	return d.Name == "bridge" || d.Name == "host" || d.Name == "none"
}

func (d DockerNetwork) Key() string        { return d.ID }
func (d DockerNetwork) Label() string      { return d.Name }
func (d DockerNetwork) Phase() string      { return usage(d.Containers) }
func (d DockerNetwork) Transitional() bool { return false }

// ComposeProject is the containers that carry one compose project label.
type ComposeProject struct {
	Name       string
	Containers []string // IDs
	Names      []string // container names, in the order of Containers
	Running    int
	Services   []string // com.docker.compose.service values, sorted
	WorkingDir string   // com.docker.compose.project.working_dir
}

func (c ComposeProject) Key() string   { return c.Name }
func (c ComposeProject) Label() string { return c.Name }

// Phase is "running" when every container runs, "exited" when none does,
// else "partial".
func (c ComposeProject) Phase() string {
	switch c.Running {
	case len(c.Containers):
		return "running"
	case 0:
		return "exited"
	}
	return "partial"
}
func (c ComposeProject) Transitional() bool { return false }

func usage(users []string) string {
	if len(users) > 0 {
		return PhaseInUse
	}
	return PhaseUnused
}
