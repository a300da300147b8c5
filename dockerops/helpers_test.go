package dockerops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"deckhand/internal/testbed"
	"deckhand/internal/watch"

	"github.com/moby/moby/client"
)

// fixtureMain is the program inside the test image: a static HTTP server on
// :5000 that answers "ok" and exits on SIGTERM (as PID 1 it would otherwise
// ignore it, and every stop would wait for the kill timeout). With the
// argument "fail" it prints two lines and exits 3, for a failing RUN step.
const fixtureMain = `package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "fail" {
		fmt.Println("fixture: about to fail")
		fmt.Println("fixture: exit 3")
		os.Exit(3)
	}
	srv := &http.Server{Addr: ":5000", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	})}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
		<-sig
		srv.Close()
	}()
	fmt.Println("fixture listening on :5000")
	srv.ListenAndServe()
}
`

// fixtureBinary is the fixture compiled once (see testbed.StaticBinary).
func fixtureBinary(t *testing.T) string {
	t.Helper()
	return testbed.StaticBinary(t, fixtureMain)
}

// copyFixture puts the fixture binary into dir as "app".
func copyFixture(t *testing.T, dir string) {
	t.Helper()
	data, err := os.ReadFile(fixtureBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app"), data, 0o755); err != nil {
		t.Fatal(err)
	}
}

// newEngine returns an Engine on the test engine (skipping, or failing in
// CI, when there is none) and a plain client for setting up and checking.
func newEngine(t *testing.T) (*Engine, *client.Client) {
	t.Helper()
	c := testbed.Docker(t)
	e, err := New(Options{Host: c.DaemonHost()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, c
}

// uniq is a name unique to this test run, valid as a container name and
// as an image repository.
func uniq(t *testing.T) string {
	b := make([]byte, 4)
	rand.Read(b)
	n := strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-"))
	return "deckhand-test-" + strings.Trim(n, "-") + "-" + hex.EncodeToString(b)
}

// fixtureImage builds the fixture image FROM scratch with Build and
// removes it when the test ends. It returns the tag.
func fixtureImage(t *testing.T, e *Engine, c *client.Client) string {
	t.Helper()
	dir := t.TempDir()
	copyFixture(t, dir)
	df := "FROM scratch\nCOPY app /app\nEXPOSE 5000\nENTRYPOINT [\"/app\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	tag := uniq(t) + ":test"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var lines []string
	id, err := e.Build(ctx, BuildOptions{Dir: dir, Tags: []string{tag}}, func(l string) { lines = append(lines, l) })
	if err != nil {
		t.Fatalf("building the fixture: %v\n%s", err, strings.Join(lines, "\n"))
	}
	t.Cleanup(func() {
		c.ImageRemove(context.Background(), tag, imageRemoveOpts)
	})
	if !strings.HasPrefix(id, "sha256:") {
		t.Errorf("image ID %q, want sha256:…", id)
	}
	return tag
}

// imageRemoveOpts untags a test image and deletes it and its layers once
// no tag is left (fixture builds of one binary share a cached image).
var imageRemoveOpts = client.ImageRemoveOptions{PruneChildren: true}

// removeLater force-removes a container when the test ends. Registered
// after fixtureImage, it runs before the image is removed.
func removeLater(t *testing.T, c *client.Client, id string) {
	t.Cleanup(func() {
		c.ContainerRemove(context.Background(), id, client.ContainerRemoveOptions{Force: true})
	})
}

// startWatcher runs a watch.Watcher over src until the test ends and
// returns its updates. Slow is a minute, so only notifications drive it.
func startWatcher(t *testing.T, src *Source) <-chan watch.Update {
	ctx, cancel := context.WithCancel(context.Background())
	updates := make(chan watch.Update, 64)
	w := watch.New(src, watch.Config{Slow: time.Minute, Fast: time.Minute}, func(u watch.Update) {
		select {
		case updates <- u:
		case <-ctx.Done():
		}
	})
	src.Start(ctx)
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return updates
}

// waitUpdate reads updates until ok accepts one or timeout passes.
func waitUpdate(t *testing.T, updates <-chan watch.Update, timeout time.Duration, what string, ok func(watch.Update) bool) watch.Update {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		select {
		case u := <-updates:
			if ok(u) {
				return u
			}
		case <-deadline.C:
			t.Fatalf("no update with %s within %v", what, timeout)
		}
	}
}

// waitTransition waits for a transition of container id to phase to and
// returns it with the time it took.
func waitTransition(t *testing.T, updates <-chan watch.Update, id, to string) (watch.Transition, time.Duration) {
	t.Helper()
	start := time.Now()
	var got watch.Transition
	waitUpdate(t, updates, 15*time.Second, "a transition of "+short(id)+" to "+strconv.Quote(to), func(u watch.Update) bool {
		for _, tr := range u.Transitions {
			if tr.Key == id && tr.To == to {
				got = tr
				return true
			}
		}
		return false
	})
	return got, time.Since(start)
}
