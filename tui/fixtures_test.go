package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"deckhand/internal/resource"
	"deckhand/internal/watch"
)

// The fixtures build real watch.Update values, with transitions computed by
// the real differ (watch.DiffSet), as the watchers send them.

var t0 = time.Date(2025, 3, 14, 20, 1, 3, 0, time.UTC)

func fixedNow() time.Time { return t0.Add(10 * time.Minute) }

func testConfig() Config {
	return Config{
		Region: "us-east-1", Profile: "dev", Version: "v0.1.0",
		DockerHost: "unix:///var/run/docker.sock",
		Now:        fixedNow,
		Actions:    (&recorder{}).actions(),
		Identity: func(context.Context) (string, string, error) {
			return "123456789012", "arn:aws:iam::123456789012:user/alice", nil
		},
	}
}

// feed plays one watcher: the first update of a generation is a baseline,
// later ones carry the differ's transitions.
type feed struct {
	source string
	gen    uint64
	base   watch.Baselines
}

func (f *feed) update(set resource.Set, at time.Time) watch.Update {
	u := watch.Update{Source: f.source, Gen: f.gen, At: at, Set: set}
	if f.base == nil {
		f.base = watch.Baselines{}
		watch.DiffSet(f.base, set, at)
		u.Baseline = true
		return u
	}
	u.Transitions = watch.DiffSet(f.base, set, at)
	return u
}

func (f *feed) fail(err error, at time.Time) watch.Update {
	return watch.Update{Source: f.source, Gen: f.gen, At: at, Err: err}
}

func instance(id, name, state string) resource.Instance {
	return resource.Instance{
		ID: id, Name: name, State: state, Type: "t3.micro", AZ: "us-east-1a",
		PublicIP: "54.1.2.3", PrivateIP: "10.0.0.12", LaunchTime: t0.Add(-3 * time.Hour),
	}
}

func ec2Set(xs ...resource.Instance) resource.Set {
	return resource.Set{Kinds: []resource.Kind{resource.KindInstance}, Instances: xs}
}

const (
	prodARN    = "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
	stagingARN = "arn:aws:ecs:us-east-1:123456789012:cluster/staging"
	webARN     = "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
	apiARN     = "arn:aws:ecs:us-east-1:123456789012:service/prod/api"
	task1ARN   = "arn:aws:ecs:us-east-1:123456789012:task/prod/3f2a9c1e0b7d4e5f8a6b2c3d4e5f6a7b"
	task2ARN   = "arn:aws:ecs:us-east-1:123456789012:task/prod/9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e"
	task3ARN   = "arn:aws:ecs:us-east-1:123456789012:task/prod/11112222333344445555666677778888"
)

