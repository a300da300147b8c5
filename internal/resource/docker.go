package resource

import "time"

// DockerContainer is a container on the local Docker engine.
type DockerContainer struct {
	ID      string // full id
	Name    string // without the leading slash
	Image   string
	State   string // created, running, paused, restarting, removing, exited, dead
	Status  string // the engine's human text, e.g. "Up 3 minutes (healthy)"
	Ports   string // "127.0.0.1:8080->5000/tcp, ..."
	Created time.Time
	// Project is the compose project it belongs to (its
	// com.docker.compose.project label); "" for none.
	Project string
}

func (d DockerContainer) Key() string { return d.ID }
func (d DockerContainer) Label() string {
	if d.Name != "" {
		return d.Name
	}
	if len(d.ID) > 12 {
		return d.ID[:12]
	}
	return d.ID
}
func (d DockerContainer) Phase() string { return d.State }
func (d DockerContainer) Transitional() bool {
	return d.State == "restarting" || d.State == "removing"
}
