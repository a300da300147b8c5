package sandbox

import (
	"slices"

	"deckhand/internal/resource"
)

// resource is the service as DescribeServices shows it: its counts, its
// deployments with theirs (counted from its tasks), and its events.
func (s *service) resource(c *cluster) resource.Service {
	p := s.Deployments[0]
	out := resource.Service{
		ARN: s.ARN, Name: s.Name, ClusterARN: c.ARN, Status: s.Status, Desired: s.Desired,
		LaunchType: s.LaunchType, TaskDefinition: p.TaskDef, Rollout: p.Rollout, RolloutReason: p.RolloutReason,
		Deployments: len(s.Deployments), CreatedAt: s.Created,
	}
	if s.LoadBalancer != nil {
		out.TargetGroups = []string{s.LoadBalancer.TargetGroup}
		out.LBContainer, out.LBPort = s.LoadBalancer.Container, s.LoadBalancer.Port
	}
	out.Subnets, out.SecurityGroups, out.PublicIP = slices.Clone(s.Subnets), slices.Clone(s.SecurityGroups), s.PublicIP
	// The sandbox's breaker always rolls back, and it rolls with ECS's
	// default percentages (services.go), which it does not store.
	out.Config = resource.DeploymentConfig{CircuitBreaker: s.CircuitBreaker, Rollback: s.CircuitBreaker, MinHealthy: 100, MaxPercent: 200}
	counts := map[string]*resource.Deployment{}
	for _, d := range s.Deployments {
		out.Rollouts = append(out.Rollouts, resource.Deployment{ID: d.ID, Status: d.Status, TaskDefinition: d.TaskDef,
			Failed: int32(d.Failed), Rollout: d.Rollout, RolloutReason: d.RolloutReason, CreatedAt: d.Created, UpdatedAt: d.Updated})
	}
	for i := range out.Rollouts {
		counts[out.Rollouts[i].ID] = &out.Rollouts[i]
	}
	if len(out.Rollouts) > 0 {
		out.Rollouts[0].Desired = s.Desired // the PRIMARY deployment's goal
	}
	for _, t := range s.unstopped(c) {
		d := counts[t.Deployment]
		switch {
		case t.LastStatus == "RUNNING":
			out.Running++
			if d != nil {
				d.Running++
			}
		case t.pending():
			out.Pending++
			if d != nil {
				d.Pending++
			}
		}
	}
	for i := 1; i < len(out.Rollouts); i++ {
		d := &out.Rollouts[i]
		d.Desired = d.Running + d.Pending // an older deployment drains to 0
	}
	for _, e := range s.Events {
		out.Events = append(out.Events, resource.ServiceEvent{At: e.At, Message: e.Message})
	}
	if len(s.Events) > 0 {
		out.LastEvent = resource.ServiceEvent{At: s.Events[0].At, Message: s.Events[0].Message}
	}
	return out
}
