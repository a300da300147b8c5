package aws

import (
	"context"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"deckhand/internal/cloud"
)

var _ cloud.StateLister = (*Client)(nil)

// InstanceStates reads the state and status checks of the given instances:
// DescribeInstanceStatus with IncludeAllInstances, 100 ids a call. It is
// what the instances on screen are re-read with at the fast interval,
// because decoding an instance's status costs about a sixth of decoding
// the instance (24 against 145 µs of CPU, measured on moto); only an
// instance whose state changed is then described in full.
//
// An id EC2 no longer knows fails its whole call with
// InvalidInstanceID.NotFound: that batch answers nothing, and the caller
// describes the ids not answered (InstancesByID resolves which are gone).
func (c *Client) InstanceStates(ctx context.Context, ids []string) ([]cloud.InstanceState, error) {
	return inBatches(ctx, ids, ec2IDsBatch, func(ctx context.Context, batch []string) ([]cloud.InstanceState, error) {
		var out []cloud.InstanceState
		p := ec2.NewDescribeInstanceStatusPaginator(c.ec2, &ec2.DescribeInstanceStatusInput{
			InstanceIds: batch, IncludeAllInstances: sdkaws.Bool(true)})
		for p.HasMorePages() {
			pg, err := p.NextPage(ctx)
			if hasCode(err, "InvalidInstanceID.NotFound") {
				return nil, nil
			}
			if err != nil {
				return nil, wrap("ec2", "DescribeInstanceStatus", err)
			}
			out = appendStates(out, pg.InstanceStatuses)
		}
		return out, nil
	})
}

// AllInstanceStates lists the state and checks of every instance of the
// region, 1,000 a page: the EC2 state sweep's list (cloud.StateLister).
func (c *Client) AllInstanceStates(ctx context.Context) ([]cloud.InstanceState, error) {
	var out []cloud.InstanceState
	p := ec2.NewDescribeInstanceStatusPaginator(c.ec2, &ec2.DescribeInstanceStatusInput{
		IncludeAllInstances: sdkaws.Bool(true), MaxResults: sdkaws.Int32(1000)})
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("ec2", "DescribeInstanceStatus", err)
		}
		out = appendStates(out, pg.InstanceStatuses)
	}
	return out, nil
}

func appendStates(out []cloud.InstanceState, sts []types.InstanceStatus) []cloud.InstanceState {
	for _, st := range sts {
		s := cloud.InstanceState{ID: sdkaws.ToString(st.InstanceId)}
		if st.InstanceState != nil {
			s.State = string(st.InstanceState.Name)
		}
		// As addStatusChecks: only a running instance has checks.
		if s.State == "running" {
			s.StatusCheck = combineChecks(st.InstanceStatus, st.SystemStatus)
			s.SystemCheck, s.InstanceCheck = summary(st.SystemStatus), summary(st.InstanceStatus)
			if st.AttachedEbsStatus != nil {
				s.EBSCheck = string(st.AttachedEbsStatus.Status)
			}
		}
		out = append(out, s)
	}
	return out
}
