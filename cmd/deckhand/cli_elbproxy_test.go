package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"deckhand/internal/elbproxy"
)

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestElbProxyRejects: a bad command line exits 2 before listening; a
// port in use exits 1.
func TestElbProxyRejects(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no listen", []string{"elb-proxy", "--target", "10.0.0.1:80"}, 2, "--listen is required, e.g. --listen :80"},
		{"bad target", []string{"elb-proxy", "--listen", ":0", "--target", "10.0.0.1"}, 2, `--target "10.0.0.1" is not HOST:PORT`},
		{"positional", []string{"elb-proxy", "--listen", ":0", "10.0.0.1:80"}, 2, `unexpected argument "10.0.0.1:80"`},
		{"port in use", []string{"elb-proxy", "--listen", busy.Addr().String()}, 1, "deckhand elb-proxy: listen tcp " + busy.Addr().String()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, handled, _, stderr := cli(tc.args...)
			if !handled || code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("handled %v, exit %d, stderr %q; want exit %d with %q", handled, code, stderr, tc.code, tc.want)
			}
		})
	}
}

// TestElbProxyServes: the subcommand takes what elbproxy.Args writes
// (the contract between the sandbox and the container), proxies to the
// target, and exits 0 when its context ends (SIGTERM in withSignals).
func TestElbProxyServes(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "target "+r.URL.Path)
	}))
	defer target.Close()
	listen := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	args := elbproxy.Args(listen, []string{target.Listener.Addr().String()})
	go func() { done <- execute(ctx, append([]string{"elb-proxy"}, args...), io.Discard, &stderr, nil) }()

	var body string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get("http://" + listen + "/x")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the proxy never answered: %v", err)
		}
	}
	if body != "target /x" {
		t.Errorf("through the proxy: %q, want the target's answer", body)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d after cancel, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("elb-proxy did not exit within 10s of cancel")
	}
	if !strings.Contains(stderr.String(), "GET /x 200") {
		t.Errorf("stderr lacks the request line:\n%s", stderr.String())
	}
}

// TestElbProxyHidden: the subcommand is plumbing for the sandbox's
// containers and never shows in deckhand's help.
func TestElbProxyHidden(t *testing.T) {
	var help bytes.Buffer
	parseFlags([]string{"--help"}, &help)
	if help.Len() == 0 || strings.Contains(help.String(), "elb-proxy") {
		t.Errorf("deckhand --help mentions elb-proxy (or printed nothing):\n%s", help.String())
	}
}
