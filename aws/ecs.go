package aws

import (
	"context"
	"slices"
	"sort"
	"sync"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"deckhand/internal/resource"
)

// The largest batches ECS accepts per call (AWS rejects more).
const (
	listPageSize          = 100 // ListClusters/ListServices/ListTasks maxResults
	describeClustersBatch = 100
	describeServicesBatch = 10
	describeTasksBatch    = 100
)

// Clusters lists every ECS cluster of the region, sorted by name.
func (c *Client) Clusters(ctx context.Context) ([]resource.Cluster, error) {
	var arns []string
	p := ecs.NewListClustersPaginator(c.ecs, &ecs.ListClustersInput{MaxResults: sdkaws.Int32(listPageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("ecs", "ListClusters", err)
		}
		arns = append(arns, page.ClusterArns...)
	}
	out, err := inBatches(ctx, dedupe(arns), describeClustersBatch, func(ctx context.Context, batch []string) ([]resource.Cluster, error) {
		res, err := c.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: batch})
		if err != nil {
			return nil, wrap("ecs", "DescribeClusters", err)
		}
		// Failures (a cluster deleted since the list) are dropped: it is
		// gone, which the next snapshot reports as a removal anyway.
		cs := make([]resource.Cluster, 0, len(res.Clusters))
		for _, x := range res.Clusters {
			cs = append(cs, toCluster(x))
		}
		return cs, nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ARN < out[j].ARN
	})
	return out, nil
}

func toCluster(x types.Cluster) resource.Cluster {
	return resource.Cluster{
		ARN:                sdkaws.ToString(x.ClusterArn),
		Name:               sdkaws.ToString(x.ClusterName),
		Status:             sdkaws.ToString(x.Status),
		ActiveServices:     x.ActiveServicesCount,
		RunningTasks:       x.RunningTasksCount,
		PendingTasks:       x.PendingTasksCount,
		ContainerInstances: x.RegisteredContainerInstancesCount,
	}
}

// Services lists every service of a cluster, sorted by name. DescribeServices
// takes at most 10 services per call, so a cluster of 2,000 services costs
// 20 list pages and 200 describe calls, run a few at a time.
func (c *Client) Services(ctx context.Context, clusterARN string) ([]resource.Service, error) {
	return c.ServicesEach(ctx, clusterARN, nil)
}

// ServicesEach is Services delivered as it arrives: each ListServices page
// is described as soon as it is listed (DescribeServices batches of 10, at
// most 8 in flight), and batch, if not nil, gets each batch's services as
// its call returns, one call at a time. A cluster of 2,000 services is 200
// batches: the first screen need not wait for the other 199.
//
// With batch, the first screen is also put first: the first ListServices
// page asks for one describe batch only (maxResults 10; the later pages
// 100, so a big cluster costs one list call more), and the first batch of
// the first page is described alone before the rest of that page (moto
// ignores maxResults and lists the whole cluster at once): eight describes
// at once answer later each, the first of them included.
func (c *Client) ServicesEach(ctx context.Context, clusterARN string, batch func([]resource.Service)) ([]resource.Service, error) {
	var out []resource.Service
	var mu sync.Mutex // batch is called from the describe goroutines
	seen := map[string]bool{}
	describe := func(ctx context.Context, ids []string) ([]resource.Service, error) {
		res, err := c.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{
			Cluster:  sdkaws.String(clusterARN),
			Services: ids,
		})
		if err != nil {
			return nil, wrap("ecs", "DescribeServices", err)
		}
		ss := make([]resource.Service, 0, len(res.Services))
		for _, s := range res.Services {
			ss = append(ss, toService(s, clusterARN))
		}
		if batch != nil && len(ss) > 0 {
			mu.Lock()
			batch(ss)
			mu.Unlock()
		}
		return ss, nil
	}
	in := &ecs.ListServicesInput{Cluster: sdkaws.String(clusterARN), MaxResults: sdkaws.Int32(listPageSize)}
	if batch != nil {
		in.MaxResults = sdkaws.Int32(describeServicesBatch)
	}
	for first := true; ; first = false {
		res, err := c.ecs.ListServices(ctx, in)
		if err != nil {
			return nil, wrap("ecs", "ListServices", err)
		}
		var arns []string
		for _, a := range res.ServiceArns {
			if !seen[a] { // a service created between pages may be listed twice
				seen[a] = true
				arns = append(arns, a)
			}
		}
		if first && batch != nil && len(arns) > describeServicesBatch {
			got, err := describe(ctx, arns[:describeServicesBatch])
			if err != nil {
				return nil, err
			}
			out = append(out, got...)
			arns = arns[describeServicesBatch:]
		}
		got, err := inBatches(ctx, arns, describeServicesBatch, describe)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
		// The paginator's rule: no token, or the same token again, ends it.
		next := sdkaws.ToString(res.NextToken)
		if next == "" || next == sdkaws.ToString(in.NextToken) {
			break
		}
		in.NextToken, in.MaxResults = res.NextToken, sdkaws.Int32(listPageSize)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ARN < out[j].ARN
	})
	return out, nil
}

