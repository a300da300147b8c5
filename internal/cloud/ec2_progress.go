package cloud

import (
	"context"

	"deckhand/internal/resource"
)

// InstancePager is a Reader that can deliver the instances page by page
// as they arrive (the SDK adapter; see Client.InstancesEach): the partial
// slices it hands page are the instances so far.
type InstancePager interface {
	InstancesEach(ctx context.Context, page func([]resource.Instance)) ([]resource.Instance, error)
}

// FetchProgress is Fetch that, on a first read and with an InstancePager,
// reports the instances so far after each page (watch.Progressive): 20,000
// instances are 20 pages of DescribeInstances, and the first screen need
// not wait for the last of them (issue 8's scale target).
func (s *EC2Source) FetchProgress(ctx context.Context, partial func(resource.Set)) (resource.Set, error) {
	if s.t.r == nil {
		return s.Fetch(ctx)
	}
	return s.targetedFetch(ctx, partial)
}

// firstRead reads every instance, page by page when it can.
func (s *EC2Source) firstRead(ctx context.Context, partial func(resource.Set)) ([]resource.Instance, error) {
	pager, ok := s.c.(InstancePager)
	if partial == nil || !ok {
		return s.c.Instances(ctx)
	}
	return pager.InstancesEach(ctx, func(in []resource.Instance) {
		partial(resource.Set{Kinds: []resource.Kind{resource.KindInstance}, Instances: in})
	})
}
