package cloud

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"deckhand/internal/budget"
	"deckhand/internal/resource"
)

// TargetedReader is a Reader that can also read resources by id, which is
// what makes polling cost follow change rather than the account's size
// (the SDK adapter implements it; a Reader without it is fully re-read on
// every fetch).
type TargetedReader interface {
	// ServicesByARN describes the given services of one cluster; missing
	// are the ones ECS no longer knows.
	ServicesByARN(ctx context.Context, clusterARN string, arns []string) (found []resource.Service, missing []string, err error)
	// TasksByARN describes the given tasks of one cluster.
	TasksByARN(ctx context.Context, clusterARN string, arns []string) (found []resource.Task, missing []string, err error)
	// InstancesByID describes the given instances; those not returned are gone.
	InstancesByID(ctx context.Context, ids []string) ([]resource.Instance, error)
}

// ecsTargeted is ECSSource's state for targeted polling.
type ecsTargeted struct {
	r      TargetedReader
	l      ARNLister // nil: the sweep re-reads everything (sweep_ecs.go)
	sweep  *sweeper[ecsSweep]
	screen onScreen

	mu       sync.Mutex
	gen      uint64               // bumped by forget: a read of an older scope is not kept
	cur      *resource.Set        // the latest merged snapshot; nil = read everything next
	readAt   map[string]time.Time // when each service/task was last read by ARN
	svcNext  int                  // round-robin cursors of the off-screen transitions
	taskNext int
	behind   int       // transitional services/tasks left for a later tick
	keys     transKeys // of the snapshot last refreshed; the watcher's goroutine only

	ecsSweepState // the list sweep's (sweep_ecs.go), under mu too
}

func (t *ecsTargeted) init(c Reader) {
	t.r, _ = c.(TargetedReader)
	t.l, _ = c.(ARNLister)
	t.sweep = newSweeper[ecsSweep]()
}

func (t *ecsTargeted) forget() {
	t.mu.Lock()
	t.cur = nil
	t.gen++
	t.mu.Unlock()
	t.sweep.reset()
}

// SetSweep sets how often everything is re-read (--refresh).
func (s *ECSSource) SetSweep(every time.Duration) { s.t.sweep.setEvery(every) }

// OnScreen tells the source which services and tasks (ARNs) are on screen:
// in transition, they are re-read first.
func (s *ECSSource) OnScreen(keys []string) { s.t.screen.set(keys) }

// Notify fires when a background sweep has finished (watch.Notifier), so
// that the watcher merges it without waiting for its next tick.
func (s *ECSSource) Notify() <-chan struct{} { return s.t.sweep.notify }

// Behind is how many resources in transition the last fetch left for a
// later one because the budget's per-tick share was spent, and whether a
// sweep is running.
func (s *ECSSource) Behind() (n int, sweeping bool) {
	s.t.mu.Lock()
	n = s.t.behind
	s.t.mu.Unlock()
	return n, s.t.sweep.isRunning()
}

func (s *ECSSource) targetedFetch(ctx context.Context, partial func(resource.Set)) (resource.Set, error) {
	t := &s.t
	now := time.Now()
	t.mu.Lock()
	cur := t.cur
	gen := t.gen
	t.mu.Unlock()
	if cur == nil {
		// The first read of a scope: the user waits for it. It counts as a
		// sweep that ends when it ends: on a big account it takes longer
		// than the sweep interval (2,000 services are 200 calls, 40 s at the
		// default budget), and counted from its start another full read
		// followed at once (measured: 313 calls in the idle minute instead
		// of about 200).
		set, err := s.fullFetch(budget.WithPriority(ctx, budget.OnScreen), partial)
		if err == nil {
			t.mu.Lock()
			if gen == t.gen { // else Focus changed the scope while we read
				t.cur, t.readAt = &set, map[string]time.Time{}
				t.loaded(set, now)
			}
			t.mu.Unlock()
			t.sweep.started(time.Now())
		}
		return set, err
	}
	var sweepErr error
	for _, r := range t.sweep.take() {
		if r.err != nil {
			sweepErr = fmt.Errorf("sweep: %w", r.err)
			continue
		}
		t.mu.Lock()
		if gen == t.gen && t.cur != nil {
			t.cur = t.mergeStep(t.cur, r.val, r.startAt)
		}
		t.mu.Unlock()
	}
	if t.l != nil {
		t.sweep.maybeRun(ctx, now, s.listSweep)
	} else {
		t.sweep.maybeStart(ctx, now, func(ctx context.Context) (ecsSweep, error) {
			set, err := s.fullFetch(ctx, nil)
			return ecsSweep{full: &set}, err
		})
	}

	t.mu.Lock()
	if t.cur == nil { // Focus forgot it meanwhile: the next fetch reads the new scope
		t.mu.Unlock()
		return resource.Set{}, fmt.Errorf("the ECS scope changed during the fetch")
	}
	snap := *t.cur
	t.mu.Unlock()
	if !slices.Contains(snap.Kinds, resource.KindService) {
		return snap, sweepErr // nothing in scope to follow
	}
	next, behind, err := s.refreshTransitions(ctx, snap)
	if err != nil {
		return resource.Set{}, err
	}
	t.mu.Lock()
	if gen == t.gen {
		t.cur = &next
	}
	t.behind = behind
	t.mu.Unlock()
	return next, sweepErr
}

