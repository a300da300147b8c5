// Package aws holds the launch pipeline's AWS targets: an ECS service on
// Fargate (Fargate) and a Docker host on an EC2 instance (EC2), and the
// destroy of what either created (Destroy).
//
// They follow the local target's pattern (internal/launch/local): planning
// only checks the input and builds the steps, with no call to AWS or the
// engine, so a dry run works anywhere and a launch with bad input creates
// nothing; each step finds or creates its resource (tagged
// deckhand:stack=<stack>), so running a launch again updates what exists
// instead of duplicating it; destroy deletes only what carries the tag, in
// dependency order.
//
// The AWS side goes through deckhand/aws's capabilities (Backend and
// Deployer), which the SDK client (AWS, moto) and the sandbox account both
// offer: the steps cannot tell them apart, except where the sandbox says so
// itself (a local registry, container network bindings on 127.0.0.1,
// instances whose user data's containers run on the local engine, or run
// nothing when it lacks their image).
package aws

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

// Backend is what the AWS targets need of an account: the read path, the
// ECS and EC2 writes and the deploy capabilities. The SDK client and the
// sandbox account are both Backends.
type Backend interface {
	cloud.Backend
	cloud.Deployer
}

// The names a launch gives what it creates for stack. The ECR repository
// is launch.ImageRepository, named like the local build, so the pushed
// image is REGISTRY/deckhand/STACK:IMAGE_ID and destroys recognise it.
func LogGroupName(stack string) string { return "/deckhand/" + stack }
func ExecRoleName(stack string) string { return "deckhand-" + stack + "-exec" }
func ClusterName(stack string) string  { return "deckhand-" + stack }
func KeyPairName(stack string) string  { return "deckhand-" + stack }
func InstanceName(stack string) string { return "deckhand-" + stack }

// InstanceProfileName is the EC2 target's instance profile and the role it
// holds (one name for both).
func InstanceProfileName(stack string) string { return "deckhand-" + stack + "-ec2" }

// FargateGroupName and EC2GroupName are the stack's security groups: one
// per target, since they open different ports.
func FargateGroupName(stack string) string { return "deckhand-" + stack + "-fargate" }
func EC2GroupName(stack string) string     { return "deckhand-" + stack + "-ec2" }

// tags are the tags of everything a launch of stack creates.
func tags(stack string) cloud.Tags { return cloud.StackTags(stack, nil) }

// InputError is a launch option that cannot work, found while planning:
// nothing has been created. Field names the option as the CLI spells it
// ("cpu", "ssh-cidr").
type InputError struct {
	Field   string
	Value   string
	Problem string
}

// InputField is the flag the error is about ("ssh-cidr"), so a form can
// put it under its field.
func (e *InputError) InputField() string { return e.Field }

func (e *InputError) Error() string {
	if e.Value == "" || strings.Contains(e.Problem, strconv.Quote(e.Value)) {
		return e.Field + ": " + e.Problem
	}
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Problem)
}

func inputErr(field, value, format string, args ...any) error {
	return &InputError{Field: field, Value: value, Problem: fmt.Sprintf(format, args...)}
}

// fromAPI turns a validation *awsapi.Error of the deploy capabilities
// into an InputError for field.
func fromAPI(field, value string, err error) error {
	var ae *cloud.Error
	if errors.As(err, &ae) {
		// The capability names its own field ("CPU: …"); the option's
		// name replaces it.
		return &InputError{Field: field, Value: value, Problem: strings.TrimPrefix(ae.Message, ae.Field+": ")}
	}
	return &InputError{Field: field, Value: value, Problem: err.Error()}
}

func validatePort(field string, port int) error {
	if port < 0 || port > 65535 {
		return inputErr(field, strconv.Itoa(port), "is not a TCP port: use 1–65535, or leave it out for the port the image EXPOSEs")
	}
	return nil
}

// reImageRef is a loose check of an image reference: what docker accepts
// is more subtle, but this catches spaces, upper case repositories and
// empty parts before anything is created.
var reImageRef = regexp.MustCompile(`^([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$`)

func validateImageRef(field, ref string) error {
	if !reImageRef.MatchString(ref) {
		return inputErr(field, ref, "is not an image reference; write it like nginx:1.27, ghcr.io/owner/app:v1 or ACCOUNT.dkr.ecr.REGION.amazonaws.com/app:tag")
	}
	return nil
}

// healthCommand is the ECS container health check of deckhand's Flask app:
// python3 and urllib, as in the scaffold's Dockerfile (its slim base image
// has no curl). ECS ignores the image's own HEALTHCHECK.
func healthCommand(port int) []string {
	return []string{"CMD-SHELL", fmt.Sprintf(
		"python3 -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:%d/health', timeout=3)\" || exit 1", port)}
}

// checkHTTP asks url until it answers 2xx (with welcome in the body, when
// set) or timeout passes; a fresh service may need a few seconds until it
// answers from outside. It reports each new kind of failure as progress.
func checkHTTP(ctx context.Context, out *launch.Output, url, welcome string, timeout, every time.Duration) error {
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		status, body, err := launch.CheckAnswer(ctx, url, welcome)
		if err == nil {
			out.Result(fmt.Sprintf("%s answers HTTP %d %q", url, status, launch.Excerpt(body)))
			return nil
		}
		if msg := err.Error(); msg != last {
			out.Line(msg)
			last = msg
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().Add(every).After(deadline) {
			return fmt.Errorf("no good answer within %v: %w", timeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// awsTags renders tags for the aws CLI's --tags of ECS, ECR and IAM.
func cliTags(stack, style string) string {
	switch style {
	case "ecs":
		return "key=" + launch.TagStack + ",value=" + stack
	case "logs":
		return launch.TagStack + "=" + stack
	case "ec2":
		return "Tags=[{Key=" + launch.TagStack + ",Value=" + stack + "}]"
	}
	return "Key=" + launch.TagStack + ",Value=" + stack
}

// retryable runs fn until it succeeds, fails with an error retry does not
// accept, or d passes, waiting every between tries; it reports the first
// retry on out.
func retryable(ctx context.Context, out *launch.Output, d, every time.Duration, retry func(error) bool, what string, fn func() error) error {
	deadline := time.Now().Add(d)
	said := false
	for {
		err := fn()
		if err == nil || !retry(err) || time.Now().Add(every).After(deadline) {
			return err
		}
		if !said {
			out.Linef("%s: %v; retrying for up to %v", what, err, d)
			said = true
		}
		if err := sleep(ctx, every); err != nil {
			return err
		}
	}
}

// hasCode reports whether err is an *awsapi.Error with one of codes, or
// mentions one of them.
func hasCode(err error, codes ...string) bool {
	var ae *cloud.Error
	for _, c := range codes {
		if errors.As(err, &ae) && ae.Code == c {
			return true
		}
		if err != nil && strings.Contains(err.Error(), c) {
			return true
		}
	}
	return false
}
