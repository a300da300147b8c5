package aws

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"deckhand/internal/cloud"
)

// The EC2 administration capabilities (cloud.EC2Admin): reboot, console
// output, the key pair list, security group creation and rule changes.

var _ cloud.EC2Admin = (*Client)(nil)

// RebootInstances asks EC2 to reboot running instances. EC2 answers at
// once; the instances stay running (a reboot is not a state change) and
// EC2 hard-reboots one that has not shut down cleanly within minutes.
func (c *Client) RebootInstances(ctx context.Context, ids ...string) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateInstanceIDs("RebootInstances", ids...); err != nil {
		return err
	}
	_, err := c.ec2.RebootInstances(ctx, &ec2.RebootInstancesInput{InstanceIds: ids})
	return wrap("ec2", "RebootInstances", err)
}

// ConsoleOutput is GetConsoleOutput (the latest output where EC2 keeps
// it), base64-decoded.
func (c *Client) ConsoleOutput(ctx context.Context, instanceID string) (string, error) {
	if err := cloud.ValidateInstanceID("GetConsoleOutput", instanceID); err != nil {
		return "", err
	}
	out, err := c.ec2.GetConsoleOutput(ctx, &ec2.GetConsoleOutputInput{InstanceId: sdkaws.String(instanceID)})
	if err != nil {
		return "", wrap("ec2", "GetConsoleOutput", err)
	}
	raw := sdkaws.ToString(out.Output)
	if raw == "" {
		return "", nil
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return "", &cloud.Error{Service: "ec2", Operation: "GetConsoleOutput", Message: "the output is not base64: " + err.Error()}
	}
	return string(b), nil
}

// KeyPairList is DescribeKeyPairs of the whole region, sorted by name.
func (c *Client) KeyPairList(ctx context.Context) ([]cloud.KeyPair, error) {
	out, err := c.ec2.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
	if err != nil {
		return nil, wrap("ec2", "DescribeKeyPairs", err)
	}
	kps := make([]cloud.KeyPair, 0, len(out.KeyPairs))
	for _, k := range out.KeyPairs {
		kp := toKeyPair(k)
		kp.Created = sdkaws.ToTime(k.CreateTime)
		kps = append(kps, kp)
	}
	slices.SortFunc(kps, func(a, b cloud.KeyPair) int { return strings.Compare(a.Name, b.Name) })
	return kps, nil
}

// CreateSecurityGroup creates the group with its tags in the request, then
// authorizes spec.Ingress (one call).
func (c *Client) CreateSecurityGroup(ctx context.Context, spec cloud.SecurityGroupSpec) (string, error) {
	if c.readonly {
		return "", cloud.ErrReadonly
	}
	if err := cloud.ValidateSecurityGroupSpec(spec); err != nil {
		return "", err
	}
	out, err := c.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: sdkaws.String(spec.Name), Description: sdkaws.String(cloud.SecurityGroupDescription(spec)),
		VpcId:             sdkaws.String(spec.VpcID),
		TagSpecifications: ec2TagSpec(ec2types.ResourceTypeSecurityGroup, spec.Tags),
	})
	if err != nil {
		return "", wrap("ec2", "CreateSecurityGroup", err)
	}
	id := sdkaws.ToString(out.GroupId)
	if len(spec.Ingress) == 0 {
		return id, nil
	}
	perms := make([]ec2types.IpPermission, len(spec.Ingress))
	for i, r := range spec.Ingress {
		perms[i] = permission(r)
	}
	_, err = c.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sdkaws.String(id), IpPermissions: perms})
	return id, wrap("ec2", "AuthorizeSecurityGroupIngress", err)
}

// AuthorizeIngress adds one inbound rule.
func (c *Client) AuthorizeIngress(ctx context.Context, groupID string, rule cloud.IngressRule) error {
	const op = "AuthorizeSecurityGroupIngress"
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateIngressRule(op, groupID, rule); err != nil {
		return err
	}
	_, err := c.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: sdkaws.String(groupID), IpPermissions: []ec2types.IpPermission{permission(rule)}})
	return wrap("ec2", op, err)
}

// RevokeIngress removes one inbound rule. EC2 answers success with the
// rules it did not know in UnknownIpPermissions (and, for some, the error
// InvalidPermission.NotFound); both become InvalidPermission.NotFound.
func (c *Client) RevokeIngress(ctx context.Context, groupID string, rule cloud.IngressRule) error {
	const op = "RevokeSecurityGroupIngress"
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateRevokeRule(op, groupID, rule); err != nil {
		return err
	}
	// The description is no part of a rule's identity, and EC2 refuses
	// a revoke that carries one.
	rule.Description = ""
	out, err := c.ec2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{
		GroupId: sdkaws.String(groupID), IpPermissions: []ec2types.IpPermission{permission(rule)}})
	if err != nil {
		return wrap("ec2", op, err)
	}
	if len(out.UnknownIpPermissions) > 0 {
		k := rule.Key()
		return &cloud.Error{Service: "ec2", Operation: op, Code: "InvalidPermission.NotFound",
			Message: "The specified rule does not exist in this security group: " + k.PortText() + " from " + k.CIDR + k.SourceGroupID}
	}
	return nil
}

// permission is one rule as EC2 takes it.
func permission(r cloud.IngressRule) ec2types.IpPermission {
	k := r.Key()
	perm := ec2types.IpPermission{IpProtocol: sdkaws.String(k.Protocol)}
	switch k.Protocol {
	case "-1": // all traffic: no ports
	case "tcp", "udp":
		perm.FromPort, perm.ToPort = sdkaws.Int32(k.Port), sdkaws.Int32(max(k.Port, k.ToPort))
	default: // ICMP's type and code, or another protocol's, as read
		perm.FromPort, perm.ToPort = sdkaws.Int32(r.Port), sdkaws.Int32(r.ToPort)
	}
	var desc *string
	if r.Description != "" {
		desc = sdkaws.String(r.Description)
	}
	switch {
	case r.SourceGroupID != "":
		perm.UserIdGroupPairs = []ec2types.UserIdGroupPair{{GroupId: sdkaws.String(r.SourceGroupID), Description: desc}}
	case strings.Contains(r.CIDR, ":"):
		perm.Ipv6Ranges = []ec2types.Ipv6Range{{CidrIpv6: sdkaws.String(r.CIDR), Description: desc}}
	default:
		perm.IpRanges = []ec2types.IpRange{{CidrIp: sdkaws.String(r.CIDR), Description: desc}}
	}
	return perm
}
