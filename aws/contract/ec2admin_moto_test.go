package contract_test

import (
	"context"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"deckhand/aws"
	"deckhand/aws/contract"
	"deckhand/internal/cloud"
	"deckhand/internal/testbed"
)

// TestMotoEC2Admin runs the EC2 administration contract (reboot, console
// output, key pairs, security group rules) against the SDK adapter on moto.
func TestMotoEC2Admin(t *testing.T) {
	t.Setenv("MOTO_ENABLE_KEYPAIR_VALIDATION", "true")
	m := testbed.StartMoto(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	seed := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = sdkaws.String(m.URL) })
	ro, err := aws.Load(ctx, aws.Options{EndpointURL: m.URL, Region: "us-east-1", Readonly: true})
	if err != nil {
		t.Fatal(err)
	}
	contract.RunEC2Admin(t, contract.Target{
		Name: "moto",
		New: func(t *testing.T) cloud.Backend {
			c, err := aws.Load(ctx, aws.Options{EndpointURL: m.URL, Region: "us-east-1"})
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		Seeded: func(t *testing.T, _ cloud.Backend) contract.Fixtures { return motoFixtures(t, seed) },
		Quirks: contract.Quirks{InstantInstanceStates: true},
	}, ro)
}
