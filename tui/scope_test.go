package tui

import (
	"errors"
	"testing"
	"time"

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

// TestDeniedKindKeepsTheOthers: an ECS snapshot whose services could not be
// read keeps the clusters on their pane, and the services pane names the
// failed call instead of going blank without a word.
func TestDeniedKindKeepsTheOthers(t *testing.T) {
	m := New(testConfig())
	send(m, windowSize(120, 24))
	f := &feed{source: "ecs"}
	set := ecsSet(2, "RUNNING")
	denied := errors.New("ecs:DescribeServices: AccessDenied: not authorized (needs IAM permission ecs:DescribeServices)")
	partial := resource.Set{Kinds: []resource.Kind{resource.KindCluster}, Clusters: set.Clusters,
		Failed: map[resource.Kind]error{resource.KindService: denied, resource.KindTask: denied, resource.KindContainer: denied}}
	u := f.update(partial, fixedNow())
	u.Next = 20 * time.Second
	send(m, u)
	press(m, "2")
	s := screen(m)
	mustContain(t, s, "prod", "staging")
	mustNotContain(t, s, "AccessDenied")
	press(m, "3")
	mustContain(t, screen(m), "Could not read services (ecs)", "needs IAM permission ecs:DescribeServices", "STALE", "(retrying in 20s)")
	// The next fetch reads everything: the note goes with the error.
	send(m, f.update(set, fixedNow()))
	mustNotContain(t, screen(m), "retrying", "STALE")
}
