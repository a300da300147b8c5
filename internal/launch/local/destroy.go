package local

import (
	"context"
	"fmt"
	"strings"

	"deckhand/dockerops"
	"deckhand/internal/launch"
)

// Destroy returns the steps that remove what local launches of stack
// created: every container and then every image carrying the label
// deckhand.stack=<stack>, one step each so the user sees each removal. It
// asks the engine what exists (read-only, so it serves --dry-run too).
// Nothing without the label is ever touched. An image that also carries a
// tag deckhand did not give it (say, an image someone built FROM the
// stack's image, which inherits the label) is kept, as a skipped step
// that says why.
func Destroy(ctx context.Context, eng *dockerops.Engine, stack string) ([]launch.Step, error) {
	if err := launch.ValidateStackName(stack); err != nil {
		return nil, err
	}
	cs, err := eng.ContainersByLabel(ctx, launch.LabelStack, stack)
	if err != nil {
		return nil, err
	}
	imgs, err := eng.ImagesByLabel(ctx, launch.LabelStack, stack)
	if err != nil {
		return nil, err
	}
	var steps []launch.Step
	for _, c := range cs {
		if !sandboxOwned(c) {
			steps = append(steps, removeContainer(eng, c))
		}
	}
	for _, im := range imgs {
		steps = append(steps, removeImage(eng, stack, im))
	}
	return steps, nil
}

// sandboxOwned reports whether the sandbox account runs the container (a
// task, an instance's container, a load balancer's proxy). It carries the
// stack label only because its image, which a launch built, does; it
// belongs to the sandbox's service, which the AWS target's destroy
// (deckhand destroy --sandbox) removes, stopping the container with it.
func sandboxOwned(c dockerops.ContainerInfo) bool {
	for k := range c.Labels {
		if strings.HasPrefix(k, "deckhand.sandbox.") {
			return true
		}
	}
	return false
}

func removeContainer(eng *dockerops.Engine, c dockerops.ContainerInfo) launch.Step {
	return launch.Step{
		Name:      "rm " + c.Name,
		Summary:   fmt.Sprintf("Remove container %s (%s, %s)", c.Name, launch.ShortID(c.ID), c.State),
		Resources: []launch.Resource{{Action: "delete", Kind: "docker container", Name: c.Name}},
		Commands:  []string{launch.Shell("docker", "rm", "-f", c.Name)},
		Run: func(ctx context.Context, out *launch.Output) error {
			// By ID: the name could have been given to another container
			// since the plan was made.
			if err := eng.Remove(ctx, c.ID, true); dockerops.IsNotFound(err) {
				return launch.Skip("already gone")
			} else if err != nil {
				return err
			}
			out.Result("removed " + launch.ShortID(c.ID))
			return nil
		},
	}
}

func removeImage(eng *dockerops.Engine, stack string, im dockerops.ImageInfo) launch.Step {
	var foreign []string
	for _, t := range im.Tags {
		if !launch.IsStackTag(t, stack) {
			foreign = append(foreign, t)
		}
	}
	label := im.ID  // whole: a cut ID is not a reference the user can act on
	refs := im.Tags // remove by tag: removing an image with several tags by ID needs force
	if len(im.Tags) > 0 {
		label = strings.Join(im.Tags, ", ")
	} else {
		refs = []string{im.ID}
	}
	step := launch.Step{
		Name:      "rmi " + strings.Join(refs, " "),
		Summary:   "Remove image " + label,
		Resources: []launch.Resource{{Action: "delete", Kind: "docker image", Name: label}},
		Commands:  []string{launch.Shell(append([]string{"docker", "rmi"}, refs...)...)},
	}
	if len(refs) == 1 && len(im.Tags) == 0 {
		step.Name = "rmi " + im.ID
		step.Commands = []string{launch.Shell("docker", "rmi", im.ID)}
	}
	if len(foreign) > 0 {
		step.Summary = "Keep image " + label + " (carries the stack's label but also tags deckhand did not give it)"
		step.Resources = []launch.Resource{{Action: "keep", Kind: "docker image", Name: label}}
		step.Commands = nil
		step.Run = func(context.Context, *launch.Output) error {
			return launch.Skip("tagged " + strings.Join(foreign, ", ") + " by someone else; remove it yourself if it is not needed")
		}
		return step
	}
	step.Run = func(ctx context.Context, out *launch.Output) error {
		gone := 0
		for _, ref := range refs {
			err := eng.RemoveImage(ctx, ref)
			if dockerops.IsNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			gone++
		}
		if gone == 0 {
			return launch.Skip("already gone")
		}
		out.Result("removed " + launch.ShortID(im.ID))
		return nil
	}
	return step
}
