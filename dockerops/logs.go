package dockerops

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// LogLine is one line a container wrote, with the time the engine
// received it (zero when the engine gave none).
type LogLine struct {
	At   time.Time
	Text string
}

// Logs returns the container's last n lines of output, stdout and stderr
// merged in the order each stream wrote them (per stream; the engine
// does not keep the interleaving of the two).
func (e *Engine) Logs(ctx context.Context, id string, n int) ([]string, error) {
	ls, err := e.logs(ctx, id, n, false)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Text
	}
	return out, nil
}

// TimedLogs is Logs with the time of each line (`docker logs -t`): the
// engine stores it anyway, so asking for it costs one prefix per line.
func (e *Engine) TimedLogs(ctx context.Context, id string, n int) ([]LogLine, error) {
	return e.logs(ctx, id, n, true)
}

func (e *Engine) logs(ctx context.Context, id string, n int, stamps bool) ([]LogLine, error) {
	res, err := e.cli.ContainerLogs(ctx, id, client.ContainerLogsOptions{
		ShowStdout: true, ShowStderr: true, Tail: strconv.Itoa(n), Timestamps: stamps,
	})
	if err != nil {
		return nil, fmt.Errorf("docker logs %s: %w", short(id), e.explain(err))
	}
	defer res.Close()
	var out bytes.Buffer
	// Containers without a TTY (all of deckhand's) multiplex the two
	// streams; writing both into one buffer merges them.
	if _, err := stdcopy.StdCopy(&out, &out, res); err != nil {
		return nil, fmt.Errorf("docker logs %s: %w", short(id), err)
	}
	text := strings.TrimRight(out.String(), "\n")
	if text == "" {
		return nil, nil
	}
	raw := strings.Split(text, "\n")
	if len(raw) > n {
		raw = raw[len(raw)-n:]
	}
	lines := make([]LogLine, len(raw))
	for i, l := range raw {
		lines[i].Text = l
		if !stamps {
			continue
		}
		// The engine prefixes each line with its RFC 3339 time and a
		// space; a line without one (never seen) is kept whole.
		if ts, rest, ok := strings.Cut(l, " "); ok {
			if at, err := time.Parse(time.RFC3339Nano, ts); err == nil {
				lines[i] = LogLine{At: at, Text: rest}
			}
		}
	}
	return lines, nil
}
