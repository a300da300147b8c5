package local

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"deckhand/dockerops"
	"deckhand/internal/launch"
	"deckhand/scaffold"
)

func (p *plan) runStep() launch.Step {
	name := ContainerName(p.Stack)
	hostPort, where := "", "a free port"
	if p.HostPort != 0 {
		hostPort, where = strconv.Itoa(p.HostPort), "port "+strconv.Itoa(p.HostPort)
	}
	appPort := "APP_PORT" // the port the image EXPOSEs, known once it is built
	if p.appPort != 0 {
		appPort = strconv.Itoa(p.appPort)
	}
	label := launch.LabelStack + "=" + p.Stack
	return launch.Step{
		Name:    "run",
		Summary: fmt.Sprintf("Run %s from %s on 127.0.0.1, %s (replacing the stack's previous container)", name, p.image, where),
		Resources: []launch.Resource{
			{Action: "replace", Kind: "docker container", Name: name + " (the stack's previous one, if any)"},
			{Action: "create", Kind: "docker container", Name: name},
		},
		Commands: []string{
			"docker rm -f $(docker ps -aq --filter " + launch.Shell("label="+label) + ")",
			launch.Shell("docker", "run", "-d", "--name", name, "--label", label,
				"-p", "127.0.0.1:"+hostPort+":"+appPort, p.image),
		},
		Run: p.run,
	}
}

func (p *plan) run(ctx context.Context, out *launch.Output) error {
	name := ContainerName(p.Stack)
	img, err := p.eng.InspectImage(ctx, p.image)
	if err != nil {
		return err
	}
	appPort := choosePort(img.ExposedPorts, p.appPort)
	p.healthcheck = img.HasHealthcheck
	if len(img.ExposedPorts) == 0 {
		out.Linef("%s EXPOSEs no port; assuming the app listens on %d", p.image, appPort)
	}

	// Only a container carrying this stack's label is ours to replace.
	// One that merely has our name was made by someone else: stop, and
	// say so, rather than remove it.
	if c, err := p.eng.InspectContainer(ctx, name); err == nil && c.Labels[launch.LabelStack] != p.Stack {
		return fmt.Errorf("a container named %s exists that this stack did not create (no %s=%s label); deckhand will not touch it: remove or rename it (docker rm -f %s), or launch under another --name",
			name, launch.LabelStack, p.Stack, name)
	} else if err != nil && !dockerops.IsNotFound(err) {
		return err
	}
	olds, err := p.eng.ContainersByLabel(ctx, launch.LabelStack, p.Stack)
	if err != nil {
		return err
	}
	hostPort, reused := p.HostPort, false
	for _, old := range olds {
		if hostPort == 0 {
			if info, err := p.eng.InspectContainer(ctx, old.ID); err == nil && info.Ports[appPort] != 0 {
				hostPort, reused = info.Ports[appPort], true
			}
		}
		out.Linef("removing the previous container %s (%s, %s)", old.Name, launch.ShortID(old.ID), old.State)
		if err := p.eng.Remove(ctx, old.ID, true); err != nil && !dockerops.IsNotFound(err) {
			return err
		}
	}

	id, err := p.start(ctx, out, appPort, hostPort)
	if err != nil && reused && strings.Contains(err.Error(), "port is already allocated") {
		// The previous launch's port was taken meanwhile; the user did not
		// ask for it, so any free port will do.
		out.Linef("port %d is taken now; letting the engine pick a free one", hostPort)
		id, err = p.start(ctx, out, appPort, 0)
	}
	if err != nil {
		return err
	}
	info, err := p.eng.InspectContainer(ctx, id)
	if err != nil {
		return err
	}
	hp := info.Ports[appPort]
	if hp == 0 {
		return fmt.Errorf("container %s runs but its port %d is not published (state %s)", name, appPort, info.State)
	}
	p.res.ContainerID = id
	p.res.URL = fmt.Sprintf("http://127.0.0.1:%d/", hp)
	out.Result(fmt.Sprintf("%s %s on 127.0.0.1:%d→%d", name, launch.ShortID(id), hp, appPort))
	return nil
}

