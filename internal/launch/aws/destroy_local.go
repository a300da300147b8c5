package aws

import (
	"context"
	"strings"

	"deckhand/dockerops"
	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

// What a destroy of an ECR repository does on this machine: the sandbox's
// "push" tags the build under the repository on the local engine.

// untagLocal removes the local engine's tags under the repository, which
// the sandbox's "push" made (its registry is the local engine). Only
// images labelled with the stack (a launch's builds) are touched.
func (d *destroyer) untagLocal(ctx context.Context, out *launch.Output, r cloud.TaggedResource) {
	if d.Engine == nil {
		return
	}
	uri := repositoryURI(r)
	if uri == "" {
		return
	}
	imgs, err := d.Engine.ImagesByLabel(ctx, launch.LabelStack, d.stack)
	if err != nil {
		out.Linef("could not list the local images: %v", err)
		return
	}
	build := false
	for _, im := range imgs {
		for _, t := range im.Tags {
			build = build || t == launch.ImageName(d.stack)
			if strings.HasPrefix(t, uri+":") {
				if err := d.Engine.RemoveImage(ctx, t); err != nil && !dockerops.IsNotFound(err) {
					out.Linef("kept the local tag %s: %v", t, err)
				} else {
					out.Line("removed the local tag " + t)
				}
			}
		}
	}
	if build {
		// The build is the local target's image of the stack too.
		out.Linef("the local build %s stays: deckhand destroy --name %s --target local removes it", launch.ImageName(d.stack), d.stack)
	}
}

// repositoryURI derives ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME from a
// repository's ARN (arn:aws:ecr:REGION:ACCOUNT:repository/NAME).
func repositoryURI(r cloud.TaggedResource) string {
	parts := strings.SplitN(r.ARN, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[5], "repository/") {
		return ""
	}
	return parts[4] + ".dkr.ecr." + parts[3] + ".amazonaws.com/" + strings.TrimPrefix(parts[5], "repository/")
}
