package dockerops

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// state is the container's state as the engine reports it.
func state(t *testing.T, c *client.Client, id string) string {
	t.Helper()
	res, err := c.ContainerInspect(context.Background(), id, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return string(res.Container.State.Status)
}

// TestStartStopStart: Start runs a created container and restarts a
// stopped one (what the TUI's start key does); starting a running one is
// not an error, and an unknown id names the command and the id.
func TestStartStopStart(t *testing.T) {
	e, c := newEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tag := fixtureImage(t, e, c)
	created, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{Name: uniq(t), Image: tag})
	if err != nil {
		t.Fatal(err)
	}
	id := created.ID
	removeLater(t, c, id)

	if err := e.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	if s := state(t, c, id); s != "running" {
		t.Fatalf("after Start: %s, want running", s)
	}
	if err := e.Start(ctx, id); err != nil {
		t.Errorf("Start on a running container: %v, want nil", err)
	}
	if err := e.Stop(ctx, id, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if s := state(t, c, id); s != "exited" {
		t.Fatalf("after Stop: %s, want exited", s)
	}
	if err := e.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	if s := state(t, c, id); s != "running" {
		t.Fatalf("after a second Start: %s, want running", s)
	}

	err = e.Start(ctx, "deckhand-no-such-container")
	if err == nil || !strings.Contains(err.Error(), "docker start deckhand-no-") || !strings.Contains(strings.ToLower(err.Error()), "no such container") {
		t.Errorf("Start of an unknown container: %v, want docker start … No such container", err)
	}
}
