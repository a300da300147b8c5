package main

import (
	"context"
	"fmt"
	"sync"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"golang.org/x/sync/errgroup"
)

// checkInstanceFlags says what is wrong with the instance flags, naming
// the flag and the fix, before anything is launched.
func checkInstanceFlags(instances, perRes, stopped, nameEvery int) string {
	switch {
	case nameEvery < 0:
		return fmt.Sprintf("--name-every %d: give 0 (no Name tags) or more", nameEvery)
	case instances < 0:
		return fmt.Sprintf("--instances %d: give 0 or more", instances)
	case perRes < 1 || perRes > 1000:
		return fmt.Sprintf("--per-reservation %d: give 1 to 1000 (RunInstances' MaxCount)", perRes)
	case stopped < 0 || stopped > instances:
		return fmt.Sprintf("--stopped %d: give 0 to --instances (%d)", stopped, instances)
	}
	return ""
}

// seedInstances launches n instances, perRes per RunInstances call (so
// n/perRes reservations; moto pages DescribeInstances by reservation), each
// nameEvery-th reservation named fleet-NNNNN by its Name tag (0: none), and
// stops the first `stopped` of them. Why not every one: moto finds an
// instance's tags by scanning every tag in the region, so 20,000 Name tags
// make each described instance cost ~45 ms in moto, which AWS does not.
func seedInstances(ctx context.Context, endpoint, region string, n, perRes, stopped, nameEvery int) error {
	if n == 0 {
		return nil
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return err
	}
	e := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = &endpoint })
	imgs, err := e.DescribeImages(ctx, &ec2.DescribeImagesInput{})
	if err != nil || len(imgs.Images) == 0 {
		return fmt.Errorf("no AMI to launch from: %v", err)
	}
	var (
		mu  sync.Mutex
		ids []string
	)
	// A few at a time: moto is one Python process, more only queue.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for r := 0; r*perRes < n; r++ {
		count := min(perRes, n-r*perRes)
		g.Go(func() error {
			in := &ec2.RunInstancesInput{
				ImageId: imgs.Images[0].ImageId, InstanceType: ec2types.InstanceTypeT3Micro,
				MinCount: sdkaws.Int32(int32(count)), MaxCount: sdkaws.Int32(int32(count)),
			}
			if nameEvery > 0 && r%nameEvery == 0 {
				in.TagSpecifications = []ec2types.TagSpecification{{
					ResourceType: ec2types.ResourceTypeInstance,
					Tags:         []ec2types.Tag{{Key: sdkaws.String("Name"), Value: sdkaws.String(fmt.Sprintf("fleet-%05d", r))}},
				}}
			}
			out, err := e.RunInstances(gctx, in)
			if err != nil {
				return fmt.Errorf("RunInstances: %w", err)
			}
			mu.Lock()
			for _, in := range out.Instances {
				ids = append(ids, sdkaws.ToString(in.InstanceId))
			}
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i := 0; i < stopped; i += 100 {
		if _, err := e.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids[i:min(i+100, stopped)]}); err != nil {
			return fmt.Errorf("StopInstances: %w", err)
		}
	}
	fmt.Printf("%d instances in %d reservations of up to %d, %d stopped\n", n, (n+perRes-1)/perRes, perRes, stopped)
	return nil
}
