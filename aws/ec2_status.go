package aws

import (
	"deckhand/internal/cloud"

	"context"
	"errors"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"deckhand/internal/resource"
)

// addStatusChecks fills StatusCheck of the running instances from
// DescribeInstanceStatus (all pages). The checks are extra information:
// when they cannot be read (an IAM policy that allows DescribeInstances but
// not DescribeInstanceStatus is common) the instances are still shown, with
// StatusCheck saying why it is missing, rather than failing the whole pane.
//
// byID asks for those instances' checks only, by id (a targeted read of a
// few instances in transition must not read the checks of the whole
// account: 20,000 running instances are 20 DescribeInstanceStatus pages);
// otherwise every instance's checks are read, page by page.
func (c *Client) addStatusChecks(ctx context.Context, in []resource.Instance, byIDs bool) {
	byID := make(map[string]*resource.Instance, len(in))
	var ids []string
	for i := range in {
		if in[i].State == "running" {
			byID[in[i].ID] = &in[i]
			ids = append(ids, in[i].ID)
		}
	}
	if len(byID) == 0 {
		return
	}
	input := &ec2.DescribeInstanceStatusInput{MaxResults: sdkaws.Int32(1000)}
	if byIDs {
		// AWS takes up to 100 ids and no MaxResults with them; the
		// callers' batches are ec2IDsBatch (100).
		input = &ec2.DescribeInstanceStatusInput{InstanceIds: ids}
	}
	p := ec2.NewDescribeInstanceStatusPaginator(c.ec2, input)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			// Say what failed: the instances were read, so the header
			// rightly says ec2 is fresh; only their checks are missing.
			mark := "not read (ec2:DescribeInstanceStatus failed)"
			var e *cloud.Error
			switch {
			case errors.As(wrap("ec2", "DescribeInstanceStatus", err), &e) && e.AccessDenied():
				mark = "no permission (ec2:DescribeInstanceStatus)"
			case throttleCode(err):
				mark = "not read: throttled (DescribeInstanceStatus); the next poll retries"
			case e != nil && e.Code != "":
				mark = "not read: " + e.Code + " (DescribeInstanceStatus)"
			}
			for _, i := range byID {
				if i.StatusCheck == "" {
					i.StatusCheck = mark
				}
			}
			return
		}
		for _, st := range appendStates(nil, page.InstanceStatuses) {
			if i := byID[st.ID]; i != nil {
				i.StatusCheck, i.SystemCheck, i.InstanceCheck, i.EBSCheck = st.StatusCheck, st.SystemCheck, st.InstanceCheck, st.EBSCheck
			}
		}
	}
}

// combineChecks sums the instance and system checks up as the console does:
// impaired if either is, initializing while either is, ok when both are.
func combineChecks(inst, sys *types.InstanceStatusSummary) string {
	var a, b types.SummaryStatus
	if inst != nil {
		a = inst.Status
	}
	if sys != nil {
		b = sys.Status
	}
	for _, s := range []types.SummaryStatus{types.SummaryStatusImpaired, types.SummaryStatusInitializing,
		types.SummaryStatusInsufficientData, types.SummaryStatusNotApplicable} {
		if a == s || b == s {
			return string(s)
		}
	}
	if a == types.SummaryStatusOk && b == types.SummaryStatusOk {
		return "ok"
	}
	return string(a)
}

// summary is one check's status, "" when not reported.
func summary(s *types.InstanceStatusSummary) string {
	if s == nil {
		return ""
	}
	return string(s.Status)
}
