package sandbox

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

func (w *world) arn(r *region, resource string) string {
	return "arn:aws:ecs:" + r.Name + ":" + w.Account + ":" + resource
}

// cluster finds a cluster by name or ARN; "" is the default cluster, as in
// the ECS API.
func (r *region) cluster(ref string) *cluster {
	if ref == "" {
		ref = "default"
	}
	return find(r.Clusters, func(c *cluster) bool { return c.Name == ref || c.ARN == ref })
}

func (c *cluster) service(ref string) *service {
	return find(c.Services, func(s *service) bool { return s.Name == ref || s.ARN == ref })
}

func (c *cluster) task(ref string) *task {
	match := func(t *task) bool { return t.ID == ref || t.ARN == ref }
	if t := find(c.Tasks, match); t != nil {
		return t
	}
	return find(c.Stopped, match)
}

// taskDef finds "family", "family:revision" or an ARN; a bare family is its
// latest revision.
func (r *region) taskDef(ref string) *taskDef {
	if i := strings.Index(ref, ":task-definition/"); strings.HasPrefix(ref, "arn:") && i >= 0 {
		ref = ref[i+len(":task-definition/"):]
	}
	var best *taskDef
	for _, td := range r.TaskDefs {
		if td.Family+":"+strconv.Itoa(td.Revision) == ref {
			return td
		}
		if td.Family == ref && (best == nil || td.Revision > best.Revision) {
			best = td
		}
	}
	return best
}

func errClusterNotFound(op string) error {
	return ecsError(op, "ClusterNotFoundException", "Cluster not found.")
}

func errTaskDefNotFound(op string) error {
	return ecsError(op, "ClientException", "Unable to describe task definition.")
}

