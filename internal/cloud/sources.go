package cloud

import (
	"context"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"deckhand/internal/resource"
)

// EC2Source is the watch.Source of EC2 instances.
type EC2Source struct {
	c Reader
	t ec2Targeted // targeted polling (targeted_ec2.go)
}

// NewEC2Source watches the instances of c's region.
func NewEC2Source(c Reader) *EC2Source {
	s := &EC2Source{c: c}
	s.t.r, _ = c.(TargetedReader)
	s.t.sweep = newSweeper[[]resource.Instance]()
	s.t.states = newSweeper[ec2Patch]()
	s.t.states.notify = s.t.sweep.notify // one Notify for the watcher
	return s
}

// Name is the watcher's name for this source.
func (s *EC2Source) Name() string { return "ec2" }

// Fetch takes one snapshot of every instance: with a TargetedReader, the
// instances in transition re-read by id and the background sweep merged
// (targeted_ec2.go); without, every instance.
func (s *EC2Source) Fetch(ctx context.Context) (resource.Set, error) {
	if s.t.r != nil {
		return s.targetedFetch(ctx, nil)
	}
	in, err := s.c.Instances(ctx)
	if err != nil {
		return resource.Set{}, err
	}
	return resource.Set{Kinds: []resource.Kind{resource.KindInstance}, Instances: in}, nil
}

// AutoClusters is how many clusters ECSSource expands (services and tasks)
// when no cluster is focused. Beyond it, an unfocused fetch lists clusters
// only: describing every service of dozens of clusters every few seconds
// would cost more API calls than a dashboard is worth.
const AutoClusters = 10

// clusterConcurrency bounds the per-cluster lists in flight; each of them
// runs up to describeConcurrency describe calls.
const clusterConcurrency = 3

// ECSSource is the watch.Source of ECS clusters and, for the clusters in
// scope, their services, tasks and task containers.
type ECSSource struct {
	c     Reader
	pages sync.Mutex // FetchProgress's per-cluster service pages
	mu    sync.Mutex
	focus string
	// few is true when the last fetch saw at most AutoClusters clusters,
	// so every cluster is expanded and a focus changes nothing.
	few bool
	t   ecsTargeted // targeted polling (targeted_ecs.go)
	// known is the last cluster list read (under mu): a focus scopes the
	// next read without listing them again first (sources_first.go).
	known []resource.Cluster
}

// NewECSSource watches the ECS clusters of c's region.
func NewECSSource(c Reader) *ECSSource {
	s := &ECSSource{c: c}
	s.t.init(c)
	return s
}

// Name is the watcher's name for this source.
func (s *ECSSource) Name() string { return "ecs" }

// Focus limits services and tasks to one cluster when there are too many
// to expand them all; "" returns to automatic scope. It reports whether the
// scope changes, in which case the caller resets the watcher so that the
// next snapshot is a new baseline. When every cluster is expanded anyway a
// focus changes nothing, and the watcher keeps its baseline, so that no
// transition is lost to a drill-down.
func (s *ECSSource) Focus(clusterARN string) (rescoped bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rescoped = s.focus != clusterARN && !s.few
	s.focus = clusterARN
	if rescoped {
		s.t.forget() // the next fetch is a full one, of the new scope
	}
	return rescoped
}

// Focused is the focused cluster's ARN, or "".
func (s *ECSSource) Focused() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.focus
}

// Fetch lists the clusters, then the services and tasks of the clusters in
// scope. When nothing is in scope (more than AutoClusters clusters and no
// focus) the set owns only KindCluster, so that a consumer does not read the
// empty service list as "every service is gone".
func (s *ECSSource) Fetch(ctx context.Context) (resource.Set, error) {
	return s.FetchProgress(ctx, nil)
}

// FetchProgress is Fetch that, when partial is not nil, also reports the
// snapshot so far (watch.Progressive) while a full read is in progress.
// With a TargetedReader, only the first fetch of a scope reads everything;
// later ones re-read what is in transition and merge the background sweep
// (targeted_ecs.go).
func (s *ECSSource) FetchProgress(ctx context.Context, partial func(resource.Set)) (resource.Set, error) {
	if s.t.r == nil {
		return s.fullFetch(ctx, partial)
	}
	return s.targetedFetch(ctx, partial)
}

// ServicePager is a Reader that can deliver a cluster's services as they
// arrive (the SDK adapter; see Client.ServicesEach).
type ServicePager interface {
	ServicesEach(ctx context.Context, clusterARN string, batch func([]resource.Service)) ([]resource.Service, error)
}

// fullFetch reads everything in scope; when partial is not nil it also
// reports the snapshot so far: the clusters, then the services as each
// describe batch of each cluster arrives. Tasks come with the whole snapshot.
// A first read of a new scope whose clusters are already known (a focus)
// does not list them first (rescopedFetch, sources_first.go).
func (s *ECSSource) fullFetch(ctx context.Context, partial func(resource.Set)) (resource.Set, error) {
	if partial != nil {
		if known, focus, scope := s.knownScope(); len(scope) > 0 {
			return s.rescopedFetch(ctx, known, focus, scope, partial)
		}
	}
	clusters, err := s.c.Clusters(ctx)
	if err != nil {
		return resource.Set{}, err
	}
	s.remember(clusters)
	var first chan struct{}
	if partial != nil && s.Progressive() {
		first = make(chan struct{})
	}
	return s.expand(ctx, clusters, s.scope(clusters), partial, first)
}

