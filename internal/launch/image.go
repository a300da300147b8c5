package launch

import "strings"

// The names of a stack's image, in one place because three parties must
// agree on them: the targets that build and push (local and the AWS
// targets share one build, deckhand/STACK:latest), the ECR repository the
// AWS targets push to (named like the build, so the pushed copy is
// REGISTRY/deckhand/STACK:IMAGE_ID), and the destroys, which remove only
// tags they recognise as deckhand's.

// ImageRepository is the repository of the stack's image: the local
// build's and, under the registry's host, the ECR repository's.
func ImageRepository(stack string) string { return "deckhand/" + stack }

// ImageName is the tag a launch gives the image it builds for stack.
func ImageName(stack string) string { return ImageRepository(stack) + ":latest" }

// PushTag is the tag the AWS targets push a build under: the repository's
// URI and the build's short image ID, so a rebuild with changes gets a new
// tag (and a new task definition) and one without keeps it.
func PushTag(repositoryURI, imageID string) string { return repositoryURI + ":" + ShortID(imageID) }

// IsStackTag reports whether a launch of stack gave an image this tag: the
// build's deckhand/STACK:TAG, or the push's copy of it under a registry,
// REGISTRY/deckhand/STACK:TAG (a registry host has a dot or a port, so
// "someone/deckhand/STACK" is not mistaken for it).
func IsStackTag(tag, stack string) bool {
	repo := ImageRepository(stack) + ":"
	if strings.HasPrefix(tag, repo) {
		return true
	}
	host, rest, ok := strings.Cut(tag, "/")
	return ok && strings.ContainsAny(host, ".:") && strings.HasPrefix(rest, repo)
}

// StackLabels are the Docker labels of everything a launch of stack
// creates on an engine (images, containers): destroy finds them by it.
func StackLabels(stack string) map[string]string { return map[string]string{LabelStack: stack} }

// ShortID is the 12 hex digits Docker shows for an image or container ID,
// without the "sha256:" prefix: short enough for an event line and still
// a reference the engine accepts.
func ShortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		id = id[:12]
	}
	return id
}