func ecsSet(webRunning int32, task1Status string) resource.Set {
	exit := int32(137)
	mk := func(arn, group, status string, cs ...resource.Container) resource.Task {
		for i := range cs {
			cs[i].TaskARN = arn
		}
		return resource.Task{ARN: arn, ID: lastSegment(arn), ClusterARN: prodARN, Group: group,
			TaskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:12",
			LastStatus:     status, DesiredStatus: "RUNNING", Health: "HEALTHY", LaunchType: "FARGATE",
			CreatedAt: t0.Add(-time.Hour), StartedAt: t0.Add(-59 * time.Minute), Containers: cs}
	}
	tasks := []resource.Task{
		mk(task1ARN, "service:web", task1Status,
			resource.Container{Name: "app", Image: "nginx:1.27", LastStatus: task1Status, Health: "HEALTHY",
				NetworkBindings: []resource.Binding{{HostIP: "127.0.0.1", HostPort: 49153, ContainerPort: 80, Protocol: "tcp"}}},
			resource.Container{Name: "sidecar", Image: "envoy:1.30", LastStatus: "STOPPED", ExitCode: &exit, Reason: "OutOfMemoryError"}),
		mk(task2ARN, "service:web", "RUNNING", resource.Container{Name: "app", Image: "nginx:1.27", LastStatus: "RUNNING"}),
		mk(task3ARN, "service:api", "RUNNING", resource.Container{Name: "api", Image: "api:2", LastStatus: "RUNNING"}),
	}
	var containers []resource.Container
	for _, t := range tasks {
		containers = append(containers, t.Containers...)
	}
	return resource.Set{
		Kinds: []resource.Kind{resource.KindCluster, resource.KindService, resource.KindTask, resource.KindContainer},
		Clusters: []resource.Cluster{
			{ARN: prodARN, Name: "prod", Status: "ACTIVE", ActiveServices: 2, RunningTasks: 3},
			{ARN: stagingARN, Name: "staging", Status: "PROVISIONING"},
		},
		Services: []resource.Service{
			{ARN: webARN, Name: "web", ClusterARN: prodARN, Status: "ACTIVE", Desired: 2, Running: webRunning,
				Rollout: "COMPLETED", Deployments: 1, TaskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:12",
				LastEvent: resource.ServiceEvent{At: t0, Message: "(service web) has reached a steady state."}},
			{ARN: apiARN, Name: "api", ClusterARN: prodARN, Status: "ACTIVE", Desired: 1, Running: 1,
				Rollout: "IN_PROGRESS", Deployments: 2, TaskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/api:3"},
		},
		Tasks:      tasks,
		Containers: containers,
	}
}

func dockerSet(state string) resource.Set {
	return resource.Set{Kinds: []resource.Kind{resource.KindDocker}, Docker: []resource.DockerContainer{
		{ID: "a1b2c3d4e5f6a7b8c9d0", Name: "redis", Image: "redis:7", State: state, Status: "Up 3 minutes (healthy)",
			Ports: "127.0.0.1:6379->6379/tcp", Created: t0.Add(-5 * time.Minute)},
		{ID: "ffee00112233445566", Name: "worker", Image: "local/worker:dev", State: "exited", Status: "Exited (1) 2 minutes ago",
			Created: t0.Add(-time.Hour)},
	}}
}

// newLoaded returns a model at w×h with EC2, ECS and Docker data.
func newLoaded(t testing.TB, w, h int) (*Model, map[string]*feed) {
	t.Helper()
	m := New(testConfig())
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	feeds := map[string]*feed{"ec2": {source: "ec2"}, "ecs": {source: "ecs"}, "docker": {source: "docker"}}
	send(m, feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "running"),
		instance("i-0ddd3333eeee4444f", "db-1", "stopped"), instance("i-0fff5555aaaa6666b", "", "pending")), t0))
	send(m, feeds["ecs"].update(ecsSet(2, "RUNNING"), t0))
	send(m, feeds["docker"].update(dockerSet("running"), t0))
	return m, feeds
}

// send delivers msgs to the model and returns the last Cmd.
func send(m *Model, msgs ...tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	for _, msg := range msgs {
		_, cmd = m.Update(msg)
	}
	return cmd
}

// press turns key names into key presses ("enter", "esc", "j", ":", …).
func press(m *Model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		cmd = send(m, keyMsg(k))
	}
	return cmd
}

func typeText(m *Model, s string) {
	for _, r := range s {
		send(m, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "alt+left":
		return tea.KeyPressMsg{Code: tea.KeyLeft, Mod: tea.ModAlt}
	case "ctrl+c", "ctrl+r", "ctrl+u", "ctrl+d", "ctrl+k", "ctrl+w", "ctrl+a", "ctrl+e":
		return tea.KeyPressMsg{Code: rune(k[5]), Mod: tea.ModCtrl}
	}
	if len([]rune(k)) != 1 {
		panic("unknown key " + k)
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// screen is the model's view without styling.
func screen(m *Model) string { return ansi.Strip(m.View().Content) }

func mustContain(t testing.TB, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

func mustNotContain(t testing.TB, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if strings.Contains(s, w) {
			t.Fatalf("screen has %q but should not:\n%s", w, s)
		}
	}
}

// checkFits fails when the screen has more lines than h or a line wider than w.
func checkFits(t testing.TB, m *Model, w, h int) {
	t.Helper()
	checkFitsMsg(t, m, w, h, "")
}

func checkFitsMsg(t testing.TB, m *Model, w, h int, after string) {
	t.Helper()
	content := m.View().Content
	lines := strings.Split(content, "\n")
	if content == "" {
		lines = nil
	}
	if len(lines) > h {
		t.Fatalf("%d lines on a %d-line terminal (after %q):\n%s", len(lines), h, after, ansi.Strip(content))
	}
	for i, l := range lines {
		if sw := ansi.StringWidth(l); sw > w {
			t.Fatalf("line %d is %d cells wide on a %d-column terminal (after %q): %q", i, sw, w, after, ansi.Strip(l))
		}
	}
}

type (
	resourceInstance = resource.Instance
	contextT         = context.Context
)

var _ = fmt.Sprint

func windowSize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }
