package project

import (
	"context"
	"fmt"
	"path/filepath"

	"deckhand/dockerops"
	"deckhand/internal/launch"
	"deckhand/scaffold"
)

// ScaffoldStep writes deckhand's Flask app, named stack, into p.Dir when
// p.Scaffold is set. When it is not (the directory has a Dockerfile) the
// step stays in the plan, saying that --scaffold is not acted on and why,
// and its run is skipped.
func ScaffoldStep(p Project, stack string) launch.Step {
	var res []launch.Resource
	if p.Scaffold {
		for _, f := range scaffold.FileNames() {
			res = append(res, launch.Resource{Action: "create", Kind: "file", Name: filepath.Join(p.Dir, f)})
		}
	}
	s := launch.Step{
		Name:      "scaffold",
		Summary:   fmt.Sprintf("Write a Flask project named %s into %s", stack, p.Dir),
		Resources: res,
		Commands:  []string{launch.Shell("deckhand", "scaffold", p.Dir, "--name", stack)},
		Run: func(ctx context.Context, out *launch.Output) error {
			if !p.Scaffold {
				return launch.Skip(p.Dir + " already has a Dockerfile; building it as it is")
			}
			r, err := scaffold.Generate(p.Dir, scaffold.Options{Name: stack})
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
	if !p.Scaffold {
		// The plan must say what the run will do: --scaffold writes only
		// into an empty directory, and this one has a Dockerfile.
		s.Summary = "Keep " + p.Dir + "'s Dockerfile and build it as it is (--scaffold writes only into an empty directory)"
		s.Commands = nil
	}
	return s
}

// Build describes a build of a project into the stack's image,
// launch.ImageName(Stack), labelled launch.LabelStack=Stack.
type Build struct {
	Stack string
	Dir   string
	// BaseImage is the Dockerfile's BASE_IMAGE build argument; "" keeps
	// the Dockerfile's default.
	BaseImage string
	// Where, when set, ends the summary ("on the local Docker engine"):
	// the AWS targets say it because everything else they do is in AWS.
	Where string
	// Engine builds; nil (a dry run's planner has no engine) makes the
	// run fail with a plain error.
	Engine *dockerops.Engine
	// Built, when set, gets the new image's ID before the step reports
	// it done; the target keeps it for its later steps.
	Built func(ctx context.Context, id string)
}

// BuildStep builds b.Dir into the stack's image.
func BuildStep(b Build) launch.Step {
	img := launch.ImageName(b.Stack)
	args := []string{"docker", "build", "--label", launch.LabelStack + "=" + b.Stack}
	buildArgs := map[string]string{}
	if b.BaseImage != "" {
		args = append(args, "--build-arg", "BASE_IMAGE="+b.BaseImage)
		buildArgs["BASE_IMAGE"] = b.BaseImage
	}
	args = append(args, "-t", img, b.Dir)
	summary := fmt.Sprintf("Build %s from %s", img, b.Dir)
	if b.Where != "" {
		summary += " " + b.Where
	}
	return launch.Step{
		Name:      "build",
		Summary:   summary,
		Resources: []launch.Resource{{Action: "create", Kind: "docker image", Name: img}},
		Commands:  []string{launch.Shell(args...)},
		Run: func(ctx context.Context, out *launch.Output) error {
			if b.Engine == nil {
				return fmt.Errorf("building %s needs the local Docker engine, which is not available", b.Dir)
			}
			id, err := b.Engine.Build(ctx, dockerops.BuildOptions{
				Dir: b.Dir, Tags: []string{img}, BuildArgs: buildArgs, Labels: launch.StackLabels(b.Stack),
			}, out.Line)
			if err != nil {
				return err
			}
			out.Created(launch.Resource{Action: "create", Kind: "docker image", Name: img})
			if b.Built != nil {
				b.Built(ctx, id)
			}
			out.Result(img + " " + launch.ShortID(id))
			return nil
		},
	}
}