// refreshTransitions re-reads by ARN the services and tasks of cur in
// transition, on-screen ones first, and returns the snapshot with them.
// When nothing re-read differs it returns cur itself, the very slices, so
// that the watcher and the TUI see at a glance that nothing changed
// (resource.Unchanged) instead of re-diffing and re-rendering thousands of
// rows every fast tick. Handed-out slices are never changed in place.
func (s *ECSSource) refreshTransitions(ctx context.Context, cur resource.Set) (resource.Set, int, error) {
	t := &s.t
	k := t.keys.of(cur)
	svcKeys, taskKeys, svcCluster, taskCluster := k.svcKeys, k.taskKeys, k.cluster, k.cluster
	t.mu.Lock()
	sScreen, sRest, sBehind := pick(svcKeys, t.screen.has, max(0, tickServiceCalls-calls(countShown(svcKeys, t.screen.has), 10))*10, &t.svcNext)
	tScreen, tRest, tBehind := pick(taskKeys, t.screen.has, max(0, tickTaskCalls-calls(countShown(taskKeys, t.screen.has), 100))*100, &t.taskNext)
	t.mu.Unlock()
	behind := sBehind + tBehind

	now := time.Now()
	// The same describes as the list sweep's (sweep_ecs.go): a service
	// described INACTIVE or MISSING is gone.
	p := &ecsPatch{svcs: map[string]*resource.Service{}, tasks: map[string]*resource.Task{}, gone: map[string]bool{}}
	for _, batch := range []struct {
		svcs, tasks []string
		prio        budget.Priority
	}{{sScreen, tScreen, budget.OnScreen}, {sRest, tRest, budget.Transition}} {
		bctx := budget.WithPriority(ctx, batch.prio)
		if err := describeServices(bctx, t.r, byCluster(batch.svcs, svcCluster), p); err != nil {
			return resource.Set{}, 0, err
		}
		if err := describeTasks(bctx, t.r, byCluster(batch.tasks, taskCluster), p); err != nil {
			return resource.Set{}, 0, err
		}
	}
	svcs, tasks, gone := p.svcs, p.tasks, p.gone
	t.mu.Lock()
	for k := range gone {
		if strings.Contains(k, ":service/") { // deleted: the sweep's rule (mergeStep)
			t.tombstone(k, now)
		}
	}
	for _, m := range []map[string]bool{gone, keys(svcs), keys(tasks)} {
		for k := range m {
			t.readAt[k] = now // newer than a sweep begun before (a gone one too)
			t.read(k, now)
		}
	}
	t.mu.Unlock()
	if len(gone) == 0 && !differs(cur.Services, k.index, svcs) && !differs(cur.Tasks, k.index, tasks) {
		return cur, behind, nil
	}
	next := cur
	next.Services = replace(cur.Services, svcs, gone)
	next.Tasks = replace(cur.Tasks, tasks, gone)
	next.Containers = nil
	for _, x := range next.Tasks {
		next.Containers = append(next.Containers, x.Containers...)
	}
	return next, behind, nil
}

// differs reports whether any re-read item is not what xs holds; index
// is each item's position in xs by key.
func differs[T resource.Item](xs []T, index map[string]int, fresh map[string]*T) bool {
	for k, f := range fresh {
		if i, ok := index[k]; !ok || i >= len(xs) || !reflect.DeepEqual(*f, xs[i]) {
			return true
		}
	}
	return false
}

// transKeys is what refreshTransitions needs of a snapshot: the services
// and tasks in transition, each one's cluster, and where each item is.
// It is worked out again only when the snapshot changes (other slices):
// walking 2,000 services and filling maps on every fast tick was most of
// what an idle tick still cost.
type transKeys struct {
	from              resource.Set
	svcKeys, taskKeys []string
	cluster           map[string]string // service/task ARN → cluster ARN
	index             map[string]int    // service/task ARN → position in its slice
}

