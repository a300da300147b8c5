package dockerops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// Stats is one sample of a container's resource use, computed as `docker
// stats` does.
type Stats struct {
	At         time.Time
	CPUPercent float64 // of one CPU: 200 means two CPUs busy
	MemUsed    uint64  // bytes, page cache excluded
	MemLimit   uint64  // bytes
	NetRx      uint64  // bytes since the container started, every interface
	NetTx      uint64
	BlockRead  uint64 // bytes
	BlockWrite uint64
}

// StreamStats follows the engine's stats stream of one container (about a
// sample a second) and calls fn with each sample until ctx ends or the
// stream does (the container stopped). It returns nil when ctx ended.
func (e *Engine) StreamStats(ctx context.Context, id string, fn func(Stats)) error {
	res, err := e.cli.ContainerStats(ctx, id, client.ContainerStatsOptions{Stream: true})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("docker stats %s: %w", short(id), e.explain(err))
	}
	defer res.Body.Close()
	dec := json.NewDecoder(res.Body)
	for {
		var s container.StatsResponse
		if err := dec.Decode(&s); err != nil {
			if ctx.Err() != nil || errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("docker stats %s: %w", short(id), e.explain(err))
		}
		// A stopped container's stream sends zero samples (no read time).
		if s.Read.IsZero() || s.Read.Year() < 2000 {
			continue
		}
		fn(sample(s))
	}
}

// sample turns the engine's counters into the numbers `docker stats`
// shows: CPU from the delta against the previous sample the engine sends
// with each one; memory without the reclaimable page cache.
func sample(s container.StatsResponse) Stats {
	out := Stats{At: s.Read, MemLimit: s.MemoryStats.Limit}
	cpu := float64(s.CPUStats.CPUUsage.TotalUsage) - float64(s.PreCPUStats.CPUUsage.TotalUsage)
	sys := float64(s.CPUStats.SystemUsage) - float64(s.PreCPUStats.SystemUsage)
	n := float64(s.CPUStats.OnlineCPUs)
	if n == 0 {
		n = float64(len(s.CPUStats.CPUUsage.PercpuUsage))
	}
	if cpu > 0 && sys > 0 {
		out.CPUPercent = cpu / sys * n * 100
	}
	used := s.MemoryStats.Usage
	// cgroup v2 reports inactive_file, v1 total_inactive_file (the CLI's rule).
	for _, k := range []string{"inactive_file", "total_inactive_file"} {
		if v, ok := s.MemoryStats.Stats[k]; ok && v < used {
			used -= v
			break
		}
	}
	out.MemUsed = used
	for _, nw := range s.Networks {
		out.NetRx += nw.RxBytes
		out.NetTx += nw.TxBytes
	}
	for _, b := range s.BlkioStats.IoServiceBytesRecursive {
		switch strings.ToLower(b.Op) {
		case "read":
			out.BlockRead += b.Value
		case "write":
			out.BlockWrite += b.Value
		}
	}
	return out
}

// ErrNoDockerCLI says exec needs the docker CLI, which is not on PATH.
var ErrNoDockerCLI = errors.New("the docker CLI is not installed (no `docker` on PATH): exec opens a shell through `docker exec -it`; install the docker CLI to use it")

// shellScript starts bash when the image has it, else sh.
const shellScript = "command -v bash >/dev/null 2>&1 && exec bash || exec sh"

// ExecArgs is the `docker exec` command line that opens a shell in a
// container, for showing in the confirmation.
func (e *Engine) ExecArgs(id string) []string {
	args := []string{"docker"}
	if e.ep.Origin != "default" && !strings.HasPrefix(e.ep.Origin, "context") {
		args = append(args, "-H", e.ep.Host)
	}
	return append(args, "exec", "-it", id, "sh", "-c", shellScript)
}

// ExecCommand returns the `docker exec -it` process that opens a shell in
// the container, on the same engine deckhand talks to, for the TUI to run
// in the foreground (tea.ExecProcess). The interactive terminal is the
// CLI's business: it handles raw mode, resizes and detach keys as users
// know them.
func (e *Engine) ExecCommand(id string) (*exec.Cmd, error) {
	path, err := exec.LookPath("docker")
	if err != nil {
		return nil, ErrNoDockerCLI
	}
	args := e.ExecArgs(id)
	return exec.Command(path, args[1:]...), nil
}