// Clusters lists the region's clusters, sorted by name.
func (a *Account) Clusters(ctx context.Context) ([]resource.Cluster, error) {
	var out []resource.Cluster
	err := a.viewCall(ctx, apiCall{"ecs", "DescribeClusters"}, func(w *world, r *region) error {
		for _, c := range r.Clusters {
			out = append(out, c.resource())
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

func (c *cluster) resource() resource.Cluster {
	out := resource.Cluster{ARN: c.ARN, Name: c.Name, Status: "ACTIVE"}
	for _, s := range c.Services {
		if s.Status == "ACTIVE" {
			out.ActiveServices++
		}
	}
	for _, t := range c.Tasks {
		switch {
		case t.LastStatus == "RUNNING":
			out.RunningTasks++
		case t.pending():
			out.PendingTasks++
		}
	}
	return out
}

// Services lists a cluster's ACTIVE and DRAINING services, sorted by name.
func (a *Account) Services(ctx context.Context, clusterARN string) ([]resource.Service, error) {
	var out []resource.Service
	err := a.viewCall(ctx, apiCall{"ecs", "DescribeServices"}, func(w *world, r *region) error {
		c := r.cluster(clusterARN)
		if c == nil {
			return errClusterNotFound("ListServices")
		}
		for _, s := range c.Services {
			out = append(out, s.resource(c))
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// Tasks lists a cluster's tasks, the stopped ones of the last hour
// included, sorted by creation time.
func (a *Account) Tasks(ctx context.Context, clusterARN string) ([]resource.Task, error) {
	var out []resource.Task
	err := a.viewCall(ctx, apiCall{"ecs", "DescribeTasks"}, func(w *world, r *region) error {
		c := r.cluster(clusterARN)
		if c == nil {
			return errClusterNotFound("ListTasks")
		}
		for _, t := range slices.Concat(c.Tasks, c.Stopped) {
			out = append(out, t.resource(c))
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ARN < out[j].ARN
	})
	return out, err
}

// CreateCluster creates a cluster, or returns the existing one of that name
// (CreateCluster is idempotent in ECS).
func (a *Account) CreateCluster(ctx context.Context, name string, tags map[string]string) (resource.Cluster, error) {
	var out resource.Cluster
	err := a.updateCall(ctx, apiCall{"ecs", "CreateCluster"}, func(w *world, r *region) error {
		c, err := w.createCluster(r, name, tags)
		if err == nil {
			out = c.resource()
		}
		return err
	})
	return out, err
}

func (w *world) createCluster(r *region, name string, tags map[string]string) (*cluster, error) {
	if err := cloud.ValidateCreateCluster(name, tags); err != nil {
		return nil, err
	}
	c := r.cluster(name)
	if c == nil {
		c = &cluster{Name: name, ARN: w.arn(r, "cluster/"+name), Tags: maps.Clone(tags), Created: w.now}
		r.Clusters = append(r.Clusters, c)
		w.adopt(r, nil, c)
	}
	return c, nil
}

// DeleteCluster deletes a cluster that has no services and no tasks left
// but stopped ones.
func (a *Account) DeleteCluster(ctx context.Context, ref string) error {
	return a.updateCall(ctx, apiCall{"ecs", "DeleteCluster"}, func(w *world, r *region) error {
		const op = "DeleteCluster"
		if err := cloud.ValidateClusterRef(op, ref); err != nil {
			return err
		}
		c := r.cluster(ref)
		switch {
		case c == nil:
			return errClusterNotFound(op)
		case len(c.Services) > 0:
			return ecsError(op, "ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.")
		case len(c.Tasks) > 0:
			return ecsError(op, "ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.")
		}
		r.Clusters = slices.DeleteFunc(r.Clusters, func(x *cluster) bool { return x == c })
		return nil
	})
}

// RunTask starts standalone tasks.
func (a *Account) RunTask(ctx context.Context, spec cloud.RunTaskSpec) ([]resource.Task, error) {
	var out []resource.Task
	err := a.updateCall(ctx, apiCall{"ecs", "RunTask"}, func(w *world, r *region) error {
		c, ts, err := w.runTask(r, spec)
		for _, t := range ts {
			out = append(out, t.resource(c))
		}
		return err
	})
	return out, err
}

func (w *world) runTask(r *region, spec cloud.RunTaskSpec) (*cluster, []*task, error) {
	const op = "RunTask"
	if err := cloud.ValidateRunTaskSpec(spec); err != nil {
		return nil, nil, err
	}
	c := r.cluster(spec.Cluster)
	if c == nil {
		return nil, nil, errClusterNotFound(op)
	}
	td, err := r.activeTaskDef(op, spec.TaskDefinition)
	if err != nil {
		return nil, nil, err
	}
	lt, err := checkPlacement(op, r, td, spec.LaunchType, spec.Subnets, spec.SecurityGroups)
	if err != nil {
		return nil, nil, err
	}
	if lt != "FARGATE" {
		// The sandbox has no container instances (nor external ones).
		return nil, nil, ecsError(op, "InvalidParameterException", "No Container Instances were found in your cluster.")
	}
	group := spec.Group
	if group == "" {
		group = "family:" + td.Family
	}
	var out []*task
	for range spec.Count {
		t := w.startTask(r, c, td, lt, group, "")
		t.Net = newTaskNet(td, spec.Subnets, spec.SecurityGroups, spec.PublicIP) // network.go
		out = append(out, t)
	}
	return c, out, nil
}

// checkPlacement resolves the launch type (EC2 when none is given and the
// cluster has no capacity provider strategy, as in ECS) and checks the
// network configuration an awsvpc task needs.
func checkPlacement(op string, r *region, td *taskDef, launchType string, subnets, groups []string) (string, error) {
	if launchType == "" {
		launchType = "EC2"
	}
	if launchType == "FARGATE" && !td.Fargate {
		return "", ecsError(op, "InvalidParameterException", "Task definition does not support launch_type FARGATE.")
	}
	if td.NetworkMode == "awsvpc" && len(subnets) == 0 {
		return "", ecsError(op, "InvalidParameterException", "Network Configuration must be provided when networkMode 'awsvpc' is specified.")
	}
	var vpcID string
	for _, id := range subnets {
		sn := r.subnet(id)
		if sn == nil {
			return "", ecsError(op, "InvalidParameterException", "Error retrieving subnet information for [%s]: The subnet ID '%s' does not exist (ErrorCode: InvalidSubnetID.NotFound)", id, id)
		}
		if vpcID != "" && sn.VpcID != vpcID {
			return "", ecsError(op, "InvalidParameterException", "Subnets must all be in the same VPC.")
		}
		vpcID = sn.VpcID
	}
	for _, id := range groups {
		if r.securityGroup(id) == nil {
			return "", ecsError(op, "InvalidParameterException", "Error retrieving security group information for [%s]: The security group '%s' does not exist (ErrorCode: InvalidGroup.NotFound)", id, id)
		}
	}
	return launchType, nil
}

// StopTask asks a task to stop; stopping a stopped task is a no-op.
func (a *Account) StopTask(ctx context.Context, clusterRef, taskRef, reason string) error {
	return a.updateCall(ctx, apiCall{"ecs", "StopTask"}, func(w *world, r *region) error {
		if err := cloud.ValidateStopTask(clusterRef, taskRef, reason); err != nil {
			return err
		}
		c := r.cluster(clusterRef)
		if c == nil {
			return errClusterNotFound("StopTask")
		}
		t := c.task(taskRef)
		if t == nil {
			return ecsError("StopTask", "InvalidParameterException", "The referenced task was not found.")
		}
		if reason == "" {
			reason = "Task stopped by user"
		}
		if w.stopTask(t, "UserInitiated", reason) {
			w.taskChanged(r, c, t, taskMoved)
		}
		return nil
	})
}
