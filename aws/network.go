package aws

import (
	"deckhand/internal/cloud"

	"context"
	"maps"
	"net/netip"
	"slices"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// EC2 networking and the task's address: the Network capability.

// DefaultVPC finds the region's default VPC.
func (c *Client) DefaultVPC(ctx context.Context) (cloud.VPC, error) {
	out, err := c.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{
		Filters: []ec2types.Filter{{Name: sdkaws.String("is-default"), Values: []string{"true"}}},
	})
	if err != nil {
		return cloud.VPC{}, wrap("ec2", "DescribeVpcs", err)
	}
	if len(out.Vpcs) == 0 {
		return cloud.VPC{}, errNoDefaultVPC(c.Region())
	}
	v := out.Vpcs[0]
	return cloud.VPC{ID: sdkaws.ToString(v.VpcId), CIDR: sdkaws.ToString(v.CidrBlock)}, nil
}

func errNoDefaultVPC(region string) error {
	return &cloud.Error{Service: "ec2", Operation: "DescribeVpcs", Code: cloud.CodeNoDefaultVPC,
		Message: "region " + region + " has no default VPC; create one with `aws ec2 create-default-vpc`, or choose a VPC"}
}

// Subnets lists a VPC's subnets, sorted by availability zone, then id.
func (c *Client) Subnets(ctx context.Context, vpcID string) ([]cloud.Subnet, error) {
	if err := cloud.ValidateVpcID("DescribeSubnets", vpcID); err != nil {
		return nil, err
	}
	var subnets []cloud.Subnet
	p := ec2.NewDescribeSubnetsPaginator(c.ec2, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{vpcID}}},
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("ec2", "DescribeSubnets", err)
		}
		for _, s := range out.Subnets {
			subnets = append(subnets, cloud.Subnet{
				ID: sdkaws.ToString(s.SubnetId), VpcID: sdkaws.ToString(s.VpcId), AZ: sdkaws.ToString(s.AvailabilityZone),
				CIDR: sdkaws.ToString(s.CidrBlock), PublicIPOnLaunch: sdkaws.ToBool(s.MapPublicIpOnLaunch),
				Default: sdkaws.ToBool(s.DefaultForAz),
			})
		}
	}
	cloud.SortSubnets(subnets)
	return subnets, nil
}

// EnsureSecurityGroup finds the group by name in the VPC or creates it with
// tags (in the create request itself), then authorizes the ingress rules it
// lacks, in one call.
func (c *Client) EnsureSecurityGroup(ctx context.Context, spec cloud.SecurityGroupSpec) (string, bool, error) {
	if c.readonly {
		return "", false, cloud.ErrReadonly
	}
	if err := cloud.ValidateSecurityGroupSpec(spec); err != nil {
		return "", false, err
	}
	g, err := c.findGroup(ctx, spec.VpcID, spec.Name)
	if err != nil {
		return "", false, err
	}
	created := false
	if g == nil {
		out, err := c.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
			GroupName: sdkaws.String(spec.Name), Description: sdkaws.String(cloud.SecurityGroupDescription(spec)),
			VpcId:             sdkaws.String(spec.VpcID),
			TagSpecifications: ec2TagSpec(ec2types.ResourceTypeSecurityGroup, spec.Tags),
		})
		switch {
		case hasCode(err, "InvalidGroup.Duplicate"):
			if g, err = c.findGroup(ctx, spec.VpcID, spec.Name); err != nil {
				return "", false, err
			}
		case err != nil:
			return "", false, wrap("ec2", "CreateSecurityGroup", err)
		default:
			g, created = &ec2types.SecurityGroup{GroupId: out.GroupId}, true
		}
	}
	if g == nil {
		return "", false, &cloud.Error{Service: "ec2", Operation: "DescribeSecurityGroups", Code: "InvalidGroup.NotFound",
			Message: "The security group '" + spec.Name + "' does not exist in VPC '" + spec.VpcID + "'"}
	}
	id := sdkaws.ToString(g.GroupId)
	missing := cloud.MissingIngress(spec.Ingress, ingressOf(g.IpPermissions))
	if len(missing) == 0 {
		return id, created, nil
	}
	var perms []ec2types.IpPermission
	for _, r := range missing {
		perms = append(perms, permission(r))
	}
	_, err = c.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sdkaws.String(id), IpPermissions: perms})
	if err != nil && !hasCode(err, "InvalidPermission.Duplicate") { // a concurrent run added them
		return id, created, wrap("ec2", "AuthorizeSecurityGroupIngress", err)
	}
	return id, created, nil
}

