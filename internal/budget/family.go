// Package budget is deckhand's client-side API budget: one token bucket per
// AWS API family, shared by the watchers, the pages and the actions, so
// that deckhand stays far below the account-wide quotas AWS enforces per
// account and region (which the user's console, CI and Terraform share).
// Calls wait by priority (on screen, then transitions, then the sweep); a
// throttling answer halves the family's rate, which then recovers slowly
// (AIMD). It knows nothing of the SDK: the adapter maps each call to a
// family (FamilyOf) and reports throttling (Observe).
package budget

import (
	"context"
	"strings"
)

// Family is a group of AWS operations that share one AWS throttling bucket
// closely enough to share one of ours.
type Family string

// The families. AWS buckets ECS reads per resource type and EC2 describes
// together; writes have buckets of their own, far smaller.
const (
	EC2Read    Family = "ec2"
	EC2Write   Family = "ec2-write"
	ECSCluster Family = "ecs-cluster"
	ECSService Family = "ecs-service"
	ECSTask    Family = "ecs-task"
	ECSWrite   Family = "ecs-write"
	Logs       Family = "logs"
	OtherRead  Family = "other"
	OtherWrite Family = "other-write"
)

// FamilyOf maps an SDK service ID ("EC2", "ECS", "CloudWatch Logs", …) and
// operation name to its family.
func FamilyOf(service, op string) Family {
	read := isRead(op)
	switch service {
	case "EC2":
		if read {
			return EC2Read
		}
		return EC2Write
	case "ECS":
		if !read {
			return ECSWrite
		}
		switch {
		case strings.Contains(op, "Service"):
			return ECSService
		case strings.Contains(op, "Task"): // tasks and task definitions
			return ECSTask
		}
		return ECSCluster // clusters, container instances, the rest
	case "CloudWatch Logs":
		return Logs
	}
	if read {
		return OtherRead
	}
	return OtherWrite
}

func isRead(op string) bool {
	for _, p := range []string{"Describe", "List", "Get", "Filter", "BatchGet", "Search", "Lookup"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// Priority orders the calls waiting for one family's tokens.
type Priority int

const (
	// OnScreen is what the user looks at or asked for (a page, an action):
	// the default, so that a call nobody classified is never starved.
	OnScreen Priority = iota
	// Transition is a resource in transition that is not on screen.
	Transition
	// Sweep is the periodic full read that finds new and vanished rows.
	// Besides waiting behind the others it has a share of the rate only
	// (SweepShare), so a big account's sweep cannot eat the whole budget.
	Sweep
	// Reread is the sweep's round-robin re-read of steady resources
	// (internal/cloud/sweep_ecs.go): the same share as the sweep, behind
	// it, filling what the sweep leaves of its share. Its waits are that
	// filling, not the budget holding the sweep back (SweepHeld).
	Reread
	nPriorities
)

func (p Priority) String() string {
	switch p {
	case OnScreen:
		return "on-screen"
	case Transition:
		return "transition"
	case Sweep:
		return "sweep"
	case Reread:
		return "re-read"
	}
	return "?"
}

type prioKey struct{}

// WithPriority marks the calls made with ctx.
func WithPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, prioKey{}, p)
}

// PriorityOf is ctx's priority, OnScreen when none was set.
func PriorityOf(ctx context.Context) Priority {
	if p, ok := ctx.Value(prioKey{}).(Priority); ok && p >= 0 && p < nPriorities {
		return p
	}
	return OnScreen
}
