// Package local is the launch pipeline's local target: it scaffolds,
// builds and runs a service on this machine's Docker engine, published on
// 127.0.0.1 only, and destroys exactly what it created (found by the
// launch.LabelStack label).
package local

import (
	"context"
	"fmt"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/launch"
	"deckhand/internal/launch/project"
)

// DefaultTimeout bounds the wait for the app to answer and turn healthy.
const DefaultTimeout = 2 * time.Minute

// Options describe a local launch.
type Options struct {
	Stack string
	// Dir is the project to build (a directory with a Dockerfile). Ignored
	// when Image is set.
	Dir string
	// Image deploys an existing local image instead of building: no
	// scaffold, no build, no pull.
	Image string
	// BaseImage is passed as the BASE_IMAGE build argument; "" keeps the
	// Dockerfile's default.
	BaseImage string
	// Scaffold writes deckhand's Flask project into Dir first when Dir is
	// empty or missing; a Dir with a Dockerfile is built as it is.
	Scaffold bool
	// HostPort publishes the app on 127.0.0.1:HostPort. 0 keeps the port
	// of the stack's previous container (the URL stays the same across
	// re-runs), or else lets the engine pick a free one.
	HostPort int
	// NoWait returns once the container runs, without the HTTP checks.
	NoWait bool
	// Timeout bounds the readiness wait; 0 means DefaultTimeout.
	Timeout time.Duration
}

// Result is filled in by the steps as they run.
type Result struct {
	ImageID     string
	ContainerID string
	URL         string // http://127.0.0.1:PORT/
}

// ContainerName is the name of the stack's container.
func ContainerName(stack string) string { return "deckhand-" + stack }

// plan is what Launch works out before anything runs.
type plan struct {
	Options
	eng     *dockerops.Engine
	res     *Result
	image   string // what the container runs: launch.ImageName or Options.Image
	welcome string // expected in the body of GET /; "" means any 2xx
	appPort int    // from the Dockerfile's EXPOSE, 0 when unknown before the build

	healthcheck bool // the image has a HEALTHCHECK; set by the run step
}

// Launch returns the steps of a local launch and the Result they fill in.
// It only reads Dir; nothing touches the engine (eng may be nil for a dry
// run) until the steps are executed. Problems that can be seen now (no
// Dockerfile, a Dir that scaffolding would mix into) are returned here, so
// nothing is created by a launch that cannot work.
func Launch(eng *dockerops.Engine, o Options) ([]launch.Step, *Result, error) {
	if err := launch.ValidateStackName(o.Stack); err != nil {
		return nil, nil, err
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	p := &plan{Options: o, eng: eng, res: &Result{}, image: o.Image}
	var proj project.Project
	if o.Image == "" {
		var err error
		if proj, err = project.Inspect(o.Dir, o.Stack, o.Scaffold); err != nil {
			return nil, nil, err
		}
		p.image, p.welcome, p.appPort = launch.ImageName(o.Stack), proj.Welcome, proj.Port
	}
	var steps []launch.Step
	if o.Scaffold && o.Image == "" {
		steps = append(steps, project.ScaffoldStep(proj, o.Stack))
	}
	if o.Image == "" {
		steps = append(steps, project.BuildStep(project.Build{
			Stack: o.Stack, Dir: o.Dir, BaseImage: o.BaseImage, Engine: eng,
			Built: func(_ context.Context, id string) { p.res.ImageID = id },
		}))
	} else {
		steps = append(steps, p.imageStep())
	}
	steps = append(steps, p.runStep())
	if o.Image == "" {
		steps = append(steps, p.pruneStep())
	}
	steps = append(steps, p.waitStep(), p.checkStep())
	return steps, p.res, nil
}

func (p *plan) imageStep() launch.Step {
	return launch.Step{
		Name:      "image",
		Summary:   "Use the existing local image " + p.image + " (no build, no pull)",
		Resources: []launch.Resource{{Action: "use", Kind: "docker image", Name: p.image}},
		Commands:  []string{launch.Shell("docker", "image", "inspect", p.image)},
		Run: func(ctx context.Context, out *launch.Output) error {
			info, err := p.eng.InspectImage(ctx, p.image)
			if dockerops.IsNotFound(err) {
				return fmt.Errorf("image %s is not on this machine: build it, or docker pull it first (launch does not pull)", p.image)
			}
			if err != nil {
				return err
			}
			p.res.ImageID = info.ID
			out.Result(launch.ShortID(info.ID))
			return nil
		},
	}
}
