package aws

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// describeConcurrency bounds the describe calls in flight for one list. ECS
// throttles bursts; 8 keeps a 2,000-service cluster (200 DescribeServices
// calls) to a couple of seconds without tripping the limit.
const describeConcurrency = 8

// chunk splits ids into consecutive slices of at most size elements. Every
// id lands in exactly one chunk, whatever len(ids) % size is; the chunks
// share ids' backing array but are capped so an append cannot spill over.
func chunk(ids []string, size int) [][]string {
	if size <= 0 {
		panic("chunk: size must be positive")
	}
	out := make([][]string, 0, (len(ids)+size-1)/size)
	for len(ids) > 0 {
		n := min(size, len(ids))
		out = append(out, ids[:n:n])
		ids = ids[n:]
	}
	return out
}

// inBatches runs describe over ids in chunks of size, at most
// describeConcurrency at a time, and concatenates the results in chunk
// order. Each goroutine writes only its own slot, so no lock is needed. The
// first error cancels the rest and is returned.
func inBatches[T any](ctx context.Context, ids []string, size int, describe func(context.Context, []string) ([]T, error)) ([]T, error) {
	batches := chunk(ids, size)
	results := make([][]T, len(batches))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(describeConcurrency)
	for i, b := range batches {
		if gctx.Err() != nil {
			break // a batch failed (or the caller gave up): start no more
		}
		g.Go(func() error {
			r, err := describe(gctx, b)
			results[i] = r
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	n := 0
	for _, r := range results {
		n += len(r)
	}
	out := make([]T, 0, n)
	for _, r := range results {
		out = append(out, r...)
	}
	return out, nil
}

// dedupe drops repeated ids, keeping the first occurrence's position.
func dedupe(ids []string) []string {
	seen := make(map[string]struct{}, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if _, ok := seen[id]; ok {
			continue
		}
		seen[id] = struct{}{}
		out = append(out, id)
	}
	return out
}
