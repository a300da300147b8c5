package aws

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"deckhand/internal/resource"
)

// Instances lists every EC2 instance of the region, all pages, sorted by
// Name then ID. Terminated instances stay in the list for the hour or so AWS
// keeps showing them, which is what makes "→ terminated" visible.
func (c *Client) Instances(ctx context.Context) ([]resource.Instance, error) {
	return c.InstancesEach(ctx, nil)
}

// InstancesEach is Instances that also hands page, when not nil, every
// instance read so far after each DescribeInstances page (without status
// checks, unsorted), so that a first load of tens of thousands shows rows
// after its first page (cloud.InstancePager).
func (c *Client) InstancesEach(ctx context.Context, page func([]resource.Instance)) ([]resource.Instance, error) {
	// A first page of a screenful when someone waits for rows (page set):
	// AWS answers 50 instances long before 1,000 (issue 8: first rows
	// within 0.5 s of 20,000), then full pages for the rest. Not the SDK
	// paginator: it asks every page for the same MaxResults.
	size := c.ec2PageSize
	if page != nil && c.ec2FirstPage > 0 {
		size = min(size, c.ec2FirstPage)
	}
	var out []resource.Instance
	var token *string
	for {
		pg, err := c.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{MaxResults: sdkaws.Int32(size), NextToken: token})
		if err != nil {
			return nil, wrap("ec2", "DescribeInstances", err)
		}
		for _, r := range pg.Reservations {
			for _, in := range r.Instances {
				out = append(out, toInstance(in))
			}
		}
		// As the SDK paginator does: a token repeated would loop forever.
		if next := sdkaws.ToString(pg.NextToken); next == "" || next == sdkaws.ToString(token) {
			break
		}
		token, size = pg.NextToken, c.ec2PageSize
		if page != nil {
			page(out[:len(out):len(out)]) // appending goes on in a new array
		}
	}
	if page != nil {
		out = slices.Clone(out) // a page handed out is never sorted under its reader
	}
	c.addStatusChecks(ctx, out, false)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

func toInstance(in types.Instance) resource.Instance {
	i := resource.Instance{
		ID:         sdkaws.ToString(in.InstanceId),
		Type:       string(in.InstanceType),
		PublicIP:   sdkaws.ToString(in.PublicIpAddress),
		PrivateIP:  sdkaws.ToString(in.PrivateIpAddress),
		LaunchTime: sdkaws.ToTime(in.LaunchTime),
		KeyName:    sdkaws.ToString(in.KeyName),
		ImageID:    sdkaws.ToString(in.ImageId),
		VpcID:      sdkaws.ToString(in.VpcId),
		SubnetID:   sdkaws.ToString(in.SubnetId),
	}
	if in.State != nil {
		i.State = string(in.State.Name)
		i.StateCode = sdkaws.ToInt32(in.State.Code) & 0xff // the high byte is internal to AWS
	}
	if in.StateReason != nil {
		i.StateReason = sdkaws.ToString(in.StateReason.Message)
	}
	if in.Placement != nil {
		i.AZ = sdkaws.ToString(in.Placement.AvailabilityZone)
	}
	for _, g := range in.SecurityGroups {
		i.SecurityGroupIDs = append(i.SecurityGroupIDs, sdkaws.ToString(g.GroupId))
	}
	if in.IamInstanceProfile != nil {
		i.IAMInstanceProfile = sdkaws.ToString(in.IamInstanceProfile.Arn)
	}
	i.StateChanged = parseTransitionTime(sdkaws.ToString(in.StateTransitionReason))
	if len(in.Tags) > 0 {
		i.Tags = make(map[string]string, len(in.Tags))
		for _, t := range in.Tags {
			k := sdkaws.ToString(t.Key)
			i.Tags[k] = sdkaws.ToString(t.Value)
			if k == "Name" {
				i.Name = i.Tags[k]
			}
		}
	}
	return i
}

// reTransition finds the timestamp in StateTransitionReason, e.g. "User
// initiated (2024-01-02 15:04:05 GMT)". AWS writes GMT; moto writes UTC.
var reTransition = regexp.MustCompile(`\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (GMT|UTC)\)`)

// parseTransitionTime returns the time in a StateTransitionReason, or the
// zero time when there is none (e.g. a running instance has an empty reason).
func parseTransitionTime(reason string) time.Time {
	m := reTransition.FindStringSubmatch(reason)
	if m == nil {
		return time.Time{}
	}
	t, err := time.ParseInLocation(time.DateTime, m[1], time.UTC)
	if err != nil {
		return time.Time{}
	}
	return t
}
