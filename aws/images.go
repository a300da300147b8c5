package aws

import (
	"deckhand/internal/cloud"

	"context"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// AMI lookup: the Images capability.

// LatestAMI reads the distro's SSM public parameter (GetParameter; the
// parameter's value is the AMI id, and DescribeImages adds its name when it
// can). When the parameter cannot be read (ParameterNotFound, no
// ssm:GetParameter permission…), it asks DescribeImages for the distro's
// owner and name pattern, available x86_64 images only, and takes the newest
// CreationDate.
func (c *Client) LatestAMI(ctx context.Context, distro string) (cloud.AMI, error) {
	if err := cloud.ValidateDistro(distro); err != nil {
		return cloud.AMI{}, err
	}
	param, owner, pattern, sshUser, _ := cloud.AMISource(distro)
	out, ssmErr := c.deploy.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: sdkaws.String(param)})
	if ssmErr == nil && out.Parameter != nil && strings.HasPrefix(sdkaws.ToString(out.Parameter.Value), "ami-") {
		ami := cloud.AMI{ID: sdkaws.ToString(out.Parameter.Value), Source: "ssm:" + param, SSHUser: sshUser}
		// The name is a nicety: the id is what matters.
		if d, err := c.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{ami.ID}}); err == nil && len(d.Images) == 1 {
			ami.Name = sdkaws.ToString(d.Images[0].Name)
		}
		return ami, nil
	}
	imgs, err := c.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{
		Owners: []string{owner},
		Filters: []ec2types.Filter{
			{Name: sdkaws.String("name"), Values: []string{pattern}},
			{Name: sdkaws.String("state"), Values: []string{"available"}},
			{Name: sdkaws.String("architecture"), Values: []string{"x86_64"}},
		},
	})
	if err != nil {
		return cloud.AMI{}, wrap("ec2", "DescribeImages", err)
	}
	var best *ec2types.Image
	for i := range imgs.Images {
		im := &imgs.Images[i]
		if best == nil || newer(im, best) {
			best = im
		}
	}
	if best == nil {
		why := "the SSM parameter " + param + " could not be read"
		if ssmErr != nil {
			why += " (" + wrap("ssm", "GetParameter", ssmErr).Error() + ")"
		}
		return cloud.AMI{}, &cloud.Error{Service: "ec2", Operation: "DescribeImages", Code: cloud.CodeNoImage,
			Message: "no " + distro + " AMI found: " + why + ", and DescribeImages found no image named " + pattern + " owned by " + owner}
	}
	return cloud.AMI{ID: sdkaws.ToString(best.ImageId), Name: sdkaws.ToString(best.Name), Source: "DescribeImages", SSHUser: sshUser}, nil
}

// newer orders by CreationDate (ISO 8601, so string order is time order),
// then by name (release dates are in the names).
func newer(a, b *ec2types.Image) bool {
	ca, cb := sdkaws.ToString(a.CreationDate), sdkaws.ToString(b.CreationDate)
	if ca != cb {
		return ca > cb
	}
	return sdkaws.ToString(a.Name) > sdkaws.ToString(b.Name)
}

// InstanceTypeOffered asks DescribeInstanceTypes for typ: EC2 answers
// InvalidInstanceType for a type the region does not have.
func (c *Client) InstanceTypeOffered(ctx context.Context, typ string) (bool, error) {
	out, err := c.ec2.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: []ec2types.InstanceType{ec2types.InstanceType(typ)}})
	if err != nil {
		e := wrap("ec2", "DescribeInstanceTypes", err)
		if ae, ok := e.(*cloud.Error); ok && (ae.Code == "InvalidInstanceType" || ae.Code == "InvalidParameterValue") {
			return false, nil
		}
		return false, e
	}
	return len(out.InstanceTypes) > 0, nil
}

// FindAMI describes one AMI by id; EC2 answers InvalidAMIID.NotFound (or an
// empty list) for one that does not exist or is not shared with the account.
func (c *Client) FindAMI(ctx context.Context, id string) (cloud.AMI, bool, error) {
	out, err := c.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{id}})
	if err != nil {
		e := wrap("ec2", "DescribeImages", err)
		if ae, ok := e.(*cloud.Error); ok && (ae.Code == "InvalidAMIID.NotFound" || ae.Code == "InvalidAMIID.Unavailable") {
			return cloud.AMI{}, false, nil
		}
		return cloud.AMI{}, false, e
	}
	if len(out.Images) == 0 {
		return cloud.AMI{}, false, nil
	}
	return cloud.AMI{ID: id, Name: sdkaws.ToString(out.Images[0].Name), Source: "DescribeImages"}, true, nil
}
