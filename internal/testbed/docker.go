package testbed

import (
	"context"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// Docker returns a client for the engine named by DOCKER_HOST (or the
// default socket), after checking that the engine answers.
func Docker(t testing.TB) *client.Client {
	t.Helper()
	c, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatalf("docker client: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Ping(ctx, client.PingOptions{}); err != nil {
		c.Close()
		Missing(t, "a Docker engine", "start dockerd (the README's test command installs docker.io and starts it when run as root): "+err.Error())
	}
	t.Cleanup(func() { c.Close() })
	return c
}
