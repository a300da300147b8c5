package sandbox

// Stand-in containers: a shell for an instance whose user data runs
// nothing on the engine. SSM on the sandbox is `docker exec` into a
// container of the instance (sessions.go); when it has none, SSMPlan
// records in the state (under the lock) that the instance wants a stand-in
// (instance.StandIn), and the engine worker's plan (sync.go) treats it as
// one more of the instance's runs: it picks the image, starts the
// container outside the lock, stops and removes it when the instance stops
// or terminates (and removes it as a leftover once the state forgets it).
// The container idles in a shell loop, named after the instance, with the
// instance's private DNS name as its hostname so the prompt shows it.
//
// The image is one the engine already has: the sandbox makes no call
// outside this machine, so nothing is pulled. The AMI family's image
// comes first (what a learner expects on the box), then the local base
// image, then the smallest images with a shell.

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

const (
	// labelStandIn marks a stand-in container on the engine.
	labelStandIn = "deckhand.sandbox.standin"
	// standInIndex is a stand-in's instanceRun.Index (runs count from 0).
	standInIndex = -1
)

// standInIdle keeps the container up and stops at once on docker stop:
// sh as PID 1 ignores SIGTERM unless it traps it, and `wait` is
// interrupted by the signal where a bare sleep is not.
var standInIdle = []string{"/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"}

// standInImages are the images a stand-in for in may run, in order.
func (a *Account) standInImages(r *region, in *instance) []string {
	if a.standInImagesOpt != nil {
		return a.standInImagesOpt
	}
	var family string
	if im := find(r.Images, func(im *image) bool { return im.ID == in.ImageID }); im != nil {
		switch n := im.Name; {
		case strings.HasPrefix(n, "al2023"), strings.HasPrefix(n, "amzn"):
			family = "amazonlinux:2023"
		case strings.Contains(n, "ubuntu"):
			family = "ubuntu:24.04"
		case strings.HasPrefix(n, "debian"):
			family = "debian:12"
		}
	}
	var out []string
	if family != "" {
		out = append(out, family)
	}
	return append(out, "deckhand/python-base:bookworm", "busybox:latest", "alpine:latest")
}

// standInMissing is why no stand-in can run: none of images is on the
// engine, and how to get one.
func standInMissing(images []string) string {
	return "no image to run a stand-in for the instance is on the local Docker engine (looked for " +
		strings.Join(images, ", ") + "; the sandbox never pulls): get one with `docker pull " + images[0] +
		"` (where a registry is reachable) or build the local base image with scripts/python-base-image, then press e again"
}

// decideStandIn picks the stand-in's image, under the lock, from what the
// worker last found out about the candidates (imagecache.go): an image not
// yet asked about leaves it undecided, and the worker asks and plans again.
func (a *Account) decideStandIn(w *world, r *region, in *instance) {
	s := in.StandIn
	if s == nil || s.Image != "" || s.Failed != "" || in.State != "running" {
		return
	}
	cands := a.standInImages(r, in)
	for _, ref := range cands {
		c, ok := w.images.check(ref)
		switch {
		case !ok:
			return
		case c.local:
			s.Image, s.Hostname, w.dirty = ref, privateDNSName(r.Name, in.PrivateIP), true
			return
		}
	}
	s.Failed, w.dirty = standInMissing(cands), true
}

// privateDNSName is EC2's private DNS name of an address in a region.
func privateDNSName(region, ip string) string {
	host := "ip-" + strings.ReplaceAll(ip, ".", "-")
	if region == "us-east-1" {
		return host + ".ec2.internal"
	}
	return host + "." + region + ".compute.internal"
}

// standInSpec is how a stand-in runs on the engine.
func (a *Account) standInSpec(in *instance, ru *instanceRun) runSpec {
	h := sha256.Sum256([]byte(a.path))
	return runSpec{
		Image: ru.Image, Name: "sandbox-" + in.ID + "-standin-" + hex.EncodeToString(h[:3]),
		Cmd: standInIdle, Hostname: ru.Hostname,
		Labels: map[string]string{labelAccount: a.accountLabel(), labelInstance: in.ID, labelContainer: ru.name(), labelStandIn: "1"},
	}
}

// allRuns are the instance's runs and its stand-in, if one is wanted.
func (in *instance) allRuns() []*instanceRun {
	if in.StandIn == nil {
		return in.Runs
	}
	return append(in.Runs[:len(in.Runs):len(in.Runs)], in.StandIn)
}

// run is the instance's run of index idx (standInIndex: its stand-in).
func (in *instance) run(idx int) *instanceRun {
	return find(in.allRuns(), func(ru *instanceRun) bool { return ru.Index == idx })
}
