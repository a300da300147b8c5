package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"deckhand/dockerops"
	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/internal/launch/project"
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

	proj    project.Project
	port    int // the app's port; 0 until known (the build reads the image's EXPOSE)
	imageID string
	repo    cloud.Repository
	auth    cloud.RegistryAuth
	// ref and builtID are where the steps put the image that runs (the
	// pushed reference, or existing) and the local build's ID: the
	// target's result.
	ref, builtID *string
}

// inspectProject is project.Inspect with its errors as the "dir" option's
// InputError, as the AWS targets report every bad option.
func inspectProject(dir, stack string, doScaffold bool) (project.Project, error) {
	proj, err := project.Inspect(dir, stack, doScaffold)
	var pe *project.Error
	switch {
	case errors.Is(err, project.ErrNoDir):
		return proj, inputErr("dir", "", "%v with --image", err)
	case errors.As(err, &pe):
		return proj, inputErr("dir", pe.Dir, "%s", pe.Problem)
	}
	return proj, err
}

func (p *imageSource) buildStep() launch.Step {
	return project.BuildStep(project.Build{
		Stack: p.stack, Dir: p.dir, BaseImage: p.baseImage, Where: "on the local Docker engine", Engine: p.eng,
		Built: func(ctx context.Context, id string) {
			p.imageID, *p.builtID = id, id
			if p.port != 0 {
				return
			}
			// The app's port was not given and the Dockerfile did not
			// say it (or said several): the image's EXPOSE does.
			if info, err := p.eng.InspectImage(ctx, id); err == nil && len(info.ExposedPorts) > 0 {
				p.port = info.ExposedPorts[0]
				if slices.Contains(info.ExposedPorts, p.proj.Port) {
					p.port = p.proj.Port
				}
			}
		},
	})
}

func (p *imageSource) repositoryStep() launch.Step {
	name := launch.ImageRepository(p.stack)
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
	src := launch.ImageName(p.stack)
	return launch.Step{
		Name:      "push",
		Summary:   "Tag the build under the repository and push it",
		Resources: []launch.Resource{{Action: "create", Kind: "ECR image", Name: launch.ImageRepository(p.stack) + ":IMAGE_ID (the build's short image ID)"}},
		Commands: []string{
			launch.Shell("docker", "tag", src, "REPOSITORY_URI:IMAGE_ID"),
			launch.Shell("docker", "push", "REPOSITORY_URI:IMAGE_ID"),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			ref := launch.PushTag(p.repo.URI, p.imageID)
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
