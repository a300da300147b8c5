package cloud

import (
	"context"
	"fmt"
	"testing"
	"time"

	"deckhand/internal/resource"
)

// heldPager is a Reader and ServicePager over services already in memory,
// handed out in DescribeServices' batches of 10: it isolates what the
// source itself spends on reporting a first load as it arrives (the
// calls' own cost is BenchmarkServices2000Moto's, in aws/).
type heldPager struct {
	clusters []resource.Cluster
	services map[string][]resource.Service
}

func (h *heldPager) Identity(context.Context) (Identity, error)             { return Identity{}, nil }
func (h *heldPager) Instances(context.Context) ([]resource.Instance, error) { return nil, nil }
func (h *heldPager) Clusters(context.Context) ([]resource.Cluster, error)   { return h.clusters, nil }
func (h *heldPager) Tasks(context.Context, string) ([]resource.Task, error) { return nil, nil }
func (h *heldPager) Services(ctx context.Context, arn string) ([]resource.Service, error) {
	return h.ServicesEach(ctx, arn, nil)
}

func (h *heldPager) ServicesEach(_ context.Context, arn string, batch func([]resource.Service)) ([]resource.Service, error) {
	all := h.services[arn]
	for i := 0; i < len(all) && batch != nil; i += 10 {
		batch(all[i:min(i+10, len(all))])
	}
	return all, nil
}

func heldAccount(clusters, perCluster int) *heldPager {
	h := &heldPager{services: map[string][]resource.Service{}}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for c := range clusters {
		arn := fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:cluster/c%02d", c+1)
		h.clusters = append(h.clusters, resource.Cluster{ARN: arn, Name: fmt.Sprintf("c%02d", c+1), Status: "ACTIVE"})
		for i := range perCluster {
			name := fmt.Sprintf("svc-%05d", i)
			s := resource.Service{
				ARN: fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:service/c%02d/%s", c+1, name), Name: name, ClusterARN: arn,
				Status: "ACTIVE", Desired: 1, Pending: 1, TaskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
				Rollout: "IN_PROGRESS", Deployments: 1, CreatedAt: at,
				Rollouts: []resource.Deployment{{ID: "ecs-svc/1", Status: "PRIMARY", Desired: 1, Pending: 1, Rollout: "IN_PROGRESS", CreatedAt: at, UpdatedAt: at}},
			}
			for e := range 5 {
				s.Events = append(s.Events, resource.ServiceEvent{At: at.Add(time.Duration(-e) * time.Minute), Message: "(service " + name + ") has started 1 tasks: (task 0123456789abcdef)."})
			}
			s.LastEvent = s.Events[0]
			h.services[arn] = append(h.services[arn], s)
		}
	}
	return h
}

// BenchmarkPartialReport2000: a first load of 2,000 services (200 batches
// of 10) reported as it arrives, every partial read by the consumer, in
// one cluster and in 10 of 200 (AutoClusters: all expanded).
//
//	go test ./internal/cloud -run '^$' -bench PartialReport2000 -benchmem
func BenchmarkPartialReport2000(b *testing.B) {
	for _, tc := range []struct {
		name               string
		clusters, services int
	}{
		{"1x2000", 1, 2000},
		{"10x200", 10, 200},
	} {
		b.Run(tc.name, func(b *testing.B) {
			src := NewECSSource(heldAccount(tc.clusters, tc.services))
			for b.Loop() {
				seen := 0
				set, err := src.FetchProgress(context.Background(), func(s resource.Set) { seen += len(s.Services) })
				if err != nil || len(set.Services) != tc.clusters*tc.services || seen == 0 {
					b.Fatalf("%d services, %d seen in partials, err %v", len(set.Services), seen, err)
				}
			}
		})
	}
}
