package aws

import (
	"context"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"deckhand/internal/cloud"
)

// TestRuleShapesOnMoto: rules deckhand never adds — all traffic and a port
// range, made here with the SDK as the console would — are read with
// their ranges, let the right ports through, and are deleted by the
// adapter's RevokeIngress.
func TestRuleShapesOnMoto(t *testing.T) {
	f := newFixture(t)
	c, _ := f.client(t)
	ctx := context.Background()
	vpc, err := c.DefaultVPC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: sdkaws.String("shapes"),
		Description: sdkaws.String("rule shapes"), VpcId: sdkaws.String(vpc.ID)})
	if err != nil {
		t.Fatal(err)
	}
	id := sdkaws.ToString(g.GroupId)
	if _, err := f.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g.GroupId,
		IpPermissions: []ec2types.IpPermission{
			{IpProtocol: sdkaws.String("-1"), IpRanges: []ec2types.IpRange{{CidrIp: sdkaws.String("10.0.0.0/8")}}},
			{IpProtocol: sdkaws.String("tcp"), FromPort: sdkaws.Int32(8000), ToPort: sdkaws.Int32(8100),
				IpRanges: []ec2types.IpRange{{CidrIp: sdkaws.String("0.0.0.0/0")}}},
		}}); err != nil {
		t.Fatal(err)
	}
	read := func() []cloud.IngressRule {
		gs, err := c.SecurityGroups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range gs {
			if x.ID == id {
				return x.Ingress
			}
		}
		t.Fatalf("group %s not listed", id)
		return nil
	}
	rules := read()
	texts := map[string]cloud.IngressRule{}
	for _, r := range rules {
		texts[r.PortText()+" from "+r.CIDR] = r
	}
	all, okAll := texts["all traffic from 10.0.0.0/8"]
	rng, okRange := texts["tcp 8000-8100 from 0.0.0.0/0"]
	if len(rules) != 2 || !okAll || !okRange {
		t.Fatalf("rules read %+v, want all traffic from 10.0.0.0/8 and tcp 8000-8100 from anywhere", rules)
	}
	for _, tc := range []struct {
		r    cloud.IngressRule
		port int32
		want bool
	}{{all, 5432, true}, {rng, 8050, true}, {rng, 8101, false}, {rng, 7999, false}} {
		if got := tc.r.Allows("tcp", tc.port); got != tc.want {
			t.Errorf("%s allows tcp %d = %v, want %v", tc.r.PortText(), tc.port, got, tc.want)
		}
	}
	for _, r := range []cloud.IngressRule{all, rng} {
		if err := c.RevokeIngress(ctx, id, r); err != nil {
			t.Fatalf("RevokeIngress(%s): %v", r.PortText(), err)
		}
	}
	if left := read(); len(left) != 0 {
		t.Errorf("after both revokes the group still has %+v", left)
	}
}
