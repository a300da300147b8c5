package aws

import (
	"context"
	"time"

	"deckhand/internal/launch"
)

// sandboxPublishWait bounds how long a URL step waits for the sandbox to
// publish an app's port. The sandbox answers every call at once and starts
// containers in the background (aws/sandbox/worker.go), so a task or an
// instance can show running a moment before its container's port, or a
// load balancer's proxy, is known.
const sandboxPublishWait = 20 * time.Second

// untilPublished calls find every poll until it returns an address, says
// to stop (done: nothing will be published, e.g. the container failed), or
// sandboxPublishWait has passed; it returns the last answer. Off the
// sandbox, find is called once: AWS publishes nothing on this machine.
func untilPublished(ctx context.Context, sandbox bool, poll time.Duration, out *launch.Output, what string,
	find func() (addr string, done bool, err error)) (string, error) {
	deadline, step := time.Now().Add(sandboxPublishWait), min(poll, time.Second)
	for said := false; ; {
		addr, done, err := find()
		if err != nil || addr != "" || done || !sandbox || time.Now().Add(step).After(deadline) {
			return addr, err
		}
		if !said {
			out.Linef("waiting for the sandbox's engine to publish %s (at most %v)", what, sandboxPublishWait)
			said = true
		}
		if err := sleep(ctx, step); err != nil {
			return "", err
		}
	}
}
