// Package local is the launch pipeline's local target: it scaffolds,
// builds and runs a service on this machine's Docker engine, published on
// 127.0.0.1 only, and destroys exactly what it created (found by the
// launch.LabelStack label).
package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/launch"
	"deckhand/scaffold"
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

// ImageName is the tag a launch gives the image it builds for stack.
func ImageName(stack string) string { return "deckhand/" + stack + ":latest" }

// ContainerName is the name of the stack's container.
func ContainerName(stack string) string { return "deckhand-" + stack }

// Labels are set on everything a local launch creates.
func Labels(stack string) map[string]string { return map[string]string{launch.LabelStack: stack} }

// plan is what Launch works out before anything runs.
type plan struct {
	Options
	eng      *dockerops.Engine
	res      *Result
	image    string // what the container runs: ImageName or Options.Image
	scaffold bool   // Dir is to be scaffolded
	welcome  string // expected in the body of GET /; "" means any 2xx
	appPort  int    // from the Dockerfile's EXPOSE, 0 when unknown before the build

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
	if o.Image == "" {
		p.image = ImageName(o.Stack)
		if err := p.inspectDir(); err != nil {
			return nil, nil, err
		}
	}
	var steps []launch.Step
	if o.Scaffold && o.Image == "" {
		steps = append(steps, p.scaffoldStep())
	}
	if o.Image == "" {
		steps = append(steps, p.buildStep())
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

// inspectDir decides between building Dir as it is and scaffolding it, and
// finds the welcome text and port of a deckhand-generated app.
func (p *plan) inspectDir() error {
	if p.Dir == "" {
		return errors.New("no project directory given: name one, or deploy an existing image")
	}
	entries, err := os.ReadDir(p.Dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("project directory %s: %w", p.Dir, err)
	}
	hasDockerfile := false
	for _, e := range entries {
		hasDockerfile = hasDockerfile || e.Name() == "Dockerfile"
	}
	switch {
	case hasDockerfile:
		p.welcome = scaffold.WelcomeIn(p.Dir)
		p.appPort = launch.ExposedPort(filepath.Join(p.Dir, "Dockerfile"))
		return nil
	case len(entries) == 0 && p.Scaffold:
		p.scaffold = true
		p.welcome = scaffold.WelcomeText(p.Stack)
		p.appPort = scaffold.DefaultPort
		return nil
	case len(entries) == 0:
		return fmt.Errorf("%s is empty or missing: write a Flask project into it first (deckhand scaffold %s), or let launch do it (--scaffold)", p.Dir, p.Dir)
	default:
		return fmt.Errorf("%s has no Dockerfile and is not empty, so there is nothing to build and scaffolding would mix into it: add a Dockerfile, or scaffold it explicitly (deckhand scaffold %s --skip-existing)", p.Dir, p.Dir)
	}
}

func (p *plan) scaffoldStep() launch.Step {
	var res []launch.Resource
	for _, f := range scaffold.FileNames() {
		res = append(res, launch.Resource{Action: "create", Kind: "file", Name: filepath.Join(p.Dir, f)})
	}
	if !p.scaffold {
		res = nil
	}
	s := launch.Step{
		Name:      "scaffold",
		Summary:   fmt.Sprintf("Write a Flask project named %s into %s", p.Stack, p.Dir),
		Resources: res,
		Commands:  []string{launch.Shell("deckhand", "scaffold", p.Dir, "--name", p.Stack)},
		Run: func(ctx context.Context, out *launch.Output) error {
			if !p.scaffold {
				return launch.Skip(p.Dir + " already has a Dockerfile; building it as it is")
			}
			r, err := scaffold.Generate(p.Dir, scaffold.Options{Name: p.Stack})
			for _, f := range r.Written {
				out.Created(launch.Resource{Action: "create", Kind: "file", Name: filepath.Join(p.Dir, f)})
				out.Line("wrote " + filepath.Join(p.Dir, f))
			}
			if err != nil {
				return err
			}
			out.Result(fmt.Sprintf("%d files in %s", len(r.Written), p.Dir))
			return nil
		},
	}
	if !p.scaffold {
		// The plan must say what the run will do: --scaffold writes only
		// into an empty directory, and this one has a Dockerfile.
		s.Summary = "Keep " + p.Dir + "'s Dockerfile and build it as it is (--scaffold writes only into an empty directory)"
		s.Commands = nil
	}
	return s
}

func (p *plan) buildStep() launch.Step {
	args := []string{"docker", "build", "--label", launch.LabelStack + "=" + p.Stack}
	buildArgs := map[string]string{}
	if p.BaseImage != "" {
		args = append(args, "--build-arg", "BASE_IMAGE="+p.BaseImage)
		buildArgs["BASE_IMAGE"] = p.BaseImage
	}
	args = append(args, "-t", p.image, p.Dir)
	return launch.Step{
		Name:      "build",
		Summary:   fmt.Sprintf("Build %s from %s", p.image, p.Dir),
		Resources: []launch.Resource{{Action: "create", Kind: "docker image", Name: p.image}},
		Commands:  []string{launch.Shell(args...)},
		Run: func(ctx context.Context, out *launch.Output) error {
			id, err := p.eng.Build(ctx, dockerops.BuildOptions{
				Dir: p.Dir, Tags: []string{p.image}, BuildArgs: buildArgs, Labels: Labels(p.Stack),
			}, out.Line)
			if err != nil {
				return err
			}
			p.res.ImageID = id
			out.Created(launch.Resource{Action: "create", Kind: "docker image", Name: p.image})
			out.Result(p.image + " " + shortID(id))
			return nil
		},
	}
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
			out.Result(shortID(info.ID))
			return nil
		},
	}
}

func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		id = id[:12]
	}
	return id
}
