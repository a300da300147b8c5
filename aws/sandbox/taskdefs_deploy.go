package sandbox

import (
	"context"
	"strings"

	"deckhand/internal/cloud"
)

// Task definition revisions can be deregistered (aws.TaskDefinitions): an
// INACTIVE revision keeps its running tasks and services, but no new task
// or service may use it, and a bare family means its latest ACTIVE
// revision.

// DeregisterTaskDefinition makes a revision INACTIVE.
func (a *Account) DeregisterTaskDefinition(ctx context.Context, ref string) error {
	return a.updateCall(ctx, apiCall{"ecs", "DeregisterTaskDefinition"}, func(w *world, r *region) error {
		const op = "DeregisterTaskDefinition"
		if err := cloud.ValidateDeregister(ref); err != nil {
			return err
		}
		td := r.taskDef(ref) // validation made it family:revision or an ARN
		if td == nil {
			return errTaskDefNotFound(op)
		}
		td.Inactive = true
		return nil
	})
}

// activeTaskDef resolves a task definition a new task, service or
// deployment is to use: a bare family is its latest ACTIVE revision, and an
// INACTIVE revision is refused as ECS refuses it.
func (r *region) activeTaskDef(op, ref string) (*taskDef, error) {
	td := r.taskDef(ref)
	if td != nil && td.Inactive && !strings.Contains(ref, ":") {
		td = nil // a bare family: its latest active revision, if any
		for _, x := range r.TaskDefs {
			if x.Family == ref && !x.Inactive && (td == nil || x.Revision > td.Revision) {
				td = x
			}
		}
	}
	switch {
	case td == nil:
		return nil, errTaskDefNotFound(op)
	case td.Inactive:
		return nil, ecsError(op, "ClientException", "TaskDefinition is inactive")
	}
	return td, nil
}
