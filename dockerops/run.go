package dockerops

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// RunOptions describes a container to create and start.
type RunOptions struct {
	Image string
	Name  string // empty: the engine picks one
	// Ports publishes container TCP ports on 127.0.0.1 only: deckhand runs
	// development apps, which should not be reachable from the network.
	// Map container port → host port; host port 0 lets the engine pick.
	Ports map[int]int
	Env   []string // KEY=value
	Cmd   []string // empty: the image's CMD
	// Labels are set on the container (docker run --label), e.g. the
	// launch's deckhand.stack, so destroy finds what it ran.
	Labels map[string]string
	// Health replaces the image's HEALTHCHECK (docker run --health-*);
	// nil keeps the image's.
	Health *Healthcheck
	// Hostname is the container's hostname ("" = the engine's, its id).
	Hostname string
}

// Healthcheck is a container health check as Docker runs it. Test is
// ["CMD", argv…] or ["CMD-SHELL", command] (or ["NONE"] to disable the
// image's); a zero duration or retry count takes the engine's default.
type Healthcheck struct {
	Test                           []string
	Interval, Timeout, StartPeriod time.Duration
	Retries                        int
}

// Run creates and starts a container and returns its ID. If the start
// fails the created container is left in place (as `docker run` does) and
// its ID is returned with the error, so the UI can show or remove it.
func (e *Engine) Run(ctx context.Context, opts RunOptions) (string, error) {
	if e.readOnly {
		return "", ErrReadOnly
	}
	exposed := network.PortSet{}
	bindings := network.PortMap{}
	for cport, hport := range opts.Ports {
		if cport <= 0 || cport > math.MaxUint16 || hport < 0 || hport > math.MaxUint16 {
			return "", fmt.Errorf("docker run: bad port mapping %d→%d", cport, hport)
		}
		p, _ := network.PortFrom(uint16(cport), network.TCP)
		exposed[p] = struct{}{}
		b := network.PortBinding{HostIP: netip.MustParseAddr("127.0.0.1")}
		if hport != 0 {
			b.HostPort = strconv.Itoa(hport)
		}
		bindings[p] = []network.PortBinding{b}
	}
	var health *container.HealthConfig
	if h := opts.Health; h != nil {
		health = &container.HealthConfig{
			Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries,
		}
	}
	created, err := e.cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: opts.Name,
		Config: &container.Config{
			Image:        opts.Image,
			Env:          opts.Env,
			Cmd:          opts.Cmd,
			ExposedPorts: exposed,
			Labels:       opts.Labels,
			Healthcheck:  health,
			Hostname:     opts.Hostname,
		},
		HostConfig: &container.HostConfig{PortBindings: bindings},
	})
	if err != nil {
		return "", fmt.Errorf("docker run %s: %w", opts.Image, e.explain(err))
	}
	if _, err := e.cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		return created.ID, fmt.Errorf("docker run %s: start: %w", opts.Image, e.explain(err))
	}
	return created.ID, nil
}

// Start starts an existing container (created, or exited after a stop).
// Starting one that is running already is not an error, as with `docker
// start`.
func (e *Engine) Start(ctx context.Context, id string) error {
	if e.readOnly {
		return ErrReadOnly
	}
	if _, err := e.cli.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("docker start %s: %w", short(id), e.explain(err))
	}
	return nil
}

// Stop asks the container to stop (SIGTERM, or its STOPSIGNAL) and kills it
// after timeout, rounded up to whole seconds; a negative timeout uses the
// container's or the engine's default.
func (e *Engine) Stop(ctx context.Context, id string, timeout time.Duration) error {
	if e.readOnly {
		return ErrReadOnly
	}
	var opts client.ContainerStopOptions
	if timeout >= 0 {
		secs := int((timeout + time.Second - 1) / time.Second)
		opts.Timeout = &secs
	}
	if _, err := e.cli.ContainerStop(ctx, id, opts); err != nil {
		return fmt.Errorf("docker stop %s: %w", short(id), e.explain(err))
	}
	return nil
}

// Remove deletes a container; force kills it first if it is running.
// Anonymous volumes are kept, as with a plain `docker rm`.
func (e *Engine) Remove(ctx context.Context, id string, force bool) error {
	if e.readOnly {
		return ErrReadOnly
	}
	if _, err := e.cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: force}); err != nil {
		return fmt.Errorf("docker rm %s: %w", short(id), e.explain(err))
	}
	return nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
