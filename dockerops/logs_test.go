package dockerops

import (
	"context"
	"testing"
	"time"
)

// TestTimedLogs runs the fixture's failing mode (two lines, exit 3) and
// reads its output back with and without the engine's timestamps.
func TestTimedLogs(t *testing.T) {
	e, c := newEngine(t)
	tag := fixtureImage(t, e, c)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	before := time.Now().Add(-time.Minute)
	id, err := e.Run(ctx, RunOptions{Image: tag, Name: uniq(t), Cmd: []string{"fail"}})
	if id != "" {
		removeLater(t, c, id)
	}
	must(t, err)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if info, err := e.InspectContainer(ctx, id); err == nil && info.State == "exited" {
			break
		}
	}
	for _, c := range []struct {
		n    int
		want []string
	}{
		{200, []string{"fixture: about to fail", "fixture: exit 3"}},
		{1, []string{"fixture: exit 3"}},
	} {
		got, err := e.TimedLogs(ctx, id, c.n)
		must(t, err)
		if len(got) != len(c.want) {
			t.Fatalf("TimedLogs(%d) = %+v, want %q", c.n, got, c.want)
		}
		for i, l := range got {
			if l.Text != c.want[i] || l.At.Before(before) || l.At.After(time.Now().Add(time.Minute)) {
				t.Errorf("TimedLogs(%d)[%d] = %+v, want %q at about now", c.n, i, l, c.want[i])
			}
		}
		plain, err := e.Logs(ctx, id, c.n)
		must(t, err)
		if len(plain) != len(c.want) || plain[len(plain)-1] != c.want[len(c.want)-1] {
			t.Errorf("Logs(%d) = %q, want %q", c.n, plain, c.want)
		}
	}
	if _, err := e.TimedLogs(ctx, "deckhand-no-such-container", 5); !IsNotFound(err) {
		t.Errorf("TimedLogs of a missing container: %v, want not found", err)
	}
}
