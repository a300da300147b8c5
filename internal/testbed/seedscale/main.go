// Command seedscale fills an AWS-compatible endpoint (moto) with an account
// of the size issue 8 measures: one ECS cluster of many services (moto keeps
// every deployment IN_PROGRESS, so all of them look like rollouts) and,
// optionally, many EC2 instances. The idle-minute benchmark
// (scripts/bench-idle) uses it:
//
//	go run ./internal/testbed/seedscale --endpoint-url http://127.0.0.1:5000 --services 2000
//
// With --clusters N (more than one) it makes N clusters named after
// --cluster with a two-digit number (c01 … c20), each of --services
// services: issue 8's "5,000 services across 20 clusters" is
//
//	go run ./internal/testbed/seedscale --endpoint-url http://127.0.0.1:5000 --cluster c --clusters 20 --services 250
//
// and 20,000 instances:
//
//	go run ./internal/testbed/seedscale --endpoint-url http://127.0.0.1:5000 --services 0 \
//		--instances 20000 --per-reservation 25 --stopped 200
//
// The instances are launched --per-reservation at a time, one reservation
// per RunInstances call, because moto pages DescribeInstances by
// reservation (MaxResults counts reservations there, instances on AWS): one
// reservation of 20,000 is one page whatever MaxResults says. What moto can
// and cannot show: an instance is "running" as soon as RunInstances returns
// and StopInstances makes it "stopped" at once, so an account seeded here
// has running and stopped instances but none pending, stopping or
// shutting-down (a transition is a state change between two reads).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"golang.org/x/sync/errgroup"
)

func main() {
	endpoint := flag.String("endpoint-url", os.Getenv("AWS_ENDPOINT_URL"), "endpoint to seed (required)")
	region := flag.String("region", "us-east-1", "region")
	cluster := flag.String("cluster", "big", "cluster name")
	services := flag.Int("services", 2000, "services to create in each cluster")
	clusters := flag.Int("clusters", 1, "clusters to create; more than one are named CLUSTER01, CLUSTER02 …")
	instances := flag.Int("instances", 0, "EC2 instances to run")
	desired := flag.Int("desired", 1, "each service's desired count (moto keeps a service with desired > 0 IN_PROGRESS: no task ever starts)")
	perRes := flag.Int("per-reservation", 50, "instances per RunInstances call (one reservation each; 1-1000)")
	stopped := flag.Int("stopped", 0, "of the instances, how many to stop (moto stops them at once)")
	nameEvery := flag.Int("name-every", 1, "give every Nth reservation a Name tag (0: none; moto's tag lookup scans every tag, so many tags slow each described instance)")
	flag.Parse()
	if msg := checkInstanceFlags(*instances, *perRes, *stopped, *nameEvery); msg != "" {
		fmt.Fprintln(os.Stderr, "seedscale:", msg)
		os.Exit(2)
	}
	if *endpoint == "" {
		fmt.Fprintln(os.Stderr, "seedscale: --endpoint-url is required (e.g. http://127.0.0.1:5000)")
		os.Exit(2)
	}
	if *clusters < 1 || *clusters > 99 {
		fmt.Fprintln(os.Stderr, "seedscale: --clusters must be between 1 and 99 (their names have two digits)")
		os.Exit(2)
	}
	if err := seedInstances(context.Background(), *endpoint, *region, *instances, *perRes, *stopped, *nameEvery); err != nil {
		fmt.Fprintln(os.Stderr, "seedscale:", err)
		os.Exit(1)
	}
	if err := seed(context.Background(), *endpoint, *region, clusterNames(*cluster, *clusters), *services, int32(*desired)); err != nil {
		fmt.Fprintln(os.Stderr, "seedscale:", err)
		os.Exit(1)
	}
}

// clusterNames is name itself for one cluster, else name01 … nameNN (two
// digits, so that they sort in creation order as deckhand lists them).
func clusterNames(name string, n int) []string {
	if n == 1 {
		return []string{name}
	}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", name, i+1)
	}
	return out
}

func seed(ctx context.Context, endpoint, region string, clusters []string, services int, desired int32) error {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return err
	}
	c := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = &endpoint })
	if services > 0 {
		td, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
			Family: sdkaws.String("web"),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{
				Name: sdkaws.String("web"), Image: sdkaws.String("nginx:1.27"), MemoryReservation: sdkaws.Int32(64),
			}},
		})
		if err != nil {
			return fmt.Errorf("RegisterTaskDefinition: %w", err)
		}
		for _, cluster := range clusters {
			cl, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: sdkaws.String(cluster)})
			if err != nil {
				return fmt.Errorf("CreateCluster: %w", err)
			}
			// A few at a time: moto is one Python process, more only queue.
			g, gctx := errgroup.WithContext(ctx)
			g.SetLimit(4)
			for i := range services {
				g.Go(func() error {
					_, err := c.CreateService(gctx, &ecs.CreateServiceInput{
						Cluster: cl.Cluster.ClusterArn, ServiceName: sdkaws.String(fmt.Sprintf("svc-%05d", i)),
						TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: sdkaws.Int32(desired),
					})
					return err
				})
			}
			if err := g.Wait(); err != nil {
				return fmt.Errorf("CreateService: %w", err)
			}
			fmt.Printf("cluster %s: %d services\n", cluster, services)
		}
	}
	return nil
}