// ingressOf flattens EC2's permissions (CIDR blocks and source groups)
// into single-port rules; port ranges and other protocols are kept with
// Port 0 and never match a wanted rule.
func ingressOf(perms []ec2types.IpPermission) []cloud.IngressRule {
	var out []cloud.IngressRule
	for _, p := range perms {
		port := int32(0)
		if sdkaws.ToInt32(p.FromPort) == sdkaws.ToInt32(p.ToPort) {
			port = sdkaws.ToInt32(p.FromPort)
		}
		proto := sdkaws.ToString(p.IpProtocol)
		for _, r := range p.IpRanges {
			out = append(out, cloud.IngressRule{Protocol: proto, Port: port, CIDR: canonicalCIDR(sdkaws.ToString(r.CidrIp)), Description: sdkaws.ToString(r.Description)})
		}
		for _, r := range p.Ipv6Ranges {
			out = append(out, cloud.IngressRule{Protocol: proto, Port: port, CIDR: canonicalCIDR(sdkaws.ToString(r.CidrIpv6)), Description: sdkaws.ToString(r.Description)})
		}
		// A source group of another account comes with its UserId; the
		// group id alone is unique, and is what a wanted rule names.
		for _, g := range p.UserIdGroupPairs {
			out = append(out, cloud.IngressRule{Protocol: proto, Port: port, SourceGroupID: sdkaws.ToString(g.GroupId), Description: sdkaws.ToString(g.Description)})
		}
	}
	return out
}

func canonicalCIDR(s string) string {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked().String()
	}
	return s
}

// findGroup returns the group of that name in the VPC, or nil.
func (c *Client) findGroup(ctx context.Context, vpcID, name string) (*ec2types.SecurityGroup, error) {
	out, err := c.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: sdkaws.String("vpc-id"), Values: []string{vpcID}},
		{Name: sdkaws.String("group-name"), Values: []string{name}},
	}})
	if err != nil {
		return nil, wrap("ec2", "DescribeSecurityGroups", err)
	}
	for _, g := range out.SecurityGroups {
		if sdkaws.ToString(g.GroupName) == name {
			return &g, nil
		}
	}
	return nil, nil
}

// DeleteSecurityGroup deletes a group by id.
func (c *Client) DeleteSecurityGroup(ctx context.Context, id string) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateSecurityGroupID("DeleteSecurityGroup", id); err != nil {
		return err
	}
	_, err := c.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sdkaws.String(id)})
	return wrap("ec2", "DeleteSecurityGroup", err)
}

// TaskPublicIP finds the task's elastic network interface in its
// attachments (DescribeTasks) and asks EC2 for that interface's public IP
// (DescribeNetworkInterfaces).
func (c *Client) TaskPublicIP(ctx context.Context, cluster, taskARN string) (string, error) {
	if err := cloud.ValidateTaskRef(cluster, taskARN); err != nil {
		return "", err
	}
	out, err := c.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: sdkaws.String(cluster), Tasks: []string{taskARN}})
	if err != nil {
		return "", wrap("ecs", "DescribeTasks", err)
	}
	if len(out.Tasks) == 0 {
		reason := "The referenced task was not found."
		if len(out.Failures) > 0 {
			reason = sdkaws.ToString(out.Failures[0].Reason)
		}
		return "", &cloud.Error{Service: "ecs", Operation: "DescribeTasks", Code: "InvalidParameterException", Message: reason}
	}
	t := out.Tasks[0]
	eni := ""
	for _, a := range t.Attachments {
		if sdkaws.ToString(a.Type) != "ElasticNetworkInterface" {
			continue
		}
		for _, d := range a.Details {
			if sdkaws.ToString(d.Name) == "networkInterfaceId" {
				eni = sdkaws.ToString(d.Value)
			}
		}
	}
	noIP := func(why string) error {
		return &cloud.Error{Service: "ecs", Operation: "DescribeTasks", Code: cloud.CodeNoPublicIP, Message: "task " + lastSegment(taskARN) + " " + why}
	}
	if eni == "" {
		return "", noIP("has no network interface (yet): it is " + sdkaws.ToString(t.LastStatus) + "; awsvpc tasks get one while PROVISIONING")
	}
	nis, err := c.ec2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}})
	if err != nil {
		return "", wrap("ec2", "DescribeNetworkInterfaces", err)
	}
	for _, ni := range nis.NetworkInterfaces {
		if ni.Association != nil && sdkaws.ToString(ni.Association.PublicIp) != "" {
			return sdkaws.ToString(ni.Association.PublicIp), nil
		}
	}
	return "", noIP("has no public IP on " + eni + ": run it with a public IP (assignPublicIp ENABLED) in a public subnet")
}

// ec2TagSpec tags a resource in its create request.
func ec2TagSpec(rt ec2types.ResourceType, tags cloud.Tags) []ec2types.TagSpecification {
	if len(tags) == 0 {
		return nil
	}
	var ts []ec2types.Tag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		ts = append(ts, ec2types.Tag{Key: sdkaws.String(k), Value: sdkaws.String(tags[k])})
	}
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: ts}}
}
