package tui

import (
	"context"
	"strconv"
	"strings"

	"deckhand/internal/resource"
)

// The plans of the Docker actions beyond the container's start, stop and
// remove (plans.go). Each confirmation names the `docker …` command that
// does the same, so a user can repeat or script it.

// cliLine is the dialog line that shows the equivalent command.
func cliLine(args ...string) string { return "$ " + shellQuote(args) }

// shellQuote joins args for a shell: words with spaces or shell
// characters are single-quoted.
func shellQuote(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$&|;<>()*?![]{}\\`~#") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

// planDockerAll plans an action on a container: restart here, the rest in
// planDocker.
func (m *Model) planDockerAll(a *action, x resource.DockerContainer) (job, *dialog, string) {
	k := &m.keys
	ref := x.Name
	if ref == "" {
		ref = x.ID[:min(len(x.ID), 12)]
	}
	grace := strconv.Itoa(int(dockerStopGrace.Seconds()))
	if a == &k.Restart {
		api := m.cfg.Actions.Restart
		j := job{verb: a.verb, label: containerLabel(x), source: srcDocker, done: "restarted " + containerLabel(x)}
		if api == nil {
			return j, nil, "the Docker backend offers no restart"
		}
		j.run = func(ctx context.Context) error { return api.Restart(ctx, x.ID, dockerStopGrace) }
		switch x.State {
		case "removing", "dead":
			return j, nil, "it is " + x.State
		}
		return j, m.confirm(j, "Restart container?", "image "+clean(x.Image),
			"Docker stops it (SIGTERM, SIGKILL after "+dockerStopGrace.String()+") and starts it again.",
			cliLine("docker", "restart", "-t", grace, ref)), ""
	}
	j, d, why := m.planDocker(a, x) // its dialogs carry the docker command (job.cli)
	return j, d, why
}

func containerLabel(x resource.DockerContainer) string {
	label := clean(x.Label())
	if x.Name != "" {
		label += " (" + x.ID[:min(len(x.ID), 12)] + ")"
	}
	return label
}

// planImage: remove an unused image (asks); one in use is refused with
// who uses it, and the dialog offers the forced removal instead (No by
// default); prune removes every dangling image.
func (m *Model) planImage(a *action, x resource.DockerImage) (job, *dialog, string) {
	api := m.cfg.Actions.Images
	k := &m.keys
	ref := x.Ref()
	j := job{verb: a.verb, label: clean(ref), source: srcDocker}
	switch a {
	case &k.Remove:
		j.done = "removed image " + clean(ref)
		if n := len(x.Containers); n > 0 {
			j.run = func(ctx context.Context) error { return api.DeleteImage(ctx, ref, true) }
			j.done = "force-removed image " + clean(ref)
			d := m.confirm(j, "Image in use: force the removal?",
				"Not removed: it is used by "+plural(n, "container")+": "+strings.Join(x.Containers, ", ")+".",
				"Forced, the tag goes and stopped containers keep the image by ID; the engine still refuses while one runs.",
				cliLine("docker", "rmi", "-f", ref))
			d.yes = "Force remove"
			return j, d, ""
		}
		j.run = func(ctx context.Context) error { return api.DeleteImage(ctx, ref, false) }
		return j, m.confirm(j, "Remove image?", "ID "+x.ShortID()+", "+bytesText(uint64(x.Size)),
			"Layers no other image shares are deleted.", cliLine("docker", "rmi", ref)), ""
	case &k.Prune:
		var n int
		var size uint64
		for _, im := range m.data.Images {
			if im.Dangling && len(im.Containers) == 0 {
				n++
				size += uint64(im.Size)
			}
		}
		j.label = "dangling images"
		if n == 0 {
			return j, nil, "there are none (every image has a tag or is in use)"
		}
		j.run = func(ctx context.Context) error {
			_, err := api.PruneDangling(ctx)
			return err
		}
		j.done = "pruned the dangling images"
		return j, m.confirm(j, "Prune dangling images?", plural(n, "image")+" without a tag, "+bytesText(size)+" in all.",
			cliLine("docker", "image", "prune", "-f")), ""
	}
	return j, nil, "not an image action"
}

// planVolume: remove an unused volume; one a container mounts is refused.
func (m *Model) planVolume(a *action, x resource.DockerVolume) (job, *dialog, string) {
	api := m.cfg.Actions.VolumesNetworks
	j := job{verb: a.verb, label: clean(x.Label()), source: srcDocker, done: "removed volume " + clean(x.Label())}
	j.run = func(ctx context.Context) error { return api.RemoveVolume(ctx, x.Name) }
	if n := len(x.Containers); n > 0 {
		return j, nil, "it is used by " + plural(n, "container") + ": " + strings.Join(x.Containers, ", ")
	}
	return j, m.confirm(j, "Remove volume?", "driver "+x.Driver, "Its data is deleted. This cannot be undone.",
		cliLine("docker", "volume", "rm", x.Name)), ""
}

// planNetwork: remove an unused network; the engine's own and one with
// containers attached are refused.
func (m *Model) planNetwork(a *action, x resource.DockerNetwork) (job, *dialog, string) {
	api := m.cfg.Actions.VolumesNetworks
	j := job{verb: a.verb, label: clean(x.Name), source: srcDocker, done: "removed network " + clean(x.Name)}
	j.run = func(ctx context.Context) error { return api.RemoveNetwork(ctx, x.ID) }
	if x.Builtin() {
		return j, nil, "it is one of the engine's own networks"
	}
	if n := len(x.Containers); n > 0 {
		return j, nil, "containers are attached to it (" + strings.Join(x.Containers, ", ") + ")"
	}
	return j, m.confirm(j, "Remove network?", "driver "+x.Driver+", scope "+x.Scope, cliLine("docker", "network", "rm", x.Name)), ""
}

// planProject: start, stop or restart every container of a compose project.
func (m *Model) planProject(a *action, x resource.ComposeProject) (job, *dialog, string) {
	api := m.cfg.Actions.Restart
	verb := a.verb
	j := job{verb: verb, label: "project " + clean(x.Name), source: srcDocker, done: verb + " done for project " + clean(x.Name)}
	j.run = func(ctx context.Context) error { return api.ProjectAction(ctx, x.Name, verb, dockerStopGrace) }
	switch verb {
	case "start":
		if x.Running == len(x.Containers) {
			return j, nil, "every container runs already"
		}
	case "stop":
		if x.Running == 0 {
			return j, nil, "no container of it runs"
		}
	}
	title := strings.ToUpper(verb[:1]) + verb[1:] + " compose project?"
	return j, m.confirm(j, title, plural(len(x.Containers), "container")+": "+strings.Join(x.Names, ", "),
		cliLine("docker", "compose", "-p", x.Name, verb)), ""
}

// dockerOffered reports whether the backend offers the actions on a
// Docker kind (the containers' own are in offered).
func (m *Model) dockerOffered(k resource.Kind) (bool, bool) {
	a := m.cfg.Actions
	switch k {
	case resource.KindImage:
		return a.Images != nil, true
	case resource.KindVolume, resource.KindNetwork:
		return a.VolumesNetworks != nil, true
	case resource.KindCompose:
		return a.Restart != nil, true
	}
	return false, false
}

// bytesText is a size as `docker images` shows it: 1000-based units.
func bytesText(b uint64) string {
	const unit = 1000
	if b < unit {
		return strconv.FormatUint(b, 10) + "B"
	}
	div, exp := uint64(unit), 0
	for n := b / unit; n >= unit; n /= unit {
		div *= unit
		exp++
	}
	return strconv.FormatFloat(float64(b)/float64(div), 'f', 1, 64) + string("kMGTPE"[exp]) + "B"
}
