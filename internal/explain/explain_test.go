package explain

import (
	"strings"
	"testing"
)

func TestReason(t *testing.T) {
	tests := []struct {
		name  string
		texts []string
		want  string // substring; "" = no explanation
	}{
		{"pull error wins over the generic stop code", []string{"TaskFailedToStart", "CannotPullContainerError: pull image manifest has been retried"}, "could not pull"},
		{"stop code alone", []string{"EssentialContainerExited", "Essential container in task exited"}, "essential container exited"},
		{"user stop", []string{"UserInitiated", ""}, "StopTask"},
		{"load balancer health check", []string{"ServiceSchedulerInitiated", "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/0123)"}, "health check path"},
		{"ec2 state reason", []string{"Client.UserInitiatedShutdown: User initiated shutdown"}, "stopped or terminated by a user"},
		{"unknown", []string{"SomethingNew"}, ""},
		{"empty", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Reason(tc.texts...)
			if tc.want == "" {
				if got != "" {
					t.Fatalf("Reason = %q, want none", got)
				}
				return
			}
			if !strings.Contains(strings.ToLower(got), strings.ToLower(tc.want)) {
				t.Fatalf("Reason = %q, want it to mention %q", got, tc.want)
			}
		})
	}
}
