package tui

import (
	"testing"

	"deckhand/internal/cloud"
)

func TestNeedsExecRole(t *testing.T) {
	ecr := "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1"
	tests := []struct {
		name    string
		fargate bool
		image   string
		logs    bool
		role    string
		need    bool
	}{
		{"fargate with awslogs", true, "nginx:1.27", true, "", true},
		{"fargate without logs, public image", true, "nginx:1.27", false, "", false},
		{"EC2 with awslogs (the instance role writes them)", false, "nginx:1.27", true, "", false},
		{"private ECR on EC2", false, ecr, false, "", true},
		{"a role given", true, ecr, true, "arn:aws:iam::123456789012:role/mine", false},
	}
	for _, tc := range tests {
		c := cloud.ContainerSpec{Name: "web", Image: tc.image}
		if tc.logs {
			c.LogGroup = "/ecs/web"
		}
		spec := cloud.TaskDefSpec{Family: "web", Fargate: tc.fargate, ExecutionRoleARN: tc.role, Containers: []cloud.ContainerSpec{c}}
		if got := needsExecRole(spec) != ""; got != tc.need {
			t.Errorf("%s: needs a role = %v, want %v", tc.name, got, tc.need)
		}
	}
}
