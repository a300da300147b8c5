package sandbox

import (
	"fmt"
	"strings"
	"time"
)

// The timing table: how long AWS takes for each step it makes by itself, at
// speed 1. Each duration is drawn uniformly from its range and divided by
// Options.Speed.
//
// EC2: the instance lifecycle (docs.aws.amazon.com/AWSEC2/latest/UserGuide/
// ec2-instance-lifecycle.html) gives no numbers; these are what launching,
// stopping and terminating Amazon Linux instances typically takes.
// DescribeInstances documents that terminated instances "remain visible after
// termination (for approximately one hour)".
//
// ECS on Fargate: the task lifecycle (docs.aws.amazon.com/AmazonECS/latest/
// developerguide/task-lifecycle-explanation.html) names the states; the
// durations are typical for small public images: ENI attachment while
// PROVISIONING, the image pull while PENDING, a few seconds of ACTIVATING.
// Stopping runs SIGTERM (the stopTimeout is 30 s; a well-behaved container
// exits at once) and detaches the ENI. "You can see stopped tasks in the
// returned results for at least one hour" (troubleshooting, stopped-task
// errors). A container health check's default interval is 30 s.
var (
	ec2Pending      = span{15 * time.Second, 30 * time.Second}
	ec2Stopping     = span{10 * time.Second, 30 * time.Second}
	ec2ShuttingDown = span{10 * time.Second, 20 * time.Second}
	ec2Retention    = span{time.Hour, time.Hour}

	ecsProvisioning   = span{5 * time.Second, 10 * time.Second}
	ecsPending        = span{10 * time.Second, 25 * time.Second} // the image pull (or its 5 failed tries)
	ecsActivating     = span{2 * time.Second, 5 * time.Second}
	ecsStopRequest    = span{1 * time.Second, 3 * time.Second} // RUNNING with desired STOPPED → DEACTIVATING
	ecsDeactivating   = span{2 * time.Second, 5 * time.Second}
	ecsStopping       = span{2 * time.Second, 10 * time.Second}
	ecsDeprovisioning = span{5 * time.Second, 15 * time.Second}
	ecsHealthy        = span{10 * time.Second, 30 * time.Second} // first passing health check
	ecsOneShotExit    = span{1 * time.Second, 3 * time.Second}   // a shell image's default command ends
	ecsRetention      = span{time.Hour, time.Hour}

	// Elastic Load Balancing: a new Application Load Balancer is
	// "provisioning" until its nodes are up and its DNS name resolves,
	// typically one to three minutes, then "active". Target health follows
	// the target group's own settings (elb_targets.go).
	elbProvisioning = span{time.Minute, 3 * time.Minute}
)

// Service throttle logic (developerguide/service-throttle-logic.html): after
// repeated failed starts "the time between subsequent restart attempts is
// incrementally increased up to a maximum of 27 minutes".
const (
	throttleAfter = 3
	throttleBase  = time.Minute
	throttleMax   = 27 * time.Minute
	maxEvents     = 100 // DescribeServices returns the last 100 events
)

type span struct{ lo, hi time.Duration }

// world is the state during one call: the persisted state plus the
// current time and the speed of this process.
type world struct {
	*state
	now   time.Time
	speed float64
	dirty bool
	// images says which images the local Docker engine has (runner.go);
	// nil in worlds without one, such as the seed's.
	images *images
}

// after is a random duration from s, scaled by the speed, counted from now.
func (w *world) after(s span) time.Time {
	d := s.lo
	if s.hi > s.lo {
		d += time.Duration(w.rand() % uint64(s.hi-s.lo+1))
	}
	return w.now.Add(w.scaled(d))
}

// scaled is d divided by the speed, in whole milliseconds (ECS reports
// times to the millisecond) and at least one.
func (w *world) scaled(d time.Duration) time.Duration {
	return max(time.Duration(float64(d)/w.speed).Truncate(time.Millisecond), time.Millisecond)
}

// rand is splitmix64 over the persisted state, so that a given history gives
// the same IDs and durations (tests rely on that; users never notice).
func (w *world) rand() uint64 {
	w.Rand += 0x9e3779b97f4a7c15
	z := w.Rand
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// hexID is n random lowercase hex digits.
func (w *world) hexID(n int) string {
	var b strings.Builder
	for b.Len() < n {
		fmt.Fprintf(&b, "%016x", w.rand())
	}
	return b.String()[:n]
}

// ec2ID is an EC2 resource ID in AWS's long format: prefix, "-", 17 hex.
func (w *world) ec2ID(prefix string) string { return prefix + "-0" + w.hexID(16) }

// advance lets every scheduled event up to t happen, in time order: the
// world is a discrete-event simulation, advanced lazily on each call, so
// that time passes while no deckhand runs. Nothing is skipped: a long
// absence replays everything, bounded by AWS's own rules (retention,
// throttling, the circuit breaker).
func (w *world) advance(t time.Time) {
	for {
		e, ok := w.pop(t)
		if !ok {
			break
		}
		if e.at.After(w.now) {
			w.now = e.at
		}
		switch {
		case e.in != nil:
			w.stepInstance(e.r, e.in)
		case e.lb != nil:
			w.stepLoadBalancer(e.r, e.lb)
		case e.target:
			w.stepTarget(e.r, e.c, e.task)
		case e.task != nil:
			w.stepTask(e.r, e.c, e.task)
		default:
			e.svc.Due = time.Time{}
			w.reconcile(e.r, e.c, e.svc)
		}
		w.requeue(e)
		w.dirty = true
	}
	if t.After(w.now) {
		w.now = t
	}
	if w.dirty {
		w.Now = w.now
	}
}

// due is the next event: one of in, lb, task and svc is set; target
// says that it is the task's load balancer target that is due.
type due struct {
	at     time.Time
	r      *region
	c      *cluster
	in     *instance
	lb     *loadBalancer
	task   *task
	target bool
	svc    *service
}

// scanNext finds the earliest event of every region by a plain scan of the
// resources that move by themselves (of the stopped tasks, only the first
// to be forgotten). Regions are visited in name order and resources in list
// order, so ties resolve the same way every time. The queue (queue.go)
// replaced it; the tests check the queue against it (verifyQueue).
func (w *world) scanNext() due {
	var e due
	earlier := func(t time.Time) bool { return !t.IsZero() && (e.at.IsZero() || t.Before(e.at)) }
	for _, name := range sortedKeys(w.Regions) {
		r := w.Regions[name]
		for _, in := range r.Instances {
			if earlier(in.Due) {
				e = due{at: in.Due, r: r, in: in}
			}
		}
		for _, lb := range r.LoadBalancers {
			if earlier(lb.Due) {
				e = due{at: lb.Due, r: r, lb: lb}
			}
		}
		for _, c := range r.Clusters {
			for _, s := range c.Services {
				if earlier(s.Due) {
					e = due{at: s.Due, r: r, c: c, svc: s}
				}
			}
			for _, t := range c.Tasks {
				if earlier(t.Due) {
					e = due{at: t.Due, r: r, c: c, task: t}
				}
				if t.Target != nil && earlier(t.Target.Due) {
					e = due{at: t.Target.Due, r: r, c: c, task: t, target: true}
				}
			}
			if len(c.Stopped) > 0 && earlier(c.Stopped[0].Due) {
				e = due{at: c.Stopped[0].Due, r: r, c: c, task: c.Stopped[0]}
			}
		}
	}
	return e
}
