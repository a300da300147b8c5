package sandbox

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// Force new deployment and a new revision with another image
// (cloud.ServiceDeployer), as ECS does them.

// ForceNewDeployment starts a new PRIMARY deployment of the task
// definition the service runs: the scheduler (services.go) starts new
// tasks and stops the old deployment's as the new ones become ready, the
// same rolling replacement as for a new revision.
func (a *Account) ForceNewDeployment(ctx context.Context, clusterRef, serviceRef string) (resource.Service, error) {
	var out resource.Service
	err := a.updateCall(ctx, apiCall{"ecs", "UpdateService"}, func(w *world, r *region) error {
		const op = "UpdateService"
		if err := cloud.ValidateServiceRef(op, clusterRef, serviceRef); err != nil {
			return err
		}
		c, s, err := lookupService(op, r, clusterRef, serviceRef)
		if err != nil {
			return err
		}
		// ECS deploys the revision the primary deployment runs, even when
		// it has since been deregistered (running services keep theirs).
		td := s.Deployments[0].TaskDef
		s.Failures, s.Due, s.Unplaced = 0, time.Time{}, false
		for _, d := range s.Deployments {
			d.Status = "ACTIVE"
		}
		s.Deployments = append([]*deployment{w.newDeployment(td)}, s.Deployments...)
		s.Steady = false
		w.reconcile(r, c, s)
		out = s.resource(c)
		return nil
	})
	return out, err
}

// RegisterImageRevision registers the next revision of taskDef's family,
// a copy of it whose container runs image.
func (a *Account) RegisterImageRevision(ctx context.Context, taskDefRef, container, image string) (string, error) {
	var arn string
	// One call as the SDK adapter makes two (describe, register): the
	// copy happens inside the account.
	err := a.updateCall(ctx, apiCall{"ecs", "RegisterTaskDefinition"}, func(w *world, r *region) error {
		const op = "RegisterTaskDefinition"
		if err := cloud.ValidateImageRevision(taskDefRef, container, image); err != nil {
			return err
		}
		src := r.taskDef(taskDefRef)
		if src == nil {
			return errTaskDefNotFound("DescribeTaskDefinition")
		}
		td := *src
		td.Containers = make([]containerDef, len(src.Containers))
		found := false
		for i, c := range src.Containers {
			c.Env, c.HealthCheck = maps.Clone(c.Env), slices.Clone(c.HealthCheck)
			if c.Name == container {
				c.Image, found = image, true
			}
			td.Containers[i] = c
		}
		if !found {
			return ecsError(op, "ClientException", "Container %s is not in %s:%d.", container, src.Family, src.Revision)
		}
		td.Tags, td.Registered, td.Inactive = maps.Clone(src.Tags), w.now, false
		for _, x := range r.TaskDefs {
			if x.Family == td.Family {
				td.Revision = max(td.Revision, x.Revision)
			}
		}
		td.Revision++
		td.ARN = w.arn(r, "task-definition/"+td.Family+":"+strconv.Itoa(td.Revision))
		r.TaskDefs = append(r.TaskDefs, &td)
		arn = td.ARN
		return nil
	})
	return arn, err
}
