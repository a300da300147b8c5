package aws

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"deckhand/dockerops"
	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/scaffold"
)

// imageSource is the image half of a launch, which the Fargate and EC2
// targets share: scaffold and build the project on the local engine, then
// put the image in the stack's ECR repository (the sandbox's registry is
// the local engine: a tag there); or use an existing image as it is.
type imageSource struct {
	stack     string
	dir       string // the project to build
	baseImage string // the Dockerfile's BASE_IMAGE build argument
	scaffold  bool   // write deckhand's Flask project into dir first
	existing  string // an existing image to use: no build, no push

	be  Backend
	eng *dockerops.Engine // needed to build and push

	proj    project
	port    int // the app's port; 0 until known (the build reads the image's EXPOSE)
	imageID string
	repo    cloud.Repository
	auth    cloud.RegistryAuth
	// ref and builtID are where the steps put the image that runs (the
	// pushed reference, or existing) and the local build's ID: the
	// target's result.
	ref, builtID *string
}

func (p *imageSource) scaffoldStep() launch.Step {
	var res []launch.Resource
	if p.proj.scaffold {
		for _, f := range scaffold.FileNames() {
			res = append(res, launch.Resource{Action: "create", Kind: "file", Name: filepath.Join(p.dir, f)})
		}
	}
	s := launch.Step{
		Name:      "scaffold",
		Summary:   fmt.Sprintf("Write a Flask project named %s into %s", p.stack, p.dir),
		Resources: res,
		Commands:  []string{launch.Shell("deckhand", "scaffold", p.dir, "--name", p.stack)},
		Run: func(ctx context.Context, out *launch.Output) error {
			if !p.proj.scaffold {
				return launch.Skip(p.dir + " already has a Dockerfile; building it as it is")
			}
			r, err := scaffold.Generate(p.dir, scaffold.Options{Name: p.stack})
			for _, f := range r.Written {
				out.Created(launch.Resource{Action: "create", Kind: "file", Name: filepath.Join(p.dir, f)})
				out.Line("wrote " + filepath.Join(p.dir, f))
			}
			if err != nil {
				return err
			}
			out.Result(fmt.Sprintf("%d files in %s", len(r.Written), p.dir))
			return nil
		},
	}
	if !p.proj.scaffold {
		// The plan must say what the run will do: --scaffold writes only
		// into an empty directory, and this one has a Dockerfile.
		s.Summary = "Keep " + p.dir + "'s Dockerfile and build it as it is (--scaffold writes only into an empty directory)"
		s.Commands = nil
	}
	return s
}

func (p *imageSource) buildStep() launch.Step {
	img := LocalImage(p.stack)
	args := []string{"docker", "build", "--label", launch.LabelStack + "=" + p.stack}
	buildArgs := map[string]string{}
	if p.baseImage != "" {
		args = append(args, "--build-arg", "BASE_IMAGE="+p.baseImage)
		buildArgs["BASE_IMAGE"] = p.baseImage
	}
	args = append(args, "-t", img, p.dir)
	return launch.Step{
		Name:      "build",
		Summary:   fmt.Sprintf("Build %s from %s on the local Docker engine", img, p.dir),
		Resources: []launch.Resource{{Action: "create", Kind: "docker image", Name: img}},
		Commands:  []string{launch.Shell(args...)},
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.eng == nil {
				return fmt.Errorf("building %s needs the local Docker engine, which is not available", p.dir)
			}
			id, err := p.eng.Build(ctx, dockerops.BuildOptions{
				Dir: p.dir, Tags: []string{img}, BuildArgs: buildArgs,
				Labels: map[string]string{launch.LabelStack: p.stack},
			}, out.Line)
			if err != nil {
				return err
			}
			p.imageID, *p.builtID = id, id
			out.Created(launch.Resource{Action: "create", Kind: "docker image", Name: img})
			if p.port == 0 {
				if info, err := p.eng.InspectImage(ctx, id); err == nil && len(info.ExposedPorts) > 0 {
					p.port = info.ExposedPorts[0]
					if slices.Contains(info.ExposedPorts, p.proj.port) {
						p.port = p.proj.port
					}
				}
			}
			out.Result(img + " " + shortID(id))
			return nil
		},
	}
}

