package tui

import (
	"path/filepath"
	"testing"

	"deckhand/aws/sandbox"
	"deckhand/internal/cloud"
)

// TestLogsECS opens the logs of ECS tasks and containers with a sandbox
// account as the reader. The fixture's tasks are not the account's, so the
// one Cmd that runs for real gets the account's answer for an unknown
// cluster; the other answers are fed in as the Cmd would bring them.
func TestLogsECS(t *testing.T) {
	acct, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json")})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		keys   []string
		run    bool // run the fetch Cmd against the sandbox
		lines  []logLine
		err    error
		want   []string
		absent []string
	}{
		{"task: its first container (api)", []string{"4", "l"}, false, logFixture(3), nil,
			[]string{"tasks › logs api [3]", "20:01:05  line 003"}, nil},
		{"container of a task", []string{"2", "enter", "j", "enter", "enter", "G", "l"}, false, nil, nil,
			[]string{"› 3f2a9c1e… › logs sidecar [0]", "The container has written nothing to its log stream yet."}, nil},
		{"no awslogs configuration", []string{"4", "l"}, false, nil, cloud.NoLogConfiguration("api", "arn:aws:ecs:us-east-1:123456789012:task-definition/api:3", ""),
			[]string{"No logs for container api of task 11112222…", "NoLogConfiguration: container api of task", "definition api:3 has no log configuration"}, nil},
		{"no stream yet", []string{"4", "l"}, false, nil, &cloud.Error{Service: "logs", Operation: "GetLogEvents", Code: "ResourceNotFoundException", Message: "The specified log stream does not exist."},
			[]string{"CloudWatch has no log stream for it", "has not started"}, nil},
		{"the sandbox answers", []string{"4", "l"}, true, nil, nil,
			[]string{"No logs for container api of task 11112222…: ecs:DescribeTasks: ClusterNotFoundException"}, []string{"Fetching"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Logs.ECS = acct
			m := loadedWith(t, cfg, 120, 30)
			cmd := press(m, c.keys...)
			if cmd == nil || logsOn(m) == nil {
				t.Fatalf("l opened no logs page:\n%s", screen(m))
			}
			if c.run {
				send(m, cmd())
			} else {
				answer(m, c.lines, c.err)
			}
			s := screen(m)
			mustContain(t, s, c.want...)
			mustNotContain(t, s, c.absent...)
			checkFits(t, m, 120, 30)
		})
	}
	t.Run("no reader", func(t *testing.T) {
		m := loadedWith(t, testConfig(), 120, 30)
		if cmd := press(m, "4", "l"); cmd != nil {
			t.Fatal("l started a fetch without a reader")
		}
		mustContain(t, screen(m), "the AWS backend offers none", "tasks [3]")
	})
}
