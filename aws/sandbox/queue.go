package sandbox

import (
	"container/heap"
	"fmt"
	"time"
)

// The next-event queue: a binary heap of what is due, so that advancing by
// one event costs O(log n), not a scan of every resource (which made a
// replay of k events over n resources cost k·n).
//
// The queue is derived data, never persisted: it is built from the state
// when a world first advances it (one pass), kept with the cached state
// while the file does not change (sandbox.go), and dropped when the state is
// decoded afresh or a request mutated it (Account.run), so that it can never
// disagree with a state written by another process.
//
// Entries are lazy. Whatever sets a Due tells the queue (w.sched*); an
// entry is live only while queued[id] is its time and the resource's Due
// still says so, so a rescheduled or removed resource's old entries are
// skipped when they come up. Ties are broken in the order the old scan
// visited resources (region name; instances, load balancers, then each
// cluster's services, tasks and targets, and its first stopped task; list
// order within each), so a history replays exactly as it did; the tests
// check every event against that scan (verifyQueue).

type qkind uint8

const (
	qInstance qkind = iota
	qLoadBalancer
	qService
	qTask
	qTarget  // a task's load balancer target
	qStopped // a cluster's first stopped task: the next to be forgotten
)

// qid names what an entry is the event of: p is the *instance,
// *loadBalancer, *service or *task (qTask, qTarget), or the *cluster
// (qStopped).
type qid struct {
	kind qkind
	p    any
}

type qentry struct {
	at  time.Time
	id  qid
	r   *region
	c   *cluster
	ord [4]uint64 // tie order: group, cluster, kind within group, resource
}

type eventQueue struct {
	h      qheap
	queued map[qid]time.Time
	ord    map[any]uint64   // list order of each resource (new ones last)
	next   uint64           // the next ord
	owner  map[any]*cluster // tasks and services
	region map[any]*region  // instances, load balancers and clusters
	ready  bool             // heap.Init has run
	// stale is set when something was scheduled that the queue does not
	// know (a resource created without adopt): the next pop rebuilds it
	// rather than miss an event.
	stale bool
}

// verifyQueue makes every event taken from the queue be checked against a
// full scan (scanNext): the tests turn it on.
var verifyQueue bool

type qheap []qentry

func (h qheap) Len() int { return len(h) }
func (h qheap) Less(i, j int) bool {
	a, b := &h[i], &h[j]
	if c := a.at.Compare(b.at); c != 0 {
		return c < 0
	}
	if a.r.Name != b.r.Name {
		return a.r.Name < b.r.Name
	}
	for k := range a.ord {
		if a.ord[k] != b.ord[k] {
			return a.ord[k] < b.ord[k]
		}
	}
	return false
}
func (h qheap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *qheap) Push(x any)   { *h = append(*h, x.(qentry)) }
func (h *qheap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// queue is the world's queue, built on first use.
func (w *world) queue() *eventQueue {
	if w.state.q == nil || w.state.q.stale {
		w.state.q = buildQueue(w.state)
	}
	return w.state.q
}

func buildQueue(st *state) *eventQueue {
	q := &eventQueue{queued: map[qid]time.Time{}, ord: map[any]uint64{}, owner: map[any]*cluster{}, region: map[any]*region{}}
	for _, r := range st.Regions {
		for _, in := range r.Instances {
			q.adopt(r, nil, in)
		}
		for _, lb := range r.LoadBalancers {
			q.adopt(r, nil, lb)
		}
		for _, c := range r.Clusters {
			q.adopt(r, nil, c)
			for _, s := range c.Services {
				q.adopt(r, c, s)
			}
			for _, t := range c.Tasks {
				q.adopt(r, c, t)
			}
			for _, t := range c.Stopped { // known, for their cluster's qStopped
				q.adopt(r, c, t)
			}
			q.push(qid{qStopped, c})
		}
	}
	heap.Init(&q.h)
	q.ready = true
	return q
}

// adopt registers a resource (last in list order) and queues its events.
func (q *eventQueue) adopt(r *region, c *cluster, p any) {
	q.ord[p] = q.next
	q.next++
	switch p := p.(type) {
	case *instance:
		q.region[p] = r
		q.push(qid{qInstance, p})
	case *loadBalancer:
		q.region[p] = r
		q.push(qid{qLoadBalancer, p})
	case *cluster:
		q.region[p] = r
	case *service:
		q.owner[p] = c
		q.push(qid{qService, p})
	case *task:
		q.owner[p] = c
		q.push(qid{qTask, p})
		q.push(qid{qTarget, p})
	}
}

// due is when id's event is due now; zero when it has none.
func (id qid) due() time.Time {
	switch p := id.p.(type) {
	case *instance:
		return p.Due
	case *loadBalancer:
		return p.Due
	case *service:
		return p.Due
	case *task:
		switch {
		case p.LastStatus == "STOPPED": // its cluster's qStopped
		case id.kind == qTask:
			return p.Due
		case p.Target != nil:
			return p.Target.Due
		}
	case *cluster:
		if len(p.Stopped) > 0 {
			return p.Stopped[0].Due
		}
	}
	return time.Time{}
}

// push queues id at its due time, unless it is queued there already.
// Before heap.Init (buildQueue) it only appends.
func (q *eventQueue) push(id qid) {
	at := id.due()
	if at.IsZero() {
		delete(q.queued, id)
		return
	}
	if t, ok := q.queued[id]; ok && t.Equal(at) {
		return
	}
	e := qentry{at: at, id: id}
	switch id.kind {
	case qInstance:
		e.r = q.region[id.p]
	case qLoadBalancer:
		e.r, e.ord[0] = q.region[id.p], 1
	case qService, qTask, qTarget:
		e.c = q.owner[id.p]
		e.r = q.region[e.c]
		e.ord[2] = 1
		if id.kind == qTarget {
			e.ord[3] = 1
		}
	case qStopped:
		e.c = id.p.(*cluster)
		e.r = q.region[e.c]
		e.ord[2] = 2
	}
	if e.r == nil {
		q.stale = true
		return
	}
	switch id.kind {
	case qService:
		e.ord = [4]uint64{2, q.ord[e.c], 0, q.ord[id.p]}
	case qTask, qTarget:
		e.ord = [4]uint64{2, q.ord[e.c], 1, q.ord[id.p]<<1 | e.ord[3]}
	case qStopped:
		e.ord = [4]uint64{2, q.ord[e.c], 2, 0}
	default:
		e.ord[3] = q.ord[id.p]
	}
	q.queued[id] = at
	if !q.ready {
		q.h = append(q.h, e)
		return
	}
	heap.Push(&q.h, e)
}

// adopt tells the queue of a resource just created in r (and cluster c,
// for services and tasks).
func (w *world) adopt(r *region, c *cluster, p any) {
	if q := w.state.q; q != nil {
		q.adopt(r, c, p)
	}
}

// sched tells the queue that p's Due (for a task: its target's too) may
// have changed.
func (w *world) sched(p any) {
	q := w.state.q
	if q == nil {
		return // built from the state when first needed
	}
	switch p := p.(type) {
	case *instance:
		q.push(qid{qInstance, p})
	case *loadBalancer:
		q.push(qid{qLoadBalancer, p})
	case *service:
		q.push(qid{qService, p})
	case *task:
		q.push(qid{qTask, p})
		q.push(qid{qTarget, p})
		if c := q.owner[p]; c != nil {
			q.push(qid{qStopped, c})
		} else {
			q.stale = true
		}
	}
}

// forget drops a removed service's event.
func (w *world) forget(s *service) {
	if q := w.state.q; q != nil {
		delete(q.queued, qid{qService, s})
	}
}

// pop takes the next live event due at or before t.
func (w *world) pop(t time.Time) (due, bool) {
	q := w.queue()
	for q.h.Len() > 0 {
		e := q.h[0]
		if e.at.After(t) {
			break
		}
		heap.Pop(&q.h)
		if at, ok := q.queued[e.id]; !ok || !at.Equal(e.at) || !e.id.due().Equal(e.at) {
			continue // rescheduled or removed since
		}
		delete(q.queued, e.id)
		d := due{at: e.at, r: e.r, c: e.c}
		switch p := e.id.p.(type) {
		case *instance:
			d.in = p
		case *loadBalancer:
			d.lb = p
		case *service:
			d.svc = p
		case *task:
			d.task, d.target = p, e.id.kind == qTarget
		case *cluster:
			d.task = p.Stopped[0]
		}
		w.verify(d, t)
		return d, true
	}
	w.verify(due{}, t)
	return due{}, false
}

// verify checks the queue's choice against a scan of every resource.
func (w *world) verify(d due, t time.Time) {
	if !verifyQueue {
		return
	}
	s := w.scanNext()
	if !s.at.IsZero() && s.at.After(t) {
		s = due{}
	}
	if !s.at.Equal(d.at) || s.r != d.r || s.c != d.c || s.in != d.in || s.lb != d.lb || s.task != d.task || s.target != d.target || s.svc != d.svc {
		panic(fmt.Sprintf("sandbox: the event queue chose %+v, the scan %+v", d, s))
	}
}

// requeue queues what the event d changed of its own resource.
func (w *world) requeue(d due) {
	q := w.queue()
	switch {
	case d.in != nil:
		q.push(qid{qInstance, d.in})
	case d.lb != nil:
		q.push(qid{qLoadBalancer, d.lb})
	case d.svc != nil:
		q.push(qid{qService, d.svc})
	default:
		w.sched(d.task)
	}
}
