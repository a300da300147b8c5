package dockerops

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"deckhand/internal/resource"
	"deckhand/internal/watch"

	"github.com/moby/moby/client"
)

var _ watch.Notifier = (*Source)(nil)

func TestSourceEventsDriveTransitions(t *testing.T) {
	e, c := newEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tag := fixtureImage(t, e, c)
	src := e.Source()
	if src.Name() != "docker" {
		t.Errorf("Name = %q", src.Name())
	}
	updates := startWatcher(t, src)
	base := waitUpdate(t, updates, 15*time.Second, "the baseline", func(u watch.Update) bool { return u.Baseline })
	if base.Err != nil || !base.Set.Owns(resource.KindDocker) {
		t.Fatalf("baseline: err %v, kinds %v", base.Err, base.Set.Kinds)
	}

	created, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{Name: uniq(t), Image: tag})
	if err != nil {
		t.Fatal(err)
	}
	id := created.ID
	removeLater(t, c, id)
	tr, took := waitTransition(t, updates, id, "created")
	if !tr.Added() {
		t.Errorf("create: %+v, want added", tr)
	}
	t.Logf("\"\" → created seen after %v", took)

	if _, err := c.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	tr, took = waitTransition(t, updates, id, "running")
	if tr.From != "created" {
		t.Errorf("start: %+v, want created → running", tr)
	}
	t.Logf("created → running seen after %v", took)

	if err := e.Stop(ctx, id, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	tr, took = waitTransition(t, updates, id, "exited")
	if tr.From != "running" {
		t.Errorf("stop: %+v, want running → exited", tr)
	}
	t.Logf("running → exited seen after %v", took)

	if err := e.Remove(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	tr, took = waitTransition(t, updates, id, "")
	// A fetch that lands while the engine deletes the container sees the
	// transient "removing" state; then exited → removing → removed is right.
	if !tr.Removed() || (tr.From != "exited" && tr.From != "removing") {
		t.Errorf("remove: %+v, want exited (or removing) → removed", tr)
	}
	t.Logf("exited → removed seen after %v", took)
}

// proxy forwards a unix socket to the engine's, so a test can make the
// engine vanish and come back without touching the shared dockerd.
type proxy struct {
	path, target string
	ln           net.Listener
	mu           sync.Mutex
	conns        map[net.Conn]bool
	wg           sync.WaitGroup
}

func startProxy(t *testing.T, path, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{path: path, target: target, ln: ln, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	return p
}

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("unix", p.target)
		if err != nil {
			in.Close()
			continue
		}
		if !p.track(in, out) {
			return
		}
		p.wg.Add(2)
		go p.pipe(in, out)
		go p.pipe(out, in)
	}
}

func (p *proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil { // stopped meanwhile
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	for _, c := range cs {
		p.conns[c] = true
	}
	return true
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// stop closes the listener (which unlinks the socket) and every
// connection, as a dying engine would.
func (p *proxy) stop() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

func TestSourceReconnectsAfterEngineReturns(t *testing.T) {
	_, c := newEngine(t)
	target, ok := strings.CutPrefix(c.DaemonHost(), "unix://")
	if !ok {
		t.Skipf("the test engine is at %s; the proxy needs a unix socket", c.DaemonHost())
	}
	// A short directory: unix socket paths are limited to 108 bytes.
	dir, err := os.MkdirTemp("", "dh")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "d.sock")
	px := startProxy(t, sock, target)
	t.Cleanup(func() { px.stop() })

	host := "unix://" + sock
	e, err := New(Options{Host: host})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	tag := fixtureImage(t, e, c)
	src := e.Source()
	updates := startWatcher(t, src)
	waitUpdate(t, updates, 15*time.Second, "a good baseline", func(u watch.Update) bool { return u.Baseline && u.Err == nil })
	waitHealth(t, src, true)

	// The engine goes away: the stream breaks, the source pokes the
	// watcher, and the fetch names the host.
	px.stop()
	u := waitUpdate(t, updates, 15*time.Second, "an error", func(u watch.Update) bool { return u.Err != nil })
	var ue *UnreachableError
	if !errors.As(u.Err, &ue) || !strings.Contains(u.Err.Error(), "Docker engine at "+host+" is not answering") {
		t.Errorf("fetch error %T %q, want *UnreachableError naming %s", u.Err, u.Err, host)
	}
	h := waitHealth(t, src, false)
	if h.Err == nil || h.RetryAt.IsZero() || time.Until(h.RetryAt) > retryMax {
		t.Errorf("health while down = %+v, want an error and a retry within %v", h, retryMax)
	}
	t.Logf("while down: %v (retry in %v)", h.Err, time.Until(h.RetryAt).Round(time.Millisecond))

	// It comes back on the same path: the source reconnects by itself and
	// pokes a resync, and events flow again.
	px = startProxy(t, sock, target)
	waitHealth(t, src, true)
	waitUpdate(t, updates, 15*time.Second, "a good fetch after reconnecting", func(u watch.Update) bool { return u.Err == nil })

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id, err := e.Run(ctx, RunOptions{Image: tag, Name: uniq(t)})
	if id != "" {
		removeLater(t, c, id)
	}
	if err != nil {
		t.Fatal(err)
	}
	_, took := waitTransition(t, updates, id, "running")
	t.Logf("container started after reconnecting seen after %v", took)
}

// waitHealth polls the source's health until Connected is want and, when
// want is false, a failed attempt has recorded why.
func waitHealth(t *testing.T, src *Source, want bool) Health {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		h := src.Health()
		if h.Connected == want && (want || h.Err != nil) {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("event stream Connected never became %v: %+v", want, h)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSourceConnectsWhenEngineStartsLate covers deckhand started before
// dockerd: New and Start succeed, fetches fail naming the host, and once the
// engine appears the stream connects, negotiates the API version and
// resyncs without anyone asking.
func TestSourceConnectsWhenEngineStartsLate(t *testing.T) {
	_, c := newEngine(t)
	target, ok := strings.CutPrefix(c.DaemonHost(), "unix://")
	if !ok {
		t.Skipf("the test engine is at %s; the proxy needs a unix socket", c.DaemonHost())
	}
	dir, err := os.MkdirTemp("", "dh")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "d.sock")
	e, err := New(Options{Host: "unix://" + sock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	src := e.Source()
	updates := startWatcher(t, src)
	u := waitUpdate(t, updates, 15*time.Second, "the first fetch", func(watch.Update) bool { return true })
	var ue *UnreachableError
	if !errors.As(u.Err, &ue) {
		t.Fatalf("first fetch error %T %v, want *UnreachableError", u.Err, u.Err)
	}
	h := waitHealth(t, src, false)
	if !h.Started || strings.Count(h.Err.Error(), "is not answering") != 1 || !strings.Contains(h.Err.Error(), "no such file or directory") {
		t.Errorf("health before the engine exists = %+v", h)
	}

	px := startProxy(t, sock, target)
	t.Cleanup(func() { px.stop() })
	u = waitUpdate(t, updates, 30*time.Second, "a good fetch", func(u watch.Update) bool { return u.Err == nil })
	if !u.Baseline {
		t.Errorf("first good fetch is not a baseline: %+v", u)
	}
	waitHealth(t, src, true)
}
