package main

import (
	"context"
	"testing"

	"deckhand/aws"
)

// TestWatchSourcesTargeted guards the wiring issue 8's measurements found
// broken: the sources cmd/deckhand builds for an AWS account must poll by
// id and show a first load as it arrives. Given the awsBackend wrapper
// instead of the account, every fetch re-read the whole account.
func TestWatchSourcesTargeted(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	// Load makes no call: an unused loopback endpoint is enough.
	c, err := aws.Load(context.Background(), aws.Options{Region: "us-east-1", EndpointURL: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	ecs, ec2 := watchSources(&awsBackend{Account: c, region: "us-east-1"})
	for _, tc := range []struct {
		what string
		got  bool
	}{
		{"ECS source polls by ARN (cloud.TargetedReader)", ecs.Targeted()},
		{"ECS source shows a first load as it arrives (cloud.ServicePager)", ecs.Progressive()},
		{"EC2 source polls by id (cloud.TargetedReader)", ec2.Targeted()},
	} {
		if !tc.got {
			t.Errorf("%s: false", tc.what)
		}
	}
}
