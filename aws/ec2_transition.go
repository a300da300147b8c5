package aws

import (
	"context"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

var _ cloud.TransitionFinder = (*Client)(nil)

// transitionStates are the instance states that end by themselves.
var transitionStates = []string{"pending", "stopping", "shutting-down"}

// InstancesInTransition is every instance of the region that is pending,
// stopping or shutting down, in one DescribeInstances filtered by state
// (usually one page whatever the account's size): how a source of 20,000
// instances sees a launch, a stop or a termination started by anyone
// without re-reading the 20,000 (EC2 has no call that lists ids only).
func (c *Client) InstancesInTransition(ctx context.Context) ([]resource.Instance, error) {
	return c.instancesInStates(ctx, transitionStates)
}

// instancesInStates reads the instances in the given states, all pages.
// Their status checks are not read: an instance that is not running has
// none.
func (c *Client) instancesInStates(ctx context.Context, states []string) ([]resource.Instance, error) {
	p := ec2.NewDescribeInstancesPaginator(c.ec2, &ec2.DescribeInstancesInput{
		Filters:    []ec2types.Filter{{Name: sdkaws.String("instance-state-name"), Values: states}},
		MaxResults: sdkaws.Int32(c.ec2PageSize),
	})
	var out []resource.Instance
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("ec2", "DescribeInstances", err)
		}
		for _, r := range pg.Reservations {
			for _, in := range r.Instances {
				out = append(out, toInstance(in))
			}
		}
	}
	return out, nil
}
