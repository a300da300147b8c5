package elbproxy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/testbed"
)

// backendMain is a target: a static HTTP server on :5000 that says who
// asked, and exits on SIGTERM (as PID 1 it would otherwise ignore it).
const backendMain = `package main

import (
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	srv := &http.Server{Addr: ":5000", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "backend: %s %s xff=%s", r.Method, r.URL.Path, r.Header.Get("X-Forwarded-For"))
	})}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
		<-sig
		srv.Close()
	}()
	srv.ListenAndServe()
}
`

func randHex(t *testing.T) string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// backendImage builds the target's image FROM scratch and removes it
// when the test ends.
func backendImage(t *testing.T, ctx context.Context, eng *dockerops.Engine) string {
	t.Helper()
	dir := t.TempDir()
	bin, err := os.ReadFile(testbed.StaticBinary(t, backendMain))
	if err != nil {
		t.Fatal(err)
	}
	df := "FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "app"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	tag := "deckhand-test-elbproxy-backend:" + randHex(t)
	if _, err := eng.Build(ctx, dockerops.BuildOptions{Dir: dir, Tags: []string{tag}}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.RemoveImage(context.Background(), tag) })
	return tag
}

// run starts a container and force-removes it when the test ends.
func run(t *testing.T, ctx context.Context, eng *dockerops.Engine, opts dockerops.RunOptions) dockerops.ContainerInfo {
	t.Helper()
	id, err := eng.Run(ctx, opts)
	if id != "" {
		t.Cleanup(func() { eng.Remove(context.Background(), id, true) })
	}
	if err != nil {
		t.Fatal(err)
	}
	info, err := eng.InspectContainer(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// TestProxyContainer is the sandbox's use end to end: EnsureImage builds
// the image from deckhand itself once, and a container of it, published
// on loopback, forwards to a target container at its bridge address.
func TestProxyContainer(t *testing.T) {
	c := testbed.Docker(t)
	eng, err := dockerops.New(dockerops.Options{Host: c.DaemonHost()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	bin := testbed.DeckhandBinary(t)
	ref, err := EnsureImage(ctx, eng, bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.RemoveImage(context.Background(), ref) })
	tag, ok := strings.CutPrefix(ref, Repository+":")
	if !ok || len(tag) != 12 {
		t.Fatalf("ref %q, want %s:<12 hex digits>", ref, Repository)
	}
	if img, err := eng.InspectImage(ctx, ref); err != nil || img.Labels[Label] != tag {
		t.Errorf("image %+v %v, want label %s=%s", img, err, Label, tag)
	}
	// A read-only engine refuses to build, so success here means the
	// second call found the image instead of building it again.
	ro, err := dockerops.New(dockerops.Options{Host: c.DaemonHost(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if again, err := EnsureImage(ctx, ro, bin); err != nil || again != ref {
		t.Errorf("second EnsureImage = %q, %v; want %q without a build", again, err, ref)
	}

	name := "deckhand-test-elbproxy-" + randHex(t)
	target := run(t, ctx, eng, dockerops.RunOptions{Image: backendImage(t, ctx, eng), Name: name + "-target"})
	if target.IP == "" {
		t.Fatalf("target container has no bridge IP: %+v", target)
	}
	proxy := run(t, ctx, eng, dockerops.RunOptions{
		Image: ref, Name: name + "-proxy",
		Ports: map[int]int{80: 0},
		Cmd:   Args(":80", []string{target.IP + ":5000"}),
	})
	port := proxy.Ports[80]
	if port == 0 {
		t.Fatalf("proxy port 80 not published: %+v", proxy)
	}
	logs := func() string {
		l, _ := eng.Logs(context.Background(), proxy.ID, 20)
		return strings.Join(l, "\n")
	}

	body := getOK(t, fmt.Sprintf("http://127.0.0.1:%d/hello", port), logs)
	xff, ok := strings.CutPrefix(body, "backend: GET /hello xff=")
	if _, err := netip.ParseAddr(xff); !ok || err != nil {
		t.Errorf("through the proxy: %q, want the target's answer with the client's address in X-Forwarded-For", body)
	}

	// docker stop sends SIGTERM: the proxy must exit at once and cleanly,
	// not wait out the kill timeout.
	start := time.Now()
	if err := eng.Stop(ctx, proxy.ID, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("stopping the proxy took %v: SIGTERM was not handled", took)
	}
	if st, err := eng.InspectContainer(ctx, proxy.ID); err != nil || st.State != "exited" || st.ExitCode != 0 {
		t.Errorf("stopped proxy: %s exit %d %v, want exited 0\n%s", st.State, st.ExitCode, err, logs())
	}
	l := logs()
	if !strings.Contains(l, "GET /hello 200 → "+target.IP+":5000") {
		t.Errorf("proxy log lacks the request line:\n%s", l)
	}
	t.Logf("proxy log:\n%s", l)
}

// getOK GETs url until it answers 200: the proxy and its target take a
// moment to listen, and until then the engine's port forwarder resets
// connections or the proxy answers 502.
func getOK(t *testing.T, url string, logs func() string) string {
	t.Helper()
	var last string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			last = err.Error()
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return string(b)
		}
		last = fmt.Sprintf("%s %q", resp.Status, b)
	}
	t.Fatalf("GET %s never answered 200 (last: %s); proxy log:\n%s", url, last, logs())
	return ""
}
