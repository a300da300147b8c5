package aws

import (
	"context"
	"slices"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"deckhand/internal/cloud"
)

var _ cloud.SecurityGroupReader = (*Client)(nil)

// SecurityGroups lists the region's security groups with their ingress
// rules, one rule per port range and source (EC2 groups sources per
// permission; a port range is shown by its first port).
func (c *Client) SecurityGroups(ctx context.Context) ([]cloud.SecurityGroup, error) {
	var out []cloud.SecurityGroup
	p := ec2.NewDescribeSecurityGroupsPaginator(c.ec2, &ec2.DescribeSecurityGroupsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("ec2", "DescribeSecurityGroups", err)
		}
		for _, g := range page.SecurityGroups {
			sg := cloud.SecurityGroup{ID: sdkaws.ToString(g.GroupId), Name: sdkaws.ToString(g.GroupName),
				VpcID: sdkaws.ToString(g.VpcId), Description: sdkaws.ToString(g.Description), Tags: map[string]string{}}
			for _, t := range g.Tags {
				sg.Tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
			}
			for _, perm := range g.IpPermissions {
				// The range as EC2 reports it (Key drops the ports of
				// "all traffic" and the ToPort of a one-port range).
				base := cloud.IngressRule{Protocol: sdkaws.ToString(perm.IpProtocol), Port: sdkaws.ToInt32(perm.FromPort), ToPort: sdkaws.ToInt32(perm.ToPort)}
				if k := base.Key(); k.Protocol == "tcp" || k.Protocol == "udp" || k.Protocol == "-1" {
					base.Port, base.ToPort = k.Port, k.ToPort
				}
				rule := func(cidr, group string, desc *string) cloud.IngressRule {
					r := base
					r.CIDR, r.SourceGroupID, r.Description = cidr, group, sdkaws.ToString(desc)
					return r
				}
				for _, r := range perm.IpRanges {
					sg.Ingress = append(sg.Ingress, rule(sdkaws.ToString(r.CidrIp), "", r.Description))
				}
				for _, r := range perm.Ipv6Ranges {
					sg.Ingress = append(sg.Ingress, rule(sdkaws.ToString(r.CidrIpv6), "", r.Description))
				}
				for _, r := range perm.UserIdGroupPairs {
					sg.Ingress = append(sg.Ingress, rule("", sdkaws.ToString(r.GroupId), r.Description))
				}
			}
			out = append(out, sg)
		}
	}
	slices.SortFunc(out, func(x, y cloud.SecurityGroup) int {
		if c := strings.Compare(x.Name, y.Name); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out, nil
}
