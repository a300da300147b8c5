package aws

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestCombineChecks(t *testing.T) {
	sum := func(s types.SummaryStatus) *types.InstanceStatusSummary {
		return &types.InstanceStatusSummary{Status: s}
	}
	tests := []struct {
		inst, sys *types.InstanceStatusSummary
		want      string
	}{
		{sum("ok"), sum("ok"), "ok"},
		{sum("initializing"), sum("ok"), "initializing"},
		{sum("ok"), sum("impaired"), "impaired"},
		{sum("initializing"), sum("impaired"), "impaired"},
		{sum("insufficient-data"), sum("ok"), "insufficient-data"},
		{nil, nil, ""},
	}
	for _, tc := range tests {
		if got := combineChecks(tc.inst, tc.sys); got != tc.want {
			t.Errorf("combineChecks(%v, %v) = %q, want %q", tc.inst, tc.sys, got, tc.want)
		}
	}
}
