package sandbox

import (
	"path"
	"regexp"
	"strings"
)

// Which images a sandbox task can pull. The sandbox has no registry and does
// not reach the internet, so it decides by rule, and says so:
//
//   - An image the account's local Docker engine has, by its exact
//     reference, pulls, and runs there for real (runner.go).
//   - Otherwise, images in a private ECR registry
//     (ACCOUNT.dkr.ecr.REGION.amazonaws.com) do not pull: the sandbox's own
//     ECR images live in the local engine (a push tags them there under the
//     repository's URI), so one the engine lacks is "not found" — the classic
//     "pushed nowhere" failure, which the seeded broken-worker service shows
//     — and without an engine the reason adds that the sandbox has no Docker
//     engine to run it.
//   - Any other reference (Docker Hub, public.ecr.aws, ghcr.io…) is taken to
//     exist, unless its repository or tag contains "missing", "nonexistent"
//     or "does-not-exist", which lets a learner provoke the failure on
//     purpose.
//
// An unpullable image stops the task the way Fargate does: stopCode
// TaskFailedToStart with a CannotPullContainerError stoppedReason.

var reECR = regexp.MustCompile(`^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/`)

// pullError is the CannotPullContainerError for ref, or "" when the image
// pulls.
func pullError(ref string) string {
	full := normalizeRef(ref)
	bad := reECR.MatchString(ref)                         // not in the local engine (see pull)
	_, repo, _ := strings.Cut(strings.ToLower(full), "/") // without the registry host
	for _, word := range []string{"missing", "nonexistent", "does-not-exist"} {
		if strings.Contains(repo, word) {
			bad = true
		}
	}
	if !bad {
		return ""
	}
	return "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref " +
		full + ": " + full + ": not found"
}

// normalizeRef writes a reference the way containerd reports it:
// "nginx" → "docker.io/library/nginx:latest".
func normalizeRef(ref string) string {
	name, rest := ref, ""
	if i := strings.IndexAny(ref, "@"); i >= 0 {
		name, rest = ref[:i], ref[i:]
	} else if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		name, rest = ref[:i], ref[i:]
	} else {
		rest = ":latest"
	}
	first, _, found := strings.Cut(name, "/")
	if !found || !strings.ContainsAny(first, ".:") && first != "localhost" {
		if !found {
			name = "library/" + name
		}
		name = "docker.io/" + name
	}
	return name + rest
}

// oneShot reports whether an image's default command ends at once when run
// without a terminal, as the shell and distribution base images do
// (busybox, alpine, ubuntu… run "sh" or "bash", which exit on EOF). Run as a
// task their essential container exits with code 0 seconds after RUNNING:
// the task stops with EssentialContainerExited, and a service of them is
// replaced forever, which is what ECS does with them too.
func oneShot(ref string) bool {
	name := normalizeRef(ref)
	if i := strings.IndexAny(name, "@"); i >= 0 {
		name = name[:i]
	} else if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name = name[:i]
	}
	switch path.Base(name) {
	case "busybox", "alpine", "ubuntu", "debian", "amazonlinux", "fedora", "centos", "hello-world":
		return true
	}
	return false
}
