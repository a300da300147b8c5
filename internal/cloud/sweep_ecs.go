package cloud

import (
	"cmp"
	"context"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"deckhand/internal/budget"
	"deckhand/internal/resource"
)

// ARNLister is a Reader that can list a cluster's services and tasks
// without describing them (ListServices, ListTasks: 100 ARNs a call, where
// DescribeServices takes 10). With it the ECS sweep costs the lists plus
// what changed, not a describe of every service: listSweep.
type ARNLister interface {
	// ServiceARNs lists the cluster's services as ListServices does: the
	// ACTIVE ones (ECS stops listing a service when it is deleted).
	ServiceARNs(ctx context.Context, clusterARN string) ([]string, error)
	// TaskARNs lists the cluster's tasks by desired status: RUNNING (which
	// includes the pending ones) and STOPPED (ECS keeps those about an
	// hour). A task listed in both moved between the two calls.
	TaskARNs(ctx context.Context, clusterARN string) (running, stopped []string, err error)
}

// The list sweep, issue 8's cost that follows change. Every --refresh it
//
//  1. lists the clusters and, per cluster in scope, the service and task
//     ARNs (2,000 services are 20 ListServices pages on AWS, one on moto);
//  2. describes at once only what the lists say is new or changed: ARNs
//     the snapshot lacks, tasks whose desired status moved (RUNNING →
//     STOPPED), and the services of those tasks (a deployment or a scale
//     from the console starts or stops tasks); ARNs no longer listed, and
//     services ECS reports INACTIVE or MISSING, leave the snapshot. This
//     step is published at once: a new or deleted row shows within one
//     interval plus the lists, whatever the account's size;
//  3. re-reads the steady services and running tasks, round-robin, oldest
//     read first, with what is left of the sweep's budget share until the
//     sweep has run for max(--refresh, twice steps 1–2): so the lists never
//     take more than half of the share, and a change that starts no task
//     (say an update-service of a steady service's health check grace) is
//     still noticed. At the default budget (the sweep's share of the
//     ecs-service family is 1 call/s) a sweep of --refresh 15 s whose lists
//     take 3 s re-reads 12 batches of 10 services: every steady service is
//     re-read at least every ceil(N/120) sweeps, 2,000 in about 4 min; on
//     AWS, where 2,000 services are 20 list pages, about every 7 min.
//     Transitional ones are not its business: the fast ticks follow them.
//
// Every call is at the budget's Sweep priority (sweeper.maybeRun), behind
// what is on screen and in transition. An item re-read by ARN after the
// sweep began (t.readAt) is newer than the sweep's copy and wins.

// ecsSweepState is what the list sweep keeps between sweeps (under
// ecsTargeted.mu).
type ecsSweepState struct {
	// lastRead is when each service and task of the snapshot was last
	// described, by anything: the round-robin's order.
	lastRead map[string]time.Time
	// inactive are services described INACTIVE (deleted): ECS lists them
	// no more, moto lists them forever. A listed one is not described as
	// new again, only re-read in the round-robin (a service re-created
	// with the same name has the same ARN).
	inactive map[string]time.Time
	stats    SweepStats
}

// loaded records a first read: every item was read at.
func (t *ecsTargeted) loaded(set resource.Set, at time.Time) {
	t.lastRead = make(map[string]time.Time, len(set.Services)+len(set.Tasks))
	t.inactive = map[string]time.Time{}
	for _, x := range set.Services {
		t.lastRead[x.ARN] = at
	}
	for _, x := range set.Tasks {
		t.lastRead[x.ARN] = at
	}
}

func (t *ecsTargeted) read(k string, at time.Time) {
	if t.lastRead != nil {
		t.lastRead[k] = at
	}
}

func (t *ecsTargeted) tombstone(k string, at time.Time) {
	if t.inactive != nil {
		t.inactive[k] = at
	}
}