func toService(s types.Service, clusterARN string) resource.Service {
	out := resource.Service{
		ARN:            sdkaws.ToString(s.ServiceArn),
		Name:           sdkaws.ToString(s.ServiceName),
		ClusterARN:     sdkaws.ToString(s.ClusterArn),
		Status:         sdkaws.ToString(s.Status),
		Desired:        s.DesiredCount,
		Running:        s.RunningCount,
		Pending:        s.PendingCount,
		LaunchType:     string(s.LaunchType),
		TaskDefinition: sdkaws.ToString(s.TaskDefinition),
		Deployments:    len(s.Deployments),
		CreatedAt:      sdkaws.ToTime(s.CreatedAt),
	}
	if out.ClusterARN == "" {
		out.ClusterARN = clusterARN
	}
	for _, lb := range s.LoadBalancers {
		if arn := sdkaws.ToString(lb.TargetGroupArn); arn != "" { // classic load balancers have a name instead
			out.TargetGroups = append(out.TargetGroups, arn)
			if out.LBContainer == "" {
				out.LBContainer, out.LBPort = sdkaws.ToString(lb.ContainerName), sdkaws.ToInt32(lb.ContainerPort)
			}
		}
	}
	if dc := s.DeploymentConfiguration; dc != nil {
		out.Config.MinHealthy, out.Config.MaxPercent = sdkaws.ToInt32(dc.MinimumHealthyPercent), sdkaws.ToInt32(dc.MaximumPercent)
		if cb := dc.DeploymentCircuitBreaker; cb != nil {
			out.Config.CircuitBreaker, out.Config.Rollback = cb.Enable, cb.Rollback
		}
	}
	if nc := s.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
		out.Subnets, out.SecurityGroups = nc.AwsvpcConfiguration.Subnets, nc.AwsvpcConfiguration.SecurityGroups
		out.PublicIP = nc.AwsvpcConfiguration.AssignPublicIp == types.AssignPublicIpEnabled
	}
	for _, d := range s.Deployments {
		out.Rollouts = append(out.Rollouts, resource.Deployment{ID: sdkaws.ToString(d.Id), Status: sdkaws.ToString(d.Status),
			TaskDefinition: sdkaws.ToString(d.TaskDefinition), Desired: d.DesiredCount, Running: d.RunningCount,
			Pending: d.PendingCount, Failed: d.FailedTasks, Rollout: string(d.RolloutState),
			RolloutReason: sdkaws.ToString(d.RolloutStateReason), CreatedAt: sdkaws.ToTime(d.CreatedAt), UpdatedAt: sdkaws.ToTime(d.UpdatedAt)})
	}
	for _, d := range s.Deployments {
		if sdkaws.ToString(d.Status) == "PRIMARY" {
			out.Rollout = string(d.RolloutState)
			out.RolloutReason = sdkaws.ToString(d.RolloutStateReason)
			break
		}
	}
	// ECS lists events newest first, but nothing promises it: sort them,
	// and pick the newest as the last event.
	for _, e := range s.Events {
		at := sdkaws.ToTime(e.CreatedAt)
		out.Events = append(out.Events, resource.ServiceEvent{At: at, Message: sdkaws.ToString(e.Message)})
		if out.LastEvent.Message == "" || at.After(out.LastEvent.At) {
			out.LastEvent = resource.ServiceEvent{At: at, Message: sdkaws.ToString(e.Message)}
		}
	}
	slices.SortStableFunc(out.Events, func(a, b resource.ServiceEvent) int { return b.At.Compare(a.At) })
	return out
}

