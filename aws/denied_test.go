package aws

import (
	"context"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
	"deckhand/internal/testbed"
)

// readerPolicy allows the ECS reads deckhand makes except DescribeServices.
const readerPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
"ecs:ListClusters","ecs:DescribeClusters","ecs:ListServices","ecs:ListTasks","ecs:DescribeTasks"],"Resource":"*"}]}`

// TestOneDeniedECSActionKeepsTheClusters: with IAM enforced (moto), a user
// who may not call ecs:DescribeServices still gets the clusters; the
// services are reported as not read, naming the denied action.
func TestOneDeniedECSActionKeepsTheClusters(t *testing.T) {
	// The six setup calls below run before moto starts enforcing IAM.
	m := testbed.StartMotoEnv(t, "INITIAL_NO_AUTH_ACTION_COUNT=6")
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	ecsc := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = sdkaws.String(m.URL) })
	iamc := iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = sdkaws.String(m.URL) })
	mustDo := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err = ecsc.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: sdkaws.String("prod")})
	mustDo("CreateCluster", err)
	_, err = ecsc.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: sdkaws.String("web"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: sdkaws.String("web"), Image: sdkaws.String("nginx"), Memory: sdkaws.Int32(128)}}})
	mustDo("RegisterTaskDefinition", err)
	_, err = ecsc.CreateService(ctx, &ecs.CreateServiceInput{Cluster: sdkaws.String("prod"), ServiceName: sdkaws.String("web"),
		TaskDefinition: sdkaws.String("web"), DesiredCount: sdkaws.Int32(0)})
	mustDo("CreateService", err)
	_, err = iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: sdkaws.String("oncall")})
	mustDo("CreateUser", err)
	_, err = iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: sdkaws.String("oncall"), PolicyName: sdkaws.String("reader"),
		PolicyDocument: sdkaws.String(readerPolicy)})
	mustDo("PutUserPolicy", err)
	key, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdkaws.String("oncall")})
	mustDo("CreateAccessKey", err)

	t.Setenv("AWS_ACCESS_KEY_ID", sdkaws.ToString(key.AccessKey.AccessKeyId))
	t.Setenv("AWS_SECRET_ACCESS_KEY", sdkaws.ToString(key.AccessKey.SecretAccessKey))
	t.Setenv("AWS_SESSION_TOKEN", "")
	c, err := load(ctx, Options{EndpointURL: m.URL, Region: "us-east-1"},
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			sdkaws.ToString(key.AccessKey.AccessKeyId), sdkaws.ToString(key.AccessKey.SecretAccessKey), "")))
	if err != nil {
		t.Fatal(err)
	}
	set, err := cloud.NewECSSource(c).Fetch(ctx)
	if err != nil {
		t.Fatalf("Fetch = %v; want the clusters and the services marked as not read", err)
	}
	if len(set.Clusters) != 1 || set.Clusters[0].Name != "prod" || !set.Owns(resource.KindCluster) || set.Owns(resource.KindService) {
		t.Fatalf("set = %+v; want cluster prod, services not owned", set)
	}
	serr := set.Failed[resource.KindService]
	if serr == nil || !strings.Contains(serr.Error(), "ecs:DescribeServices") {
		t.Errorf("services error = %v; want it to name ecs:DescribeServices", serr)
	}
	t.Logf("services: %v", serr)
}
