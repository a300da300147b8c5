package contract

import (
	"context"
	"slices"

	"deckhand/internal/cloud"
)

// The lists alone (cloud.ARNLister), which the ECS sweep reads every
// --refresh: every backend has them, and they list what ECS lists.

func (r *run) lister() cloud.ARNLister {
	r.t.Helper()
	l, ok := r.b.(cloud.ARNLister)
	if !ok {
		r.t.Fatalf("%s: the backend (%T) is not a cloud.ARNLister", r.tg.Name, r.b)
	}
	return l
}

// wantServiceListed checks whether ServiceARNs lists arn.
func (r *run) wantServiceListed(clusterARN, arn string, want bool, when string) {
	r.t.Helper()
	arns, err := r.lister().ServiceARNs(context.Background(), clusterARN)
	if err != nil {
		r.t.Fatalf("ServiceARNs %s: %v", when, err)
	}
	if got := slices.Contains(arns, arn); got != want {
		r.t.Errorf("ServiceARNs %s: lists %s = %v, want %v (listed: %v)", when, arn, got, want, arns)
	}
}

// wantTaskListed checks in which of TaskARNs' lists arn is: "running",
// "stopped" (the other list must not have it).
func (r *run) wantTaskListed(clusterARN, arn, want, when string) {
	r.t.Helper()
	running, stopped, err := r.lister().TaskARNs(context.Background(), clusterARN)
	if err != nil {
		r.t.Fatalf("TaskARNs %s: %v", when, err)
	}
	inRunning, inStopped := slices.Contains(running, arn), slices.Contains(stopped, arn)
	if inRunning != (want == "running") || inStopped != (want == "stopped") {
		r.t.Errorf("TaskARNs %s: task in running %v, in stopped %v; want it %s only", when, inRunning, inStopped, want)
	}
}

// arnsOfUnknownCluster: both lists answer ClusterNotFoundException for a
// cluster that does not exist, as ListServices and ListTasks do.
func (r *run) arnsOfUnknownCluster() {
	r.t.Helper()
	ctx, l := context.Background(), r.lister()
	const gone = "contract-no-such-cluster"
	_, err := l.ServiceARNs(ctx, gone)
	r.wantCode(err, "ecs", "ListServices", "ClusterNotFoundException")
	_, _, err = l.TaskARNs(ctx, gone)
	r.wantCode(err, "ecs", "ListTasks", "ClusterNotFoundException")
}