// Tasks lists the running and the recently stopped tasks of a cluster (ECS
// keeps stopped tasks visible for about an hour), sorted by creation time.
func (c *Client) Tasks(ctx context.Context, clusterARN string) ([]resource.Task, error) {
	var arns []string
	// A task that is asked to stop between the two lists appears in both;
	// dedupe below keeps it once.
	for _, status := range []types.DesiredStatus{types.DesiredStatusRunning, types.DesiredStatusStopped} {
		p := ecs.NewListTasksPaginator(c.ecs, &ecs.ListTasksInput{
			Cluster:       sdkaws.String(clusterARN),
			DesiredStatus: status,
			MaxResults:    sdkaws.Int32(listPageSize),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, wrap("ecs", "ListTasks", err)
			}
			arns = append(arns, page.TaskArns...)
		}
	}
	out, err := inBatches(ctx, dedupe(arns), describeTasksBatch, func(ctx context.Context, batch []string) ([]resource.Task, error) {
		res, err := c.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{
			Cluster: sdkaws.String(clusterARN),
			Tasks:   batch,
		})
		if err != nil {
			return nil, wrap("ecs", "DescribeTasks", err)
		}
		ts := make([]resource.Task, 0, len(res.Tasks))
		for _, t := range res.Tasks {
			ts = append(ts, toTask(t, clusterARN))
		}
		return ts, nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ARN < out[j].ARN
	})
	return out, nil
}

func toTask(t types.Task, clusterARN string) resource.Task {
	out := resource.Task{
		ARN:            sdkaws.ToString(t.TaskArn),
		ClusterARN:     sdkaws.ToString(t.ClusterArn),
		Group:          sdkaws.ToString(t.Group),
		TaskDefinition: sdkaws.ToString(t.TaskDefinitionArn),
		LastStatus:     sdkaws.ToString(t.LastStatus),
		DesiredStatus:  sdkaws.ToString(t.DesiredStatus),
		Health:         string(t.HealthStatus),
		LaunchType:     string(t.LaunchType),
		CreatedAt:      sdkaws.ToTime(t.CreatedAt),
		StartedAt:      sdkaws.ToTime(t.StartedAt),
		StoppingAt:     sdkaws.ToTime(t.StoppingAt),
		StoppedAt:      sdkaws.ToTime(t.StoppedAt),
		StopCode:       string(t.StopCode),
		StoppedReason:  sdkaws.ToString(t.StoppedReason),
	}
	out.ID = lastSegment(out.ARN)
	if out.ClusterARN == "" {
		out.ClusterARN = clusterARN
	}
	if len(t.Containers) > 0 {
		out.Containers = make([]resource.Container, 0, len(t.Containers))
	}
	for _, ct := range t.Containers {
		var exit *int32
		if ct.ExitCode != nil {
			v := *ct.ExitCode // copy: the resource must not alias SDK memory
			exit = &v
		}
		out.Containers = append(out.Containers, resource.Container{
			TaskARN:    out.ARN,
			Name:       sdkaws.ToString(ct.Name),
			Image:      sdkaws.ToString(ct.Image),
			LastStatus: sdkaws.ToString(ct.LastStatus),
			RuntimeID:  sdkaws.ToString(ct.RuntimeId),
			ExitCode:   exit,
			Health:     string(ct.HealthStatus),
			Reason:     sdkaws.ToString(ct.Reason),

			NetworkBindings: toBindings(ct.NetworkBindings),
		})
	}
	return out
}

// toBindings copies a container's networkBindings (bridge and host mode).
func toBindings(bs []types.NetworkBinding) []resource.Binding {
	if len(bs) == 0 {
		return nil
	}
	out := make([]resource.Binding, 0, len(bs))
	for _, b := range bs {
		out = append(out, resource.Binding{
			HostIP:        sdkaws.ToString(b.BindIP),
			HostPort:      sdkaws.ToInt32(b.HostPort),
			ContainerPort: sdkaws.ToInt32(b.ContainerPort),
			Protocol:      string(b.Protocol),
		})
	}
	return out
}

// lastSegment is the part after the last "/": a task ARN's ID in both the
// old (task/ID) and the new (task/CLUSTER/ID) ARN formats.
func lastSegment(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}