func keys[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// listSweep is one sweep of an ARNLister (the comment above): steps 1–2
// are published, step 3 is returned.
func (s *ECSSource) listSweep(ctx context.Context, publish func(ecsSweep)) (ecsSweep, error) {
	t := &s.t
	start := time.Now()
	t.mu.Lock()
	base, gen := t.cur, t.gen
	lastRead, inactive := maps.Clone(t.lastRead), maps.Clone(t.inactive)
	t.mu.Unlock()
	if base == nil {
		return ecsSweep{}, nil // the scope was forgotten: the next fetch reads it whole
	}
	clusters, err := s.c.Clusters(ctx)
	if err != nil {
		return ecsSweep{}, err
	}
	scope := s.scope(clusters)
	switch {
	case scope == nil && !slices.Contains(base.Kinds, resource.KindService):
		return ecsSweep{patch: &ecsPatch{clusters: clusters, at: start}}, nil
	case scope == nil || !slices.Equal(scope, base.Scope):
		// The scope changed (a cluster came or went): read it whole.
		set, err := s.fullFetch(ctx, nil)
		return ecsSweep{full: &set}, err
	}

	// 1. The lists.
	svcARNs := make([][]string, len(scope))
	running, stopped := make([][]string, len(scope)), make([][]string, len(scope))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(clusterConcurrency)
	for i, cl := range scope {
		g.Go(func() (err error) { svcARNs[i], err = t.l.ServiceARNs(gctx, cl); return err })
		g.Go(func() (err error) { running[i], stopped[i], err = t.l.TaskARNs(gctx, cl); return err })
	}
	if err := g.Wait(); err != nil {
		return ecsSweep{}, err
	}

	// 2. What the lists say is new or changed.
	p := &ecsPatch{clusters: clusters, listed: map[string]bool{}, svcs: map[string]*resource.Service{},
		tasks: map[string]*resource.Task{}, gone: map[string]bool{}, at: start}
	svcOf := make(map[string]*resource.Service, len(base.Services))
	for i := range base.Services {
		svcOf[base.Services[i].ARN] = &base.Services[i]
	}
	taskOf := map[string]*resource.Task{}
	for i := range base.Tasks {
		taskOf[base.Tasks[i].ARN] = &base.Tasks[i]
	}
	newSvcs, newTasks := map[string][]string{}, map[string][]string{}
	for i, cl := range scope {
		for _, a := range svcARNs[i] {
			p.listed[a] = true
			if _, dead := inactive[a]; svcOf[a] == nil && !dead {
				newSvcs[cl] = append(newSvcs[cl], a)
			}
		}
		isStopped := map[string]bool{}
		for _, a := range stopped[i] {
			isStopped[a] = true
		}
		for _, a := range slices.Concat(running[i], stopped[i]) {
			if p.listed[a] {
				continue // in both lists
			}
			p.listed[a] = true
			x := taskOf[a]
			if x == nil || (x.DesiredStatus == "STOPPED") != isStopped[a] {
				newTasks[cl] = append(newTasks[cl], a)
			}
		}
	}
	if err := describeTasks(ctx, t.r, newTasks, p); err != nil {
		return ecsSweep{}, err
	}
	// The services of the tasks that came or stopped are changing: a
	// deployment or a scale done elsewhere.
	if len(p.tasks) > 0 {
		byName := map[[2]string]string{} // cluster ARN, name → service ARN
		for _, x := range base.Services {
			byName[[2]string{x.ClusterARN, x.Name}] = x.ARN
		}
		for _, x := range p.tasks {
			name, ok := strings.CutPrefix(x.Group, "service:")
			if a := byName[[2]string{x.ClusterARN, name}]; ok && a != "" && p.listed[a] {
				newSvcs[x.ClusterARN] = append(newSvcs[x.ClusterARN], a)
			}
		}
	}
	if err := describeServices(ctx, t.r, newSvcs, p); err != nil {
		return ecsSweep{}, err
	}
	p.newRows = len(p.svcs) + len(p.tasks)
	lists := time.Since(start)
	p.empty = p.newRows == 0 && len(p.gone) == 0 && reflect.DeepEqual(clusters, base.Clusters) &&
		!slices.ContainsFunc(base.Services, func(x resource.Service) bool { return !p.listed[x.ARN] }) &&
		!slices.ContainsFunc(base.Tasks, func(x resource.Task) bool { return !p.listed[x.ARN] })
	if p.empty { // not merged: its figures go to :stats here
		t.mu.Lock()
		t.stats.Listed, t.stats.New, t.stats.Gone = len(p.listed), 0, 0
		t.mu.Unlock()
	}
	publish(ecsSweep{patch: p})

	// 3. The round-robin, in what is left.
	rr := &ecsPatch{svcs: map[string]*resource.Service{}, tasks: map[string]*resource.Task{}, gone: map[string]bool{}, at: time.Now()}
	// Done a little before the interval is over, so that the fetch at the
	// interval starts the next sweep (else, with the slow tick, it waits
	// for the tick after: measured, a sweep every 30 s at --refresh 15 s).
	until := start.Add(max(t.sweep.interval(), 2*lists) - time.Second)
	ctx = budget.WithPriority(ctx, budget.Reread)
	var steadySvcs, steadyTasks []string
	for _, x := range base.Services {
		if p.listed[x.ARN] && !x.Transitional() && p.svcs[x.ARN] == nil {
			steadySvcs = append(steadySvcs, x.ARN)
		}
	}
	for a, at := range inactive {
		if p.listed[a] { // moto lists a deleted service on: is it back?
			steadySvcs = append(steadySvcs, a)
			lastRead[a] = at
		}
	}
	for _, x := range base.Tasks {
		if p.listed[x.ARN] && !x.Transitional() && x.LastStatus != "STOPPED" && p.tasks[x.ARN] == nil {
			steadyTasks = append(steadyTasks, x.ARN)
		}
	}
	cluster := func(arn string) string {
		if x := svcOf[arn]; x != nil {
			return x.ClusterARN
		}
		if x := taskOf[arn]; x != nil {
			return x.ClusterARN
		}
		return clusterOfARN(arn)
	}
	oldest := func(ks []string) []string {
		slices.SortFunc(ks, func(a, b string) int {
			return cmp.Or(lastRead[a].Compare(lastRead[b]), cmp.Compare(a, b))
		})
		return ks
	}
	g, gctx = errgroup.WithContext(ctx)
	g.Go(func() error {
		return roundRobin(gctx, oldest(steadySvcs), 10, until, cluster, func(ctx context.Context, cl string, arns []string) error {
			return describeServices(ctx, t.r, map[string][]string{cl: arns}, rr)
		})
	})
	g.Go(func() error {
		return roundRobin(gctx, oldest(steadyTasks), 100, until, cluster, func(ctx context.Context, cl string, arns []string) error {
			return describeTasks(ctx, t.r, map[string][]string{cl: arns}, rr)
		})
	})
	err = g.Wait()
	rr.reread = len(rr.svcs) + len(rr.tasks) + len(rr.gone)
	// Re-reads that found what the snapshot has are not worth a fetch.
	rr.empty = !slices.ContainsFunc(slices.Collect(maps.Keys(rr.gone)), func(k string) bool { return svcOf[k] != nil || taskOf[k] != nil })
	for k, x := range rr.svcs {
		rr.empty = rr.empty && svcOf[k] != nil && reflect.DeepEqual(*x, *svcOf[k])
	}
	for k, x := range rr.tasks {
		rr.empty = rr.empty && taskOf[k] != nil && reflect.DeepEqual(*x, *taskOf[k])
	}

	t.mu.Lock()
	if t.gen == gen {
		for k := range rr.svcs { // the round-robin's order, merged or not
			t.read(k, rr.at)
		}
		for k := range rr.tasks {
			t.read(k, rr.at)
		}
		for k := range rr.gone {
			if _, ok := t.inactive[k]; ok {
				t.inactive[k] = rr.at // still INACTIVE: to the end of the queue
			}
		}
		oldestAt := time.Time{}
		for _, a := range slices.Concat(steadySvcs, steadyTasks) {
			at := lastRead[a]
			if rr.svcs[a] != nil || rr.tasks[a] != nil || rr.gone[a] {
				at = rr.at
			}
			if oldestAt.IsZero() || at.Before(oldestAt) {
				oldestAt = at
			}
		}
		t.stats.At, t.stats.Lists, t.stats.Took = start, lists, time.Since(start)
		t.stats.Steady, t.stats.OldestAt, t.stats.Reread = len(steadySvcs)+len(steadyTasks), oldestAt, rr.reread
	}
	t.mu.Unlock()
	return ecsSweep{patch: rr}, err
}

// roundRobin describes keys in order, in batches of up to size of one
// cluster, at least one batch and then until the time is up.
func roundRobin(ctx context.Context, ks []string, size int, until time.Time, cluster func(string) string,
	describe func(ctx context.Context, cluster string, arns []string) error) error {
	var took time.Duration // the last batch's, to end before until
	for first := true; len(ks) > 0 && (first || time.Now().Add(took).Before(until)); first = false {
		cl := cluster(ks[0])
		var batch, rest []string
		for _, k := range ks {
			if len(batch) < size && cluster(k) == cl {
				batch = append(batch, k)
			} else {
				rest = append(rest, k)
			}
		}
		t0 := time.Now()
		if err := describe(ctx, cl, batch); err != nil {
			return err
		}
		took = time.Since(t0)
		ks = rest
	}
	return nil
}

// describeServices describes arns (by cluster) into p: INACTIVE and
// MISSING ones are gone.
func describeServices(ctx context.Context, r TargetedReader, arns map[string][]string, p *ecsPatch) error {
	for cl, as := range arns {
		found, missing, err := r.ServicesByARN(ctx, cl, dedupe(as))
		if err != nil {
			return err
		}
		for i := range found {
			if found[i].Status == "INACTIVE" {
				p.gone[found[i].ARN] = true
			} else {
				p.svcs[found[i].ARN] = &found[i]
			}
		}
		for _, m := range missing {
			p.gone[m] = true
		}
	}
	return nil
}

func describeTasks(ctx context.Context, r TargetedReader, arns map[string][]string, p *ecsPatch) error {
	for cl, as := range arns {
		found, missing, err := r.TasksByARN(ctx, cl, as)
		if err != nil {
			return err
		}
		for i := range found {
			p.tasks[found[i].ARN] = &found[i]
		}
		for _, m := range missing {
			p.gone[m] = true
		}
	}
	return nil
}

func dedupe(xs []string) []string {
	slices.Sort(xs)
	return slices.Compact(xs)
}

// clusterOfARN is the cluster ARN of a service ARN of the long format
// (arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME), or "".
func clusterOfARN(arn string) string {
	i := strings.Index(arn, ":service/")
	if i < 0 {
		return ""
	}
	rest := arn[i+len(":service/"):]
	j := strings.IndexByte(rest, '/')
	if j < 0 {
		return ""
	}
	return arn[:i] + ":cluster/" + rest[:j]
}
