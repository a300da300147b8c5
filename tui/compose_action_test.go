package tui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/moby/moby/client"

	"deckhand/dockerops"
	"deckhand/internal/resource"
	"deckhand/internal/testbed"
)

// TestProgramComposeProjectActions drives :compose's stop, start and
// restart on the real engine: a project of two FROM-scratch containers
// labelled as compose labels them (a per-test project name), each action
// confirmed in its dialog (No first, the docker compose command shown),
// and the engine's containers checked after each: exited 0, running
// again, restarted (a later start time).
func TestProgramComposeProjectActions(t *testing.T) {
	c := testbed.Docker(t)
	e, err := dockerops.New(dockerops.Options{Host: c.DaemonHost()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	b := make([]byte, 4)
	rand.Read(b)
	project := "h-exec-proj-" + hex.EncodeToString(b)
	tag := sleeperImage(t, e, c, project)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var ids []string
	for _, svc := range []string{"web", "worker"} {
		id, err := e.Run(ctx, dockerops.RunOptions{Image: tag, Name: project + "-" + svc + "-1",
			Labels: map[string]string{resource.ComposeProjectLabel: project, "com.docker.compose.service": svc}})
		if id != "" {
			ids = append(ids, id)
			t.Cleanup(func() { c.ContainerRemove(context.Background(), id, client.ContainerRemoveOptions{Force: true}) })
		}
		if err != nil {
			t.Fatal(err)
		}
		waitReady(t, e, id)
	}
	inspect := func(id string) (string, int, time.Time) {
		res, err := c.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		st := res.Container.State
		started, _ := time.Parse(time.RFC3339Nano, st.StartedAt)
		return string(st.Status), st.ExitCode, started
	}

	f := &feed{source: "docker"}
	snapshot := func() resource.Set {
		set, err := e.Objects(ctx)
		if err != nil {
			t.Error(err)
		}
		return set
	}
	var tm *teatest.TestModel
	cfg := testConfig()
	cfg.Now = nil
	cfg.Actions = Actions{Docker: e, Restart: e, Images: e, VolumesNetworks: e}
	cfg.Refresh = func(string) { tm.Send(f.update(snapshot(), time.Now())) }
	p := &probe{Model: New(cfg)}
	tm = teatest.NewTestModel(t, p, teatest.WithInitialTermSize(180, 30))
	tm.Send(f.update(snapshot(), time.Now()))
	typeCommand(tm, "compose")
	keys(tm, "/")
	tm.Type(project)
	keys(tm, "enter")
	waitScreen(t, p, "compose [1/", project, "running", "2/2")

	for _, tc := range []struct {
		key, title, cli, done, screen string
		check                         func(id string, before time.Time) string // "" = as wanted
	}{
		{"s", "Stop compose project?", "$ docker compose -p " + project + " stop", "stop done for project " + project, "0/2",
			func(id string, _ time.Time) string {
				if st, code, _ := inspect(id); st != "exited" || code != 0 {
					return "is " + st + " (exit " + itoa(int32(code)) + "), want exited 0"
				}
				return ""
			}},
		{"S", "Start compose project?", "$ docker compose -p " + project + " start", "start done for project " + project, "2/2",
			func(id string, _ time.Time) string {
				if st, _, _ := inspect(id); st != "running" {
					return "is " + st + ", want running"
				}
				return ""
			}},
		{"r", "Restart compose project?", "$ docker compose -p " + project + " restart", "restart done for project " + project, "2/2",
			func(id string, before time.Time) string {
				if st, _, at := inspect(id); st != "running" || !at.After(before) {
					return "is " + st + " started " + at.String() + ", want running and started after " + before.String()
				}
				return ""
			}},
	} {
		before := map[string]time.Time{}
		for _, id := range ids {
			_, _, before[id] = inspect(id)
		}
		keys(tm, tc.key)
		waitScreen(t, p, tc.title, "2 containers", tc.cli, "[ No ]")
		keys(tm, "y")
		waitScreenLong(t, p, tc.done, tc.screen) // two engine calls in turn on a shared engine
		for _, id := range ids {
			if why := tc.check(id, before[id]); why != "" {
				t.Errorf("after %s: container %.12s %s", tc.key, id, why)
			}
		}
	}
	finish(t, tm)
}

// waitScreenLong is waitScreen for what waits on the engine, which is
// shared and can be slow: a minute rather than 5 s.
func waitScreenLong(t *testing.T, p *probe, wants ...string) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		last, _ = p.frame.Load().(string)
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(last, w)
		}
		if ok {
			return
		}
	}
	t.Fatalf("screen never showed %q; last frame:\n%s", wants, last)
}
