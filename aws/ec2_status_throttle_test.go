package aws

import (
	"context"
	"strings"
	"testing"

	"deckhand/internal/cloud"
	"deckhand/internal/testbed"
)

// TestStatusChecksThrottledSayWhy: when DescribeInstanceStatus is
// throttled (a loopback proxy in front of moto answers it with
// RequestLimitExceeded) the instances are still listed and their CHECKS
// say the status was not read because of throttling — not a bare
// "unavailable" beside a header that rightly says ec2 is fresh.
func TestStatusChecksThrottledSayWhy(t *testing.T) {
	m := testbed.StartMoto(t)
	proxy, url := testbed.StartProxy(t, m.URL)
	c, err := Load(context.Background(), Options{EndpointURL: url, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ami, err := c.LatestAMI(ctx, "al2023")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RunInstance(ctx, cloud.InstanceSpec{Name: "checked", ImageID: ami.ID, InstanceType: "t3.micro"}); err != nil {
		t.Fatal(err)
	}
	proxy.SetThrottleOnly("query.DescribeInstanceStatus")
	in, err := c.Instances(ctx)
	if err != nil {
		t.Fatalf("Instances failed with only the status checks throttled: %v", err)
	}
	found := false
	for _, i := range in {
		if i.Name == "checked" && i.State == "running" {
			found = true
			if !strings.Contains(i.StatusCheck, "throttled") {
				t.Errorf("StatusCheck %q, want it to say the checks were throttled", i.StatusCheck)
			}
		}
	}
	if !found {
		t.Fatalf("the running instance is not listed: %+v", in)
	}
}
