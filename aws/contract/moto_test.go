package contract_test

import (
	"context"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"deckhand/aws"
	"deckhand/aws/contract"
	"deckhand/internal/cloud"
	"deckhand/internal/testbed"
)

// TestMoto runs the contract against the SDK adapter pointed at one moto
// server, shared by the suite's parallel groups (testbed.StartMoto sets
// environment variables, so it runs here, before the groups start).
//
// moto checks key pairs and AMIs only when asked to: the two variables
// below make the server (a child process, which inherits them) answer
// InvalidKeyPair.NotFound and InvalidAMIID.NotFound as AWS does.
func TestMoto(t *testing.T) {
	t.Setenv("MOTO_ENABLE_KEYPAIR_VALIDATION", "true")
	t.Setenv("MOTO_ENABLE_AMI_VALIDATION", "true")
	// AWS's managed policies (the task execution role's) exist in moto
	// only when it is asked to load them.
	t.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	m := testbed.StartMoto(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	seed := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = sdkaws.String(m.URL) })

	contract.Run(t, contract.Target{
		Name: "moto",
		New: func(t *testing.T) cloud.Backend {
			c, err := aws.Load(ctx, aws.Options{EndpointURL: m.URL, Region: "us-east-1"})
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		Seeded: func(t *testing.T, _ cloud.Backend) contract.Fixtures { return motoFixtures(t, seed) },
		Quirks: contract.Quirks{
			InstantInstanceStates: true, // states are set in the API call itself
			NoInstanceStateChecks: true, // starts a terminated instance
			TasksWalkOnDescribe:   true, // ecs::task state manager, "immediate" by default
			NoStopCode:            true,
			NoTaskTimestamps:      true,
			NoClusterDeleteChecks: true,
			StopUnknownTaskFails:  true, // a Python exception: HTTP 500
			ListsDeletedServices:  true, // marked INACTIVE, never removed

			NoTaskPublicIP:                  true, // the task's ENI has no association
			NoSecurityGroupDependencyChecks: true,
			NoUbuntuAMI:                     true, // only Amazon Linux's SSM parameters and AMIs
			// RunInstances looks the profile up in IAM and lets IAM's
			// error through.
			UnknownInstanceProfileNoSuchEntity: true,
		},
	})
}

// motoFixtures finds moto's default VPC subnets and security group and an
// Amazon Linux AMI, and creates a key pair.
func motoFixtures(t *testing.T, c *ec2.Client) contract.Fixtures {
	t.Helper()
	ctx := context.Background()
	subnets, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: sdkaws.String("default-for-az"), Values: []string{"true"}}},
	})
	if err != nil || len(subnets.Subnets) == 0 {
		t.Fatalf("DescribeSubnets: %v (%d default subnets)", err, len(subnets.Subnets))
	}
	sn := subnets.Subnets[0]
	groups, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: sdkaws.String("group-name"), Values: []string{"default"}},
		{Name: sdkaws.String("vpc-id"), Values: []string{sdkaws.ToString(sn.VpcId)}},
	}})
	if err != nil || len(groups.SecurityGroups) == 0 {
		t.Fatalf("DescribeSecurityGroups: %v (%d groups)", err, len(groups.SecurityGroups))
	}
	// Filtered: an unfiltered DescribeImages makes moto serialise its
	// ~1,200 default images.
	images, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{
		Owners:  []string{"amazon"},
		Filters: []ec2types.Filter{{Name: sdkaws.String("name"), Values: []string{"amzn2-ami-hvm-2.0.*-x86_64-gp2"}}},
	})
	if err != nil || len(images.Images) == 0 {
		t.Fatalf("DescribeImages: %v (%d images)", err, len(images.Images))
	}
	key := "contract-" + t.Name()
	for i, r := range key {
		if r == '/' || r == ' ' {
			key = key[:i] + "-" + key[i+1:]
		}
	}
	if _, err := c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: sdkaws.String(key)}); err != nil {
		t.Fatalf("CreateKeyPair: %v", err)
	}
	return contract.Fixtures{
		ImageID:       sdkaws.ToString(images.Images[0].ImageId),
		Subnets:       []string{sdkaws.ToString(sn.SubnetId)},
		SecurityGroup: sdkaws.ToString(groups.SecurityGroups[0].GroupId),
		KeyName:       key,
	}
}
