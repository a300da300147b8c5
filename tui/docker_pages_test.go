package tui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/moby/moby/client"

	"deckhand/dockerops"
	"deckhand/internal/resource"
	"deckhand/internal/testbed"
)

var (
	_ DockerRestarter      = (*dockerops.Engine)(nil)
	_ ImageActions         = (*dockerops.Engine)(nil)
	_ VolumeNetworkActions = (*dockerops.Engine)(nil)
)

// countedStats passes the real engine's stats streams through and counts
// the open ones, so the test sees streams stop when the page is left.
type countedStats struct {
	e    *dockerops.Engine
	open atomic.Int32
}

func (c *countedStats) StreamStats(ctx context.Context, id string, fn func(dockerops.Stats)) error {
	c.open.Add(1)
	defer c.open.Add(-1)
	return c.e.StreamStats(ctx, id, fn)
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("%s: not within 10s", what)
}

// TestProgramDockerPagesOnRealEngine drives the images page, the live
// stats, inspect and the removals against a real engine: an image in use
// is refused with its user and offered forced (No by default); stats
// stream only while the docker pane shows the container; inspect shows and
// searches the engine's JSON.
func TestProgramDockerPagesOnRealEngine(t *testing.T) {
	c := testbed.Docker(t)
	e, err := dockerops.New(dockerops.Options{Host: c.DaemonHost()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	b := make([]byte, 4)
	rand.Read(b)
	name := "dkr-test-tui-" + hex.EncodeToString(b)
	tag := sleeperImage(t, e, c, name)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id, err := e.Run(ctx, dockerops.RunOptions{Image: tag, Name: name})
	if id != "" {
		t.Cleanup(func() {
			c.ContainerRemove(context.Background(), id, client.ContainerRemoveOptions{Force: true})
		})
	}
	if err != nil {
		t.Fatal(err)
	}

	f := &feed{source: "docker"}
	snapshot := func() resource.Set {
		set, err := e.Objects(ctx)
		if err != nil {
			t.Error(err)
		}
		return set
	}
	stats := &countedStats{e: e}
	var tm *teatest.TestModel
	cfg := testConfig()
	cfg.Now = nil
	cfg.Actions = Actions{Docker: e, Restart: e, Images: e, VolumesNetworks: e}
	cfg.Docker = DockerTools{Inspect: e, Stats: stats, Exec: e}
	cfg.Refresh = func(string) { tm.Send(f.update(snapshot(), time.Now())) }
	p := &probe{Model: New(cfg)}
	tm = teatest.NewTestModel(t, p, teatest.WithInitialTermSize(180, 30))
	tm.Send(f.update(snapshot(), time.Now()))

	// Images: the row names its user; removal is refused and offered forced.
	typeCommand(tm, "images")
	keys(tm, "/")
	tm.Type(name)
	keys(tm, "enter")
	waitScreen(t, p, "images [1/", name, "test", name) // repository, tag, used by
	keys(tm, "ctrl+k")
	waitScreen(t, p, "Image in use: force the removal?", "used by 1 container: "+name, "$ docker rmi -f "+tag, "[ No ]", "Force remove")
	keys(tm, "enter") // the default No
	waitScreen(t, p, "remove cancelled: nothing was changed")
	if st := stats.open.Load(); st != 0 {
		t.Errorf("%d stats streams open on the images page, want 0", st)
	}

	// Docker pane: the container on screen gets a stream and CPU/MEM cells.
	typeCommand(tm, "docker")
	keys(tm, "/")
	tm.Type(name)
	keys(tm, "enter")
	waitScreen(t, p, "docker [1/", name, "CPU", "MEM", "%")
	waitUntil(t, "one stats stream", func() bool { return stats.open.Load() == 1 })

	// Inspect: the JSON, searched.
	keys(tm, "i")
	waitScreen(t, p, "inspect "+name, `"Name": "/`+name+`"`)
	keys(tm, "/")
	tm.Type("restartcount")
	keys(tm, "enter")
	waitScreen(t, p, "/restartcount line ", `"RestartCount": 0`)
	keys(tm, "esc", "esc") // clear the search, leave
	waitScreen(t, p, "docker [1/", "CPU")

	// Leaving the docker pane stops the stream.
	typeCommand(tm, "volumes")
	waitScreen(t, p, "volumes [")
	waitUntil(t, "the stream to stop", func() bool { return stats.open.Load() == 0 })

	// Remove the container, then the image, now unused: a plain removal.
	typeCommand(tm, "docker")
	waitScreen(t, p, "docker [1/", name)
	keys(tm, "ctrl+k")
	waitScreen(t, p, "Remove container?", "$ docker rm -f "+name)
	keys(tm, "y")
	waitScreen(t, p, "removed "+name)
	typeCommand(tm, "images")
	waitScreen(t, p, "images [1/", name)
	keys(tm, "ctrl+k")
	waitScreen(t, p, "Remove image?", "$ docker rmi "+tag, "[ No ]")
	keys(tm, "y")
	waitScreen(t, p, "removed image "+tag, "images [0/")
	if _, err := c.ImageInspect(ctx, tag); !dockerops.IsNotFound(err) {
		t.Errorf("image %s still there after removal (%v)", tag, err)
	}
	finish(t, tm)
}

// typeCommand runs a `:` command.
func typeCommand(tm *teatest.TestModel, cmd string) {
	keys(tm, ":")
	tm.Type(cmd)
	keys(tm, "enter")
}
