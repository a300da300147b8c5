package cloud

import (
	"context"
	"slices"

	"deckhand/internal/resource"
)

// The first read of a new ECS scope. Opening a cluster of an account with
// more than AutoClusters clusters rescopes the source, and its services
// were four calls in a row away: ListClusters, DescribeClusters,
// ListServices, DescribeServices (issue 8: 5,000 services in 20 clusters,
// first rows within 0.5 s of opening the page). The clusters are known
// from the read before; they are listed again only once the first rows
// were reported.

// remember keeps the clusters just listed, for the next rescope.
func (s *ECSSource) remember(clusters []resource.Cluster) {
	s.mu.Lock()
	s.known = clusters
	s.mu.Unlock()
}

// knownScope is the last cluster list read, the focus, and the scope the
// focus gives among that list (nil: no list yet, or nothing to expand).
func (s *ECSSource) knownScope() ([]resource.Cluster, string, []string) {
	s.mu.Lock()
	known, focus := s.known, s.focus
	s.mu.Unlock()
	if known == nil {
		return nil, focus, nil
	}
	return known, focus, scopeOf(known, focus)
}

// rescopedFetch is a first read of scope, worked out from the clusters
// already known and focus: the services of the clusters in scope are read
// at once and reported as they arrive; the cluster list is read again
// once the first of them were reported (or the services came to an end),
// beside the tasks. The snapshot holds the fresh list. If the fresh list
// scopes otherwise with the same focus (the focused cluster is gone, or
// the account is down to AutoClusters clusters, which are all expanded)
// that scope is read instead, so that the result is what fullFetch from
// scratch would give. A focus changed meanwhile is not followed: this
// read is stale then, and the watcher drops it (following it read a whole
// other cluster, unseen, at the budget's pace, before the read the user
// waited for could start).
func (s *ECSSource) rescopedFetch(ctx context.Context, known []resource.Cluster, focus string, scope []string, partial func(resource.Set)) (resource.Set, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	first, expanded := make(chan struct{}), make(chan struct{})
	var clusters []resource.Cluster
	var cerr error
	listed := make(chan struct{})
	go func() {
		defer close(listed)
		select {
		case <-first:
		case <-expanded: // expand closes first on every path; this is a guard
		case <-ctx.Done():
			cerr = ctx.Err()
			return
		}
		clusters, cerr = s.c.Clusters(ctx)
	}()
	set, err := s.expand(ctx, known, scope, partial, first)
	close(expanded)
	if err != nil { // the caller gave up
		cancel()
		<-listed
		return resource.Set{}, err
	}
	<-listed
	if cerr != nil {
		return resource.Set{}, cerr
	}
	s.remember(clusters)
	s.mu.Lock()
	s.few = len(clusters) <= AutoClusters
	s.mu.Unlock()
	if fresh := scopeOf(clusters, focus); !slices.Equal(fresh, scope) || (fresh == nil) != (scope == nil) {
		return s.expand(ctx, clusters, fresh, nil, nil)
	}
	set.Clusters = clusters
	return set, nil
}