func (p *imageSource) repositoryStep() launch.Step {
	name := RepositoryName(p.stack)
	return launch.Step{
		Name:      "repository",
		Summary:   "Find or create the ECR repository " + name,
		Resources: []launch.Resource{{Action: "create", Kind: "ECR repository", Name: name + " (if missing)"}},
		Commands: []string{launch.Shell("aws", "ecr", "create-repository", "--repository-name", name,
			"--image-scanning-configuration", "scanOnPush=true", "--tags", cliTags(p.stack, ""))},
		Run: func(ctx context.Context, out *launch.Output) error {
			repo, created, err := p.be.EnsureRepository(ctx, name, tags(p.stack))
			if err != nil {
				return err
			}
			p.repo = repo
			if created {
				out.Created(launch.Resource{Action: "create", Kind: "ECR repository", Name: name})
				out.Result("created " + repo.URI)
			} else {
				out.Result("found " + repo.URI)
			}
			return nil
		},
	}
}

func (p *imageSource) loginStep() launch.Step {
	return launch.Step{
		Name:    "login",
		Summary: "Get a registry login for ECR (GetAuthorizationToken)",
		Commands: []string{"aws ecr get-login-password | " +
			launch.Shell("docker", "login", "--username", "AWS", "--password-stdin", "ACCOUNT.dkr.ecr.REGION.amazonaws.com")},
		Run: func(ctx context.Context, out *launch.Output) error {
			auth, err := p.be.RegistryLogin(ctx)
			if err != nil {
				return err
			}
			p.auth = auth
			if auth.Local {
				out.Result(auth.Host() + " (the sandbox's registry is the local Docker engine: no login needed)")
				return nil
			}
			if auth.ExpiresAt.IsZero() {
				out.Result(auth.Username + " @ " + auth.Host())
			} else {
				out.Result(fmt.Sprintf("%s @ %s, valid until %s", auth.Username, auth.Host(), auth.ExpiresAt.Local().Format("15:04")))
			}
			return nil
		},
	}
}

func (p *imageSource) pushStep() launch.Step {
	src := LocalImage(p.stack)
	return launch.Step{
		Name:      "push",
		Summary:   "Tag the build under the repository and push it",
		Resources: []launch.Resource{{Action: "create", Kind: "ECR image", Name: RepositoryName(p.stack) + ":IMAGE_ID (the build's short image ID)"}},
		Commands: []string{
			launch.Shell("docker", "tag", src, "REPOSITORY_URI:IMAGE_ID"),
			launch.Shell("docker", "push", "REPOSITORY_URI:IMAGE_ID"),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			// The tag is the image ID: a rebuild with changes gets a new
			// tag (so the task definition changes), one without keeps it.
			ref := p.repo.URI + ":" + shortID(p.imageID)
			if err := p.eng.Tag(ctx, p.imageID, ref); err != nil {
				return err
			}
			*p.ref = ref
			if p.auth.Local {
				out.Result("tagged " + ref + " in the local engine (the sandbox's registry): nothing to upload")
				return nil
			}
			digest, err := p.eng.Push(ctx, ref, dockerops.RegistryAuth{
				Username: p.auth.Username, Password: p.auth.Password, ServerAddress: p.auth.ServerAddress,
			}, out.Line)
			if err != nil {
				return err
			}
			out.Created(launch.Resource{Action: "create", Kind: "ECR image", Name: ref})
			if digest != "" {
				out.Result(ref + " " + digest)
			} else {
				out.Result(ref)
			}
			return nil
		},
	}
}

// imageStep stands for the build and push when the launch deploys an
// existing image: it only learns the image's port when the local engine
// has the image.
func (p *imageSource) imageStep() launch.Step {
	return launch.Step{
		Name:      "image",
		Summary:   "Deploy the existing image " + p.existing + " (no build, no push: ECS must be able to pull it)",
		Resources: []launch.Resource{{Action: "use", Kind: "image", Name: p.existing}},
		Run: func(ctx context.Context, out *launch.Output) error {
			*p.ref = p.existing
			if p.port == 0 && p.eng != nil {
				if info, err := p.eng.InspectImage(ctx, p.existing); err == nil && len(info.ExposedPorts) > 0 {
					p.port = info.ExposedPorts[0]
					out.Linef("%s EXPOSEs port %d", p.existing, p.port)
				}
			}
			if p.port == 0 {
				p.port = scaffold.DefaultPort
				out.Linef("the port of %s is unknown here; assuming %d (pass --port to choose)", p.existing, p.port)
			}
			out.Result(fmt.Sprintf("%s, port %d", p.existing, p.port))
			return nil
		},
	}
}
