package sandbox

import (
	"context"

	"deckhand/internal/cloud"
)

// The lists alone (cloud.ARNLister), as ListServices and ListTasks answer
// them: one call each, throttled like them.
var _ cloud.ARNLister = (*Account)(nil)

// ServiceARNs lists a cluster's ACTIVE services: ECS stops listing a
// service once it is deleted, while it drains (Services, which stands for
// the whole read the adapter does, still shows a DRAINING one, as the
// DescribeServices of a known ARN does).
func (a *Account) ServiceARNs(ctx context.Context, clusterARN string) ([]string, error) {
	var out []string
	err := a.viewCall(ctx, apiCall{"ecs", "ListServices"}, func(w *world, r *region) error {
		c := r.cluster(clusterARN)
		if c == nil {
			return errClusterNotFound("ListServices")
		}
		for _, s := range c.Services {
			if s.Status == "ACTIVE" {
				out = append(out, s.ARN)
			}
		}
		return nil
	})
	return out, err
}

// TaskARNs lists a cluster's tasks by desired status (ListTasks with
// desiredStatus RUNNING, then STOPPED; the stopped ones of the last hour).
func (a *Account) TaskARNs(ctx context.Context, clusterARN string) (running, stopped []string, err error) {
	err = a.viewCall(ctx, apiCall{"ecs", "ListTasks"}, func(w *world, r *region) error {
		c := r.cluster(clusterARN)
		if c == nil {
			return errClusterNotFound("ListTasks")
		}
		for _, t := range c.Tasks {
			if t.DesiredStatus == "STOPPED" {
				stopped = append(stopped, t.ARN)
			} else {
				running = append(running, t.ARN)
			}
		}
		for _, t := range c.Stopped {
			stopped = append(stopped, t.ARN)
		}
		return nil
	})
	return running, stopped, err
}
