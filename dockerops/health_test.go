package dockerops

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// healthImage builds, FROM the fixture image, one whose HEALTHCHECK runs
// the fixture's failing mode, so the engine marks it unhealthy in about
// a second.
func healthImage(t *testing.T, e *Engine, c *client.Client, from string) string {
	t.Helper()
	dir := t.TempDir()
	df := "FROM " + from + "\nHEALTHCHECK --interval=1s --timeout=2s --retries=1 CMD [\"/app\", \"fail\"]\n"
	must(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644))
	tag := uniq(t) + ":unhealthy"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := e.Build(ctx, BuildOptions{Dir: dir, Tags: []string{tag}, Labels: map[string]string{"deckhand.test": "health"}}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ImageRemove(context.Background(), tag, imageRemoveOpts) })
	return tag
}

func freeLoopbackPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestWaitReady: ready when the app answers; early, explained failures
// when it exits or turns unhealthy (with its logs), and a timeout that
// says what it last saw.
func TestWaitReady(t *testing.T) {
	e, c := newEngine(t)
	fixture := fixtureImage(t, e, c)
	unhealthy := healthImage(t, e, c, fixture)
	tests := []struct {
		name    string
		image   string
		cmd     []string
		badURL  bool // probe a port nothing listens on
		timeout time.Duration
		reason  string // "" means ready
		logs    string // a line the error's logs must hold
		maxTime time.Duration
	}{
		{name: "answers", image: fixture, maxTime: 10 * time.Second},
		{name: "exits", image: fixture, cmd: []string{"fail"}, reason: "exited with code 3 before it answered", logs: "fixture: exit 3", maxTime: 10 * time.Second},
		{name: "unhealthy", image: unhealthy, reason: "is unhealthy: its HEALTHCHECK failed: fixture: about to fail fixture: exit 3", logs: "fixture listening on :5000", maxTime: 15 * time.Second},
		{name: "timeout", image: fixture, badURL: true, timeout: 1500 * time.Millisecond, reason: "did not answer within 1.5s (last: connection refused)", maxTime: 10 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			id, err := e.Run(ctx, RunOptions{Image: tc.image, Name: uniq(t), Ports: map[int]int{5000: 0}, Cmd: tc.cmd})
			if id != "" {
				removeLater(t, c, id)
			}
			must(t, err)
			info, err := e.InspectContainer(ctx, id)
			must(t, err)
			port := info.Ports[5000]
			if tc.badURL {
				port = freeLoopbackPort(t)
			}
			if port == 0 && tc.cmd == nil {
				t.Fatalf("port 5000 not published: %+v", info)
			}
			url := fmt.Sprintf("http://127.0.0.1:%d/", port)
			var lines []string
			start := time.Now()
			err = e.WaitReady(ctx, WaitOptions{ContainerID: id, URL: url, Timeout: tc.timeout, Interval: 100 * time.Millisecond},
				func(l string) { lines = append(lines, l) })
			took := time.Since(start)
			if took > tc.maxTime {
				t.Errorf("took %v, want at most %v", took, tc.maxTime)
			}
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("WaitReady: %v\n%s", err, strings.Join(lines, "\n"))
				}
				if !slices.Contains(lines, "GET "+url+" → 200 OK") {
					t.Errorf("progress %q lacks the 200", lines)
				}
				return
			}
			var nr *NotReadyError
			if !errors.As(err, &nr) {
				t.Fatalf("err = %T %v, want *NotReadyError", err, err)
			}
			if nr.Reason != tc.reason {
				t.Errorf("reason %q, want %q", nr.Reason, tc.reason)
			}
			if tc.logs != "" && !slices.Contains(nr.Logs, tc.logs) {
				t.Errorf("logs %q lack %q", nr.Logs, tc.logs)
			}
			t.Logf("%v (after %v)", err, took.Round(time.Millisecond))
		})
	}
}

