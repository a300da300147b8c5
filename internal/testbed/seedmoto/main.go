// Command seedmoto fills an AWS-compatible endpoint (moto, LocalStack) with a
// small account to look at: a few EC2 instances in different states and two
// ECS clusters with services and tasks. scripts/moto-demo uses it; it is
// also handy for trying deckhand by hand:
//
//	go run ./internal/testbed/seedmoto --endpoint-url http://127.0.0.1:5000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func main() {
	endpoint := flag.String("endpoint-url", os.Getenv("AWS_ENDPOINT_URL"), "endpoint to seed (required)")
	region := flag.String("region", "us-east-1", "region")
	flag.Parse()
	if *endpoint == "" {
		fmt.Fprintln(os.Stderr, "seedmoto: --endpoint-url is required (e.g. http://127.0.0.1:5000)")
		os.Exit(2)
	}
	if err := seed(context.Background(), *endpoint, *region); err != nil {
		fmt.Fprintln(os.Stderr, "seedmoto:", err)
		os.Exit(1)
	}
}

func seed(ctx context.Context, endpoint, region string) error {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return err
	}
	e := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = &endpoint })
	c := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = &endpoint })

	imgs, err := e.DescribeImages(ctx, &ec2.DescribeImagesInput{})
	if err != nil || len(imgs.Images) == 0 {
		return fmt.Errorf("no AMI to launch from: %v", err)
	}
	ami := imgs.Images[0].ImageId
	ids := map[string]string{}
	for _, name := range []string{"web-1", "web-2", "batch-worker", "old-bastion"} {
		out, err := e.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: ami, InstanceType: ec2types.InstanceTypeT3Micro, MinCount: sdkaws.Int32(1), MaxCount: sdkaws.Int32(1),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance,
				Tags: []ec2types.Tag{{Key: sdkaws.String("Name"), Value: sdkaws.String(name)}}}},
		})
		if err != nil {
			return fmt.Errorf("RunInstances %s: %w", name, err)
		}
		ids[name] = *out.Instances[0].InstanceId
		fmt.Printf("instance %s %s\n", name, ids[name])
	}
	if _, err := e.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{ids["batch-worker"]}}); err != nil {
		return err
	}
	if _, err := e.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{ids["old-bastion"]}}); err != nil {
		return err
	}

	td, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: sdkaws.String("flask"), RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: sdkaws.String("256"), Memory: sdkaws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: sdkaws.String("web"), Image: sdkaws.String("flask:latest"),
			Essential: sdkaws.Bool(true), Memory: sdkaws.Int32(512), PortMappings: []ecstypes.PortMapping{{ContainerPort: sdkaws.Int32(5000)}}}},
	})
	if err != nil {
		return fmt.Errorf("RegisterTaskDefinition: %w", err)
	}
	tdArn := td.TaskDefinition.TaskDefinitionArn
	subnets, err := e.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil || len(subnets.Subnets) == 0 {
		return fmt.Errorf("no subnet for Fargate tasks: %v", err)
	}
	sgs, err := e.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
	if err != nil || len(sgs.SecurityGroups) == 0 {
		return fmt.Errorf("no security group for Fargate tasks: %v", err)
	}
	network := &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
		Subnets: []string{*subnets.Subnets[0].SubnetId}, SecurityGroups: []string{*sgs.SecurityGroups[0].GroupId},
		AssignPublicIp: ecstypes.AssignPublicIpEnabled}}
	for cluster, services := range map[string]map[string]int32{"demo": {"web": 2, "worker": 1}, "staging": {"web": 1}} {
		if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: sdkaws.String(cluster)}); err != nil {
			return fmt.Errorf("CreateCluster %s: %w", cluster, err)
		}
		for svc, n := range services {
			if _, err := c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: sdkaws.String(cluster), ServiceName: sdkaws.String(svc),
				TaskDefinition: tdArn, DesiredCount: sdkaws.Int32(n), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: network}); err != nil {
				return fmt.Errorf("CreateService %s/%s: %w", cluster, svc, err)
			}
			// moto's services do not start tasks; start them as a service's
			// scheduler would, in the service's group.
			if _, err := c.RunTask(ctx, &ecs.RunTaskInput{Cluster: sdkaws.String(cluster), TaskDefinition: tdArn, Count: sdkaws.Int32(n),
				Group: sdkaws.String("service:" + svc), LaunchType: ecstypes.LaunchTypeFargate, StartedBy: sdkaws.String("ecs-svc/" + svc), NetworkConfiguration: network}); err != nil && !mangledCPU(err) {
				return fmt.Errorf("RunTask %s/%s: %w", cluster, svc, err)
			}
			fmt.Printf("service %s/%s desired %d\n", cluster, svc, n)
		}
	}
	return nil
}

// mangledCPU reports moto's known fault: it returns a task container's cpu
// as a number where AWS returns a string, so the SDK cannot decode RunTask's
// answer although the tasks were started.
func mangledCPU(err error) bool {
	return strings.Contains(err.Error(), "deserialization failed, expected string, got")
}