func (k *transKeys) of(cur resource.Set) *transKeys {
	if k.index != nil && resource.SameSlice(k.from, cur, resource.KindService) && resource.SameSlice(k.from, cur, resource.KindTask) {
		return k
	}
	*k = transKeys{from: cur, cluster: map[string]string{}, index: make(map[string]int, len(cur.Services)+len(cur.Tasks))}
	for i, x := range cur.Services {
		k.index[x.ARN] = i
		if x.Transitional() {
			k.svcKeys = append(k.svcKeys, x.ARN)
			k.cluster[x.ARN] = x.ClusterARN
		}
	}
	for i, x := range cur.Tasks {
		k.index[x.ARN] = i
		if x.Transitional() {
			k.taskKeys = append(k.taskKeys, x.ARN)
			k.cluster[x.ARN] = x.ClusterARN
		}
	}
	return k
}

func countShown(keys []string, shown func(string) bool) int {
	n := 0
	for _, k := range keys {
		if shown(k) {
			n++
		}
	}
	return n
}

// calls is how many describe calls n ids take in batches of size.
func calls(n, size int) int { return (n + size - 1) / size }

// byCluster groups ARNs by their cluster (ECS describes one cluster a call).
func byCluster(keys []string, cluster map[string]string) map[string][]string {
	out := map[string][]string{}
	for _, k := range keys {
		out[cluster[k]] = append(out[cluster[k]], k)
	}
	return out
}

// replace swaps in the re-read items and drops the gone ones, in place of
// order (the snapshot's order stays the adapter's).
func replace[T resource.Item](xs []T, fresh map[string]*T, gone map[string]bool) []T {
	// Sized once: grown by append, 20,000 instances of ~400 bytes were
	// 44 MB allocated and 46 ms a merge (BenchmarkMergeInstances20000).
	out := make([]T, 0, len(xs))
	for _, x := range xs {
		k := x.Key()
		if gone[k] {
			continue
		}
		if f, ok := fresh[k]; ok {
			x = *f
		}
		out = append(out, x)
	}
	return out
}

// mergeSweep takes a finished sweep as the truth about what exists, except
// for the items re-read by ARN after the sweep began, which are newer.
func mergeSweep(cur *resource.Set, sw resource.Set, readAt map[string]time.Time, startAt time.Time) *resource.Set {
	if len(sw.Failed) > 0 || !slices.Contains(sw.Kinds, resource.KindService) {
		out := copySet(sw) // the failure or the narrower scope is the news
		return &out
	}
	newer := func(k string) bool { at, ok := readAt[k]; return ok && at.After(startAt) }
	svcs := map[string]*resource.Service{}
	for i := range cur.Services {
		if newer(cur.Services[i].ARN) {
			svcs[cur.Services[i].ARN] = &cur.Services[i]
		}
	}
	tasks := map[string]*resource.Task{}
	for i := range cur.Tasks {
		if newer(cur.Tasks[i].ARN) {
			tasks[cur.Tasks[i].ARN] = &cur.Tasks[i]
		}
	}
	// An item read by ARN after the sweep began and no longer in cur was
	// found gone (MISSING, INACTIVE): the sweep's older copy stays out.
	gone := map[string]bool{}
	for k, at := range readAt {
		if at.After(startAt) && !slices.ContainsFunc(cur.Services, func(x resource.Service) bool { return x.ARN == k }) &&
			!slices.ContainsFunc(cur.Tasks, func(x resource.Task) bool { return x.ARN == k }) {
			gone[k] = true
		}
	}
	out := copySet(sw)
	out.Services = replace(out.Services, svcs, gone)
	out.Tasks = replace(out.Tasks, tasks, gone)
	out.Containers = nil
	for _, x := range out.Tasks {
		out.Containers = append(out.Containers, x.Containers...)
	}
	for k, at := range readAt {
		if !at.After(startAt) {
			delete(readAt, k) // the sweep is newer now
		}
	}
	return &out
}

// copySet copies the slices a fetch hands out, so that the watcher's
// snapshot never aliases the source's own state.
func copySet(s resource.Set) resource.Set {
	s.Kinds = slices.Clone(s.Kinds)
	s.Clusters = slices.Clone(s.Clusters)
	s.Services = slices.Clone(s.Services)
	s.Tasks = slices.Clone(s.Tasks)
	s.Containers = slices.Clone(s.Containers)
	s.Instances = slices.Clone(s.Instances)
	return s
}

// Targeted reports whether the source polls by id (its Reader is a
// TargetedReader) rather than re-reading everything on every fetch.
func (s *ECSSource) Targeted() bool { return s.t.r != nil }

// Progressive reports whether a first read shows rows as they arrive (the
// Reader is a ServicePager).
func (s *ECSSource) Progressive() bool { _, ok := s.c.(ServicePager); return ok }