// start creates and starts the container. A container that was created but
// could not start (its port is taken) is removed again: it could never
// serve, and leaving it would only make the next launch replace it.
func (p *plan) start(ctx context.Context, out *launch.Output, appPort, hostPort int) (string, error) {
	name := ContainerName(p.Stack)
	id, err := p.eng.Run(ctx, dockerops.RunOptions{
		Image: p.image, Name: name, Ports: map[int]int{appPort: hostPort}, Labels: launch.StackLabels(p.Stack),
	})
	if err != nil && id != "" {
		if rmErr := p.eng.Remove(context.WithoutCancel(ctx), id, true); rmErr != nil {
			out.Created(launch.Resource{Action: "create", Kind: "docker container", Name: name})
		}
	}
	if err == nil {
		out.Created(launch.Resource{Action: "create", Kind: "docker container", Name: name})
	}
	return id, err
}

// choosePort picks the container port to publish: the one the image
// EXPOSEs; among several, the Dockerfile's first (planned); with none,
// the scaffold's default.
func choosePort(exposed []int, planned int) int {
	switch {
	case len(exposed) == 0 && planned != 0:
		return planned
	case len(exposed) == 0:
		return scaffold.DefaultPort
	case slices.Contains(exposed, planned):
		return planned
	}
	return exposed[0]
}

// pruneStep removes the stack's earlier builds, which the new build left
// untagged: re-running a launch must not pile up images.
func (p *plan) pruneStep() launch.Step {
	return launch.Step{
		Name:      "prune",
		Summary:   "Remove this stack's previous builds (untagged images labelled " + launch.LabelStack + "=" + p.Stack + ")",
		Resources: []launch.Resource{{Action: "delete", Kind: "docker image", Name: "previous untagged builds of " + p.image + ", if any"}},
		Commands:  []string{launch.Shell("docker", "image", "prune", "-f", "--filter", "label="+launch.LabelStack+"="+p.Stack)},
		Run: func(ctx context.Context, out *launch.Output) error {
			imgs, err := p.eng.ImagesByLabel(ctx, launch.LabelStack, p.Stack)
			if err != nil {
				return err
			}
			n := 0
			for _, im := range imgs {
				if len(im.Tags) > 0 || im.ID == p.res.ImageID {
					continue
				}
				// Best effort: an old build that some other container
				// still uses stays, and destroy will name it.
				if err := p.eng.RemoveImage(ctx, im.ID); err != nil {
					out.Linef("kept %s: %v", launch.ShortID(im.ID), err)
					continue
				}
				out.Line("removed " + launch.ShortID(im.ID))
				n++
			}
			if n == 0 {
				return launch.Skip("no previous builds to remove")
			}
			out.Result(fmt.Sprintf("removed %d previous build(s)", n))
			return nil
		},
	}
}

func (p *plan) waitStep() launch.Step {
	url := "http://127.0.0.1:PORT/"
	if p.HostPort != 0 {
		url = fmt.Sprintf("http://127.0.0.1:%d/", p.HostPort)
	}
	name := ContainerName(p.Stack)
	return launch.Step{
		Name:    "wait",
		Summary: fmt.Sprintf("Wait until %s answers HTTP and its HEALTHCHECK (if any) is healthy, at most %v", name, p.Timeout),
		Commands: []string{
			launch.Shell("curl", "-fsS", url),
			launch.Shell("docker", "inspect", "--format", "{{.State.Health.Status}}", name),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.NoWait {
				return launch.Skip("--no-wait")
			}
			err := p.eng.WaitReady(ctx, dockerops.WaitOptions{
				ContainerID: p.res.ContainerID, URL: p.res.URL, Timeout: p.Timeout,
			}, out.Line)
			if err != nil {
				return err
			}
			if p.healthcheck {
				out.Result("answers HTTP; HEALTHCHECK healthy")
			} else {
				out.Result("answers HTTP (the image has no HEALTHCHECK)")
			}
			return nil
		},
	}
}

func (p *plan) checkStep() launch.Step {
	return launch.Step{
		Name:     "check",
		Summary:  launch.CheckSummary(p.welcome),
		Commands: []string{launch.Shell("curl", "-fsS", "http://127.0.0.1:PORT/")},
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.NoWait {
				return launch.Skip("--no-wait")
			}
			status, body, err := launch.CheckAnswer(ctx, p.res.URL, p.welcome)
			if err != nil {
				return err
			}
			out.Result(fmt.Sprintf("HTTP %d %q", status, launch.Excerpt(body)))
			return nil
		},
	}
}
