package dockerops

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// StatsOnce is one sample of a running container, as `docker stats
// --no-stream` shows it: the engine takes two readings a second apart, so
// the CPU figure is that second's. The sandbox's metrics sample its task
// containers with it.
func (e *Engine) StatsOnce(ctx context.Context, id string) (Stats, error) {
	res, err := e.cli.ContainerStats(ctx, id, client.ContainerStatsOptions{IncludePreviousSample: true})
	if err != nil {
		return Stats{}, fmt.Errorf("docker stats %s: %w", short(id), e.explain(err))
	}
	defer res.Body.Close()
	var s container.StatsResponse
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil {
		return Stats{}, fmt.Errorf("docker stats %s: %w", short(id), e.explain(err))
	}
	if s.Read.IsZero() || s.Read.Year() < 2000 {
		return Stats{}, fmt.Errorf("docker stats %s: the container is not running", short(id))
	}
	return sample(s), nil
}
