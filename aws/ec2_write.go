package aws

import (
	"deckhand/internal/cloud"

	"context"
	"encoding/base64"
	"maps"
	"slices"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"deckhand/internal/resource"
)

// Every mutation refuses with ErrReadonly before it validates or sends
// anything, then validates its input (validate.go) before the first call.

// StartInstances starts stopped instances. AWS answers
// IncorrectInstanceState for an instance that cannot be started (e.g. a
// terminated one) and InvalidInstanceID.NotFound for an unknown id.
func (c *Client) StartInstances(ctx context.Context, ids ...string) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateInstanceIDs("StartInstances", ids...); err != nil {
		return err
	}
	_, err := c.ec2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: ids})
	return wrap("ec2", "StartInstances", err)
}

// StopInstances stops running instances (a normal shutdown; EBS volumes are
// kept).
func (c *Client) StopInstances(ctx context.Context, ids ...string) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateInstanceIDs("StopInstances", ids...); err != nil {
		return err
	}
	_, err := c.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids})
	return wrap("ec2", "StopInstances", err)
}

// TerminateInstances terminates instances. Terminated instances stay listed
// (state terminated) for about an hour.
func (c *Client) TerminateInstances(ctx context.Context, ids ...string) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateInstanceIDs("TerminateInstances", ids...); err != nil {
		return err
	}
	_, err := c.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids})
	return wrap("ec2", "TerminateInstances", err)
}

// RunInstance launches one instance. The Name tag and spec.Tags go on the
// instance and on its volumes in the launch request itself, so nothing is
// ever untagged; user data is base64-encoded as EC2 requires. The SDK fills
// in a ClientToken, so a retried request does not launch a second instance.
// The instance comes back as RunInstances reports it: pending, without
// public IP yet.
func (c *Client) RunInstance(ctx context.Context, spec cloud.InstanceSpec) (resource.Instance, error) {
	if c.readonly {
		return resource.Instance{}, cloud.ErrReadonly
	}
	if err := cloud.ValidateInstanceSpec(spec); err != nil {
		return resource.Instance{}, err
	}
	tags := instanceTags(spec)
	in := &ec2.RunInstancesInput{
		ImageId:      sdkaws.String(spec.ImageID),
		InstanceType: types.InstanceType(spec.InstanceType),
		MinCount:     sdkaws.Int32(1),
		MaxCount:     sdkaws.Int32(1),
		TagSpecifications: []types.TagSpecification{
			{ResourceType: types.ResourceTypeInstance, Tags: tags},
			{ResourceType: types.ResourceTypeVolume, Tags: tags},
		},
	}
	if spec.KeyName != "" {
		in.KeyName = sdkaws.String(spec.KeyName)
	}
	if spec.SubnetID != "" {
		in.SubnetId = sdkaws.String(spec.SubnetID)
	}
	if len(spec.SecurityGroupIDs) > 0 {
		in.SecurityGroupIds = spec.SecurityGroupIDs
	}
	switch {
	case strings.HasPrefix(spec.IAMInstanceProfile, "arn:"):
		in.IamInstanceProfile = &types.IamInstanceProfileSpecification{Arn: sdkaws.String(spec.IAMInstanceProfile)}
	case spec.IAMInstanceProfile != "":
		in.IamInstanceProfile = &types.IamInstanceProfileSpecification{Name: sdkaws.String(spec.IAMInstanceProfile)}
	}
	if spec.UserData != "" {
		in.UserData = sdkaws.String(base64.StdEncoding.EncodeToString([]byte(spec.UserData)))
	}
	out, err := c.ec2.RunInstances(ctx, in)
	if err != nil {
		return resource.Instance{}, wrap("ec2", "RunInstances", err)
	}
	if len(out.Instances) == 0 {
		return resource.Instance{}, &cloud.Error{Service: "ec2", Operation: "RunInstances", Message: "AWS launched no instance and gave no reason"}
	}
	inst := toInstance(out.Instances[0])
	if len(inst.Tags) == 0 {
		// The tags were applied with the launch; not every endpoint echoes
		// them in the response.
		inst.Tags = make(map[string]string, len(tags))
		for _, t := range tags {
			inst.Tags[*t.Key] = *t.Value
		}
		inst.Name = spec.Name
	}
	return inst, nil
}

// instanceTags is Name plus spec.Tags, sorted by key so requests are
// reproducible.
func instanceTags(spec cloud.InstanceSpec) []types.Tag {
	all := maps.Clone(spec.Tags)
	if all == nil {
		all = map[string]string{}
	}
	all["Name"] = spec.Name
	tags := make([]types.Tag, 0, len(all))
	for _, k := range slices.Sorted(maps.Keys(all)) {
		tags = append(tags, types.Tag{Key: sdkaws.String(k), Value: sdkaws.String(all[k])})
	}
	return tags
}
