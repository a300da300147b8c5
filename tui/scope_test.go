package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// TestTopLevelPanesFollowTheFocus: the services pane titled "(cluster
// prod)" lists prod's services only, even with another cluster's services
// still in the store; and the unscoped tasks pane says each task's cluster,
// at 80 columns too.
func TestTopLevelPanesFollowTheFocus(t *testing.T) {
	set := ecsSet(2, "RUNNING")
	set.Services = append(set.Services, resource.Service{ARN: "arn:aws:ecs:us-east-1:123456789012:service/staging/batch",
		Name: "batch", ClusterARN: stagingARN, Status: "ACTIVE", Desired: 1})
	set.Tasks = append(set.Tasks, resource.Task{ARN: "arn:aws:ecs:us-east-1:123456789012:task/staging/0123456789abcdef0123456789abcdef",
		ID: "0123456789abcdef0123456789abcdef", ClusterARN: stagingARN, Group: "service:batch", LastStatus: "PENDING",
		DesiredStatus: "RUNNING", CreatedAt: t0})

	cfg := testConfig()
	cfg.FocusCluster = func(string) {}
	m := New(cfg)
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	f := &feed{source: "ecs"}
	send(m, f.update(set, t0))

	press(m, "4") // tasks of every cluster fetched
	mustContain(t, screen(m), "CLUSTER", "staging", "prod")

	press(m, "3")
	mustContain(t, screen(m), "batch", "web", "CLUSTER")

	press(m, "2", "enter") // clusters › prod focuses the watcher on prod
	press(m, "3")
	s := screen(m)
	mustContain(t, s, "(cluster prod)", "web", "api")
	mustNotContain(t, s, "batch")
}
