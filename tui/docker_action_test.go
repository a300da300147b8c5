package tui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/moby/moby/client"

	"deckhand/dockerops"
	"deckhand/internal/resource"
	"deckhand/internal/testbed"
)

var _ DockerActions = (*dockerops.Engine)(nil)

// sleeperMain waits for SIGTERM and exits 0 (as PID 1 it would otherwise
// ignore SIGTERM, and every stop would wait for the kill). It prints
// "ready" once it listens: a SIGTERM before that ends it with the Go
// runtime's exit 2, so tests that check a clean stop wait for the line
// (waitReady) — on a loaded machine a stop can come first.
const sleeperMain = `package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	os.Stdout.WriteString("ready\n")
	<-sig
}
`

// waitReady waits until the container of sleeperMain has printed "ready".
func waitReady(t *testing.T, e *dockerops.Engine, id string) { t.Helper(); waitLog(t, e, id, "ready") }

// waitLog waits until container id has printed a line holding want (a
// loaded machine can start a program seconds after its container).
func waitLog(t *testing.T, e *dockerops.Engine, id, want string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		lines, _ := e.Logs(context.Background(), id, 10)
		for _, l := range lines {
			if strings.Contains(l, want) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("container %.12s never printed %q", id, want)
}

// sleeperImage builds a FROM-scratch image of sleeperMain.
func sleeperImage(t *testing.T, e *dockerops.Engine, c *client.Client, name string) string {
	t.Helper()
	return programImage(t, e, c, name, sleeperMain)
}

// programImage builds a FROM-scratch image of a Go main package, as the
// dockerops tests build theirs (no registry is reachable here), and
// removes it when the test ends.
func programImage(t *testing.T, e *dockerops.Engine, c *client.Client, name, mainSrc string) string {
	t.Helper()
	dir := t.TempDir()
	bin, err := os.ReadFile(testbed.StaticBinary(t, mainSrc))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// The label makes each test's image its own: built from the same
	// binary, two tests' images would be one image (IDs are content
	// hashes), and one test's container would make the other's "in use".
	df := "FROM scratch\nLABEL deckhand.test=" + name + "\nCOPY app /app\nENTRYPOINT [\"/app\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	tag := name + ":test"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := e.Build(ctx, dockerops.BuildOptions{Dir: dir, Tags: []string{tag}}, nil); err != nil {
		t.Fatalf("building the image %s: %v", tag, err)
	}
	t.Cleanup(func() {
		c.ImageRemove(context.Background(), tag, client.ImageRemoveOptions{PruneChildren: true})
	})
	return tag
}

// TestProgramStopsRealDockerContainer drives the Docker pane's stop key
// against a real engine through *dockerops.Engine: the dialog, the call in
// a Cmd, the refresh it asks for, and the row turning to exited.
func TestProgramStopsRealDockerContainer(t *testing.T) {
	c := testbed.Docker(t)
	e, err := dockerops.New(dockerops.Options{Host: c.DaemonHost()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	b := make([]byte, 4)
	rand.Read(b)
	name := "deckhand-test-tui-stop-" + hex.EncodeToString(b)
	tag := sleeperImage(t, e, c, name)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
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

	// The test plays the Docker watcher: a refresh lists the containers
	// and sends the snapshot to the program.
	f := &feed{source: "docker"}
	snapshot := func() resource.Set {
		xs, err := e.Containers(ctx)
		if err != nil {
			t.Error(err)
		}
		return resource.Set{Kinds: []resource.Kind{resource.KindDocker}, Docker: xs}
	}
	var tm *teatest.TestModel
	cfg := testConfig()
	cfg.Now = nil
	cfg.Actions = Actions{Docker: e}
	cfg.Refresh = func(string) { tm.Send(f.update(snapshot(), time.Now())) }
	p := &probe{Model: New(cfg)}
	tm = teatest.NewTestModel(t, p, teatest.WithInitialTermSize(160, 30))
	tm.Send(f.update(snapshot(), time.Now()))
	keys(tm, "5", "/")
	tm.Type(name)
	keys(tm, "enter")
	waitScreen(t, p, "docker [1/", name, "running")

	keys(tm, "s")
	waitScreen(t, p, "Stop container?", name+" ("+id[:12]+")", "[ No ]")
	keys(tm, "y")
	waitScreen(t, p, "stopped "+name+" ("+id[:12]+")", "exited")

	res, err := c.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Container.State; st.Status != "exited" || st.ExitCode != 0 {
		t.Errorf("container %s (exit %d), want exited 0 after SIGTERM", st.Status, st.ExitCode)
	}
	finish(t, tm)
}
