package aws

import (
	"context"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"deckhand/internal/cloud"
	"deckhand/internal/testbed"
)

// TestInstancesWithoutDescribeInstanceStatus: with IAM enforced (moto), a
// user who may call ec2:DescribeInstances but not DescribeInstanceStatus
// (a common read-only policy) still gets every fetch: the rows on screen
// are described in full instead of read by state, their checks say which
// permission is missing, and the state sweep stops asking.
func TestInstancesWithoutDescribeInstanceStatus(t *testing.T) {
	// The five setup calls below run before moto starts enforcing IAM.
	m := testbed.StartMotoEnv(t, "INITIAL_NO_AUTH_ACTION_COUNT=5")
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	ec2c := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = sdkaws.String(m.URL) })
	iamc := iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = sdkaws.String(m.URL) })
	f := &fixture{m: m, ec2: ec2c}
	out, err := ec2c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: sdkaws.String(f.ami(t)),
		InstanceType: ec2types.InstanceTypeT3Micro, MinCount: sdkaws.Int32(3), MaxCount: sdkaws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, in := range out.Instances {
		ids = append(ids, sdkaws.ToString(in.InstanceId))
	}
	if _, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: sdkaws.String("viewer")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: sdkaws.String("viewer"), PolicyName: sdkaws.String("ec2-list"),
		PolicyDocument: sdkaws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:DescribeInstances"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	key, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdkaws.String("viewer")})
	if err != nil {
		t.Fatal(err)
	}
	c, err := load(ctx, Options{EndpointURL: m.URL, Region: "us-east-1"},
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			sdkaws.ToString(key.AccessKey.AccessKeyId), sdkaws.ToString(key.AccessKey.SecretAccessKey), "")))
	if err != nil {
		t.Fatal(err)
	}
	src := cloud.NewEC2Source(c)
	src.SetSweep(100 * time.Millisecond) // sweeps on every tick below
	if _, err := src.Fetch(ctx); err != nil {
		t.Fatalf("first read: %v", err)
	}
	src.OnScreen(ids)
	for i := range 6 {
		s, err := src.Fetch(ctx)
		if err != nil {
			t.Fatalf("fetch %d: %v; want the instances without their checks", i, err)
		}
		if len(s.Instances) != 3 {
			t.Fatalf("fetch %d: %d instances, want 3", i, len(s.Instances))
		}
		if i > 0 { // the first fetch's screen rows come from the first read
			for _, in := range s.Instances {
				if in.State != "running" || !strings.Contains(in.StatusCheck, "ec2:DescribeInstanceStatus") {
					t.Errorf("fetch %d: %s is %s with checks %q; want running, checks naming ec2:DescribeInstanceStatus", i, in.ID, in.State, in.StatusCheck)
				}
			}
		}
		time.Sleep(150 * time.Millisecond)
	}
	if st, ok := src.EC2SweepStats(); !ok || st.StateEvery != 0 {
		t.Errorf("EC2SweepStats = %+v, %v; want the state sweep stopped (StateEvery 0) once refused", st, ok)
	}
}