// expand reads the services and tasks of the clusters in scope (nil: none,
// the set owns the clusters only). With partial, the services are reported
// as they arrive and first, if not nil, is closed once the first of them
// were reported (or a cluster's services came to an end): the tasks wait
// for it, so that the first screen's calls do not queue behind theirs at
// the endpoint.
func (s *ECSSource) expand(ctx context.Context, clusters []resource.Cluster, scope []string, partial func(resource.Set), first chan struct{}) (resource.Set, error) {
	set := resource.Set{Clusters: clusters}
	if scope == nil {
		set.Kinds = []resource.Kind{resource.KindCluster}
		return set, nil
	}
	set.Kinds = []resource.Kind{resource.KindCluster, resource.KindService, resource.KindTask, resource.KindContainer}
	set.Scope = slices.Clone(scope)

	shown := func() {}
	if first != nil {
		shown = sync.OnceFunc(func() { close(first) })
	}
	// One slot per cluster, filled by its own goroutines, then joined in
	// cluster order so the snapshot's order is deterministic.
	services := make([][]resource.Service, len(scope))
	tasks := make([][]resource.Task, len(scope))
	listServices := s.servicesLister(clusters, scope, partial, shown)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(clusterConcurrency)
	for i, arn := range scope {
		// The services first: the tasks of a cluster never hold the
		// slot its services wait for.
		g.Go(func() (err error) {
			defer shown()
			services[i], err = listServices(gctx, arn)
			return err
		})
		g.Go(func() (err error) {
			if first != nil {
				select {
				case <-first:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			tasks[i], err = s.c.Tasks(gctx, arn)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return resource.Set{}, err
		}
		// The clusters were read: show them, and say on the other panes
		// which call failed (the whole fetch's error would blank them all
		// and blame "clusters").
		set.Kinds = []resource.Kind{resource.KindCluster}
		set.Failed = map[resource.Kind]error{resource.KindService: err, resource.KindTask: err, resource.KindContainer: err}
		return set, nil
	}
	for i := range scope {
		set.Services = append(set.Services, services[i]...)
		set.Tasks = append(set.Tasks, tasks[i]...)
	}
	for _, t := range set.Tasks {
		set.Containers = append(set.Containers, t.Containers...)
	}
	return set, nil
}

// servicesLister returns how expand lists the services of a cluster in
// scope: Services, or, with partial and a ServicePager, batch by batch,
// each reported with everything seen so far, then shown called.
//
// Every report hands out a prefix of one append-only slice (in the order
// the batches arrived; each report's services are the previous report's
// and then the new ones): a first load of 2,000 services is 200 reports,
// and copying everything so far into a new slice for each of them was
// quadratic (79 MB allocated in a measured first load). The prefixes are
// capped, so that no holder can append into the rest, and the elements of
// a prefix are never written again.
func (s *ECSSource) servicesLister(clusters []resource.Cluster, scope []string, partial func(resource.Set), shown func()) func(context.Context, string) ([]resource.Service, error) {
	pager, ok := s.c.(ServicePager)
	if partial == nil || !ok {
		return func(ctx context.Context, arn string) ([]resource.Service, error) {
			return s.c.Services(ctx, arn)
		}
	}
	partial(resource.Set{Kinds: []resource.Kind{resource.KindCluster}, Clusters: clusters})
	var so []resource.Service // under s.pages
	kinds := []resource.Kind{resource.KindCluster, resource.KindService}
	return func(ctx context.Context, arn string) ([]resource.Service, error) {
		return pager.ServicesEach(ctx, arn, func(page []resource.Service) {
			// Under a lock of its own: the clusters' pages arrive
			// concurrently and the watcher's callback is not safe for
			// concurrent use. Not s.mu: the callback may wait for the UI,
			// which may be calling Focus.
			s.pages.Lock()
			defer s.pages.Unlock()
			so = append(so, page...)
			partial(resource.Set{Kinds: kinds, Clusters: clusters, Services: so[:len(so):len(so)], Scope: scope})
			shown()
		})
	}
}

// scope returns the ARNs of the clusters to expand, or nil for none
// (scopeOf with the focus), and notes whether every cluster is expanded.
func (s *ECSSource) scope(clusters []resource.Cluster) []string {
	s.mu.Lock()
	focus := s.focus
	s.few = len(clusters) <= AutoClusters
	s.mu.Unlock()
	return scopeOf(clusters, focus)
}

// scopeOf returns the ARNs of the clusters to expand with focus, or nil
// for none. A focused cluster that no longer exists expands to nothing:
// its services and tasks are gone with it, which the empty lists say
// truthfully.
func scopeOf(clusters []resource.Cluster, focus string) []string {
	if len(clusters) > AutoClusters {
		if focus == "" {
			return nil
		}
		for _, c := range clusters {
			if c.ARN == focus || c.Name == focus { // a name is accepted too
				return []string{c.ARN}
			}
		}
		return []string{}
	}
	arns := make([]string, len(clusters))
	for i, c := range clusters {
		arns[i] = c.ARN
	}
	return arns
}