// TestInspectAndFindByLabel: the label filters find exactly the labelled
// container and image, and inspection reports ports, health and logs.
func TestInspectAndFindByLabel(t *testing.T) {
	e, c := newEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fixture := fixtureImage(t, e, c)
	unhealthy := healthImage(t, e, c, fixture)
	value := uniq(t)

	img, err := e.InspectImage(ctx, fixture)
	must(t, err)
	if !slices.Equal(img.ExposedPorts, []int{5000}) || img.HasHealthcheck {
		t.Errorf("fixture image %+v, want port 5000 and no healthcheck", img)
	}
	if img, err := e.InspectImage(ctx, unhealthy); err != nil || !img.HasHealthcheck || img.Labels["deckhand.test"] != "health" {
		t.Errorf("health image %+v %v, want a healthcheck and its label", img, err)
	}
	if _, err := e.InspectImage(ctx, "deckhand-no-such-image:x"); !IsNotFound(err) {
		t.Errorf("missing image: %v, want not found", err)
	}
	if _, err := e.InspectContainer(ctx, "deckhand-no-such-container"); !IsNotFound(err) {
		t.Errorf("missing container: %v, want not found", err)
	}

	labelled, err := e.Run(ctx, RunOptions{Image: fixture, Name: uniq(t) + "-l", Labels: map[string]string{"deckhand.test": value}})
	removeLater(t, c, labelled)
	must(t, err)
	plain, err := e.Run(ctx, RunOptions{Image: fixture, Name: uniq(t) + "-p"})
	removeLater(t, c, plain)
	must(t, err)
	// Health gives the container a HEALTHCHECK the image lacks: the
	// fixture run as "/app fail" exits 3, so one failed check makes it
	// unhealthy, with the check's output.
	other, err := e.Run(ctx, RunOptions{Image: fixture, Name: uniq(t) + "-o", Labels: map[string]string{"deckhand.test": value + "x"},
		Health: &Healthcheck{Test: []string{"CMD", "/app", "fail"}, Interval: time.Second, Timeout: time.Second, Retries: 1}})
	removeLater(t, c, other)
	must(t, err)
	var oi ContainerInfo
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if oi, err = e.InspectContainer(ctx, other); err != nil || oi.Health == "unhealthy" {
			break
		}
	}
	if err != nil || oi.Health != "unhealthy" || !strings.Contains(oi.HealthLog, "fixture: exit 3") {
		t.Errorf("container with Health: health %q (%q) %v, want unhealthy with the check's output", oi.Health, oi.HealthLog, err)
	}
	if pi, err := e.InspectContainer(ctx, plain); err != nil || pi.Health != "" {
		t.Errorf("container without Health: health %q %v, want none (the image has no HEALTHCHECK)", pi.Health, err)
	}

	found, err := e.ContainersByLabel(ctx, "deckhand.test", value)
	must(t, err)
	if len(found) != 1 || found[0].ID != labelled || found[0].Labels["deckhand.test"] != value {
		t.Errorf("ContainersByLabel = %+v, want only %s", found, short(labelled))
	}
	imgs, err := e.ImagesByLabel(ctx, "deckhand.test", "health")
	must(t, err)
	if !slices.ContainsFunc(imgs, func(i ImageInfo) bool { return slices.Contains(i.Tags, unhealthy) }) ||
		slices.ContainsFunc(imgs, func(i ImageInfo) bool { return slices.Contains(i.Tags, fixture) }) {
		t.Errorf("ImagesByLabel = %+v, want %s and not %s", imgs, unhealthy, fixture)
	}

	// The fixture prints one line on start; wait for it.
	var logs []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if logs, err = e.Logs(ctx, labelled, 5); err != nil || len(logs) > 0 {
			break
		}
	}
	if err != nil || !slices.Equal(logs, []string{"fixture listening on :5000"}) {
		t.Errorf("Logs = %q %v", logs, err)
	}
}
