package elbproxy

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// backend is a real HTTP server that answers with its name and echoes
// the forwarding headers it received as response headers.
func backend(t *testing.T, name string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, h := range []string{"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Port", "X-Forwarded-Host"} {
			w.Header().Set("Seen-"+h, r.Header.Get(h))
		}
		w.Header().Set("Seen-Host", r.Host)
		if d, _ := time.ParseDuration(r.URL.Query().Get("sleep")); d > 0 {
			time.Sleep(d)
		}
		io.WriteString(w, name)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// deadTarget is an address that refuses connections: a port that was
// free a moment ago.
func deadTarget(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// startProxy serves a handler for targets on a test server and returns its
// URL and its log.
func startProxy(t *testing.T, targets []string) (string, *syncBuffer) {
	t.Helper()
	var logb syncBuffer
	h, err := newHandler(targets, &logb)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL, &logb
}

func get(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestProxyAnswers: requests go to the targets in turn; with no target,
// or a target that refuses, the client gets the ALB's status and page.
func TestProxyAnswers(t *testing.T) {
	a, b, dead := backend(t, "a"), backend(t, "b"), deadTarget(t)
	type answer struct {
		code int
		body string // the whole body, or for ALB pages its title
	}
	ok := func(body string) answer { return answer{200, body} }
	unavailable := answer{503, "503 Service Temporarily Unavailable"}
	bad := answer{502, "502 Bad Gateway"}
	tests := []struct {
		name    string
		targets []string
		want    []answer
	}{
		{"round robin", []string{a, b}, []answer{ok("a"), ok("b"), ok("a"), ok("b")}},
		{"one target", []string{a}, []answer{ok("a"), ok("a")}},
		{"no targets", nil, []answer{unavailable, unavailable}},
		{"refusing target", []string{dead}, []answer{bad, bad}},
		// Without health checks an ALB keeps sending to a dead target.
		{"dead and live", []string{dead, b}, []answer{bad, ok("b"), bad, ok("b")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url, logb := startProxy(t, tc.targets)
			for i, w := range tc.want {
				req, _ := http.NewRequest("GET", url+"/p?q=1", nil)
				resp, body := get(t, req)
				if resp.StatusCode != w.code {
					t.Errorf("request %d: %d %q, want %d", i, resp.StatusCode, body, w.code)
					continue
				}
				if w.code == 200 {
					if body != w.body {
						t.Errorf("request %d: body %q, want %q", i, body, w.body)
					}
					continue
				}
				page := "<center><h1>" + w.body + "</h1></center>"
				if !strings.Contains(body, page) || resp.Header.Get("Server") != "awselb/2.0" {
					t.Errorf("request %d: %q (Server %q), want the ALB page with %q", i, body, resp.Header.Get("Server"), page)
				}
			}
			if n := strings.Count(logb.String(), "GET /p?q=1 "); n != len(tc.want) {
				t.Errorf("log has %d request lines, want %d:\n%s", n, len(tc.want), logb)
			}
		})
	}
}

// TestSlowTarget: a target that does not answer in time gets the ALB's
// 504 (after 60s on AWS; the test shortens the wait).
func TestSlowTarget(t *testing.T) {
	h, err := newHandler([]string{backend(t, "a")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.transport.ResponseHeaderTimeout = 50 * time.Millisecond
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/?sleep=300ms", nil)
	resp, body := get(t, req)
	if resp.StatusCode != 504 || !strings.Contains(body, "<h1>504 Gateway Time-out</h1>") {
		t.Errorf("slow target: %d %q, want the ALB's 504 page", resp.StatusCode, body)
	}
}

// TestForwardedHeaders: the target sees what an ALB sends: the client's
// address appended to X-Forwarded-For, the scheme and the listener port,
// the client's Host, and no X-Forwarded-Host.
func TestForwardedHeaders(t *testing.T) {
	url, _ := startProxy(t, []string{backend(t, "a")})
	port := url[strings.LastIndex(url, ":")+1:]
	tests := []struct {
		name    string
		xff     string // sent by the client
		wantXFF string
	}{
		{"first hop", "", "127.0.0.1"},
		{"behind another proxy", "203.0.113.9", "203.0.113.9, 127.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", url+"/", nil)
			req.Host = "web.example.test"
			if tc.xff != "" {
				req.Header.Set("X-Forwarded-For", tc.xff)
			}
			resp, _ := get(t, req)
			for h, want := range map[string]string{
				"X-Forwarded-For":   tc.wantXFF,
				"X-Forwarded-Proto": "http",
				"X-Forwarded-Port":  port,
				"X-Forwarded-Host":  "",
				"Host":              "web.example.test",
			} {
				if got := resp.Header.Get("Seen-" + h); got != want {
					t.Errorf("target saw %s %q, want %q", h, got, want)
				}
			}
		})
	}
}

// TestServeStopsGracefully: Serve answers until its context ends, lets
// a request in flight finish, returns nil, and then refuses connections.
func TestServeStopsGracefully(t *testing.T) {
	listen := deadTarget(t) // a free port for the proxy
	ctx, cancel := context.WithCancel(context.Background())
	var logb syncBuffer
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, listen, []string{backend(t, "a")}, &logb) }()

	url := "http://" + listen + "/"
	waitUp(t, url)
	slow := make(chan string, 1)
	go func() {
		resp, err := http.Get(url + "?sleep=300ms")
		if err != nil {
			slow <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		slow <- strconv.Itoa(resp.StatusCode) + " " + string(b)
	}()
	time.Sleep(100 * time.Millisecond) // let the slow request reach the target
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve = %v, want nil after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return within 10s of cancel")
	}
	if got := <-slow; got != "200 a" {
		t.Errorf("request in flight at cancel got %q, want 200 a", got)
	}
	if _, err := http.Get(url); err == nil {
		t.Error("the proxy still answers after Serve returned")
	}
	if !strings.Contains(logb.String(), "listening on "+listen) || !strings.Contains(logb.String(), "stopped") {
		t.Errorf("log lacks start or stop:\n%s", logb.String())
	}
}

func waitUp(t *testing.T, url string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never answered: %v", url, err)
		}
	}
}

// TestServeRefuses: bad targets and a busy port fail at once, naming the
// problem.
func TestServeRefuses(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name    string
		listen  string
		targets []string
		want    string
	}{
		{"no port", "127.0.0.1:0", []string{"10.0.0.1"}, `target "10.0.0.1" is not HOST:PORT`},
		{"port not a number", "127.0.0.1:0", []string{"10.0.0.1:http"}, "port must be a number"},
		{"no host", "127.0.0.1:0", []string{":5000"}, "missing host"},
		{"busy port", busy.Addr().String(), nil, "address already in use"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := Serve(ctx, tc.listen, tc.targets, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Serve = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestArgs(t *testing.T) {
	tests := []struct {
		listen  string
		targets []string
		want    []string
	}{
		{":80", nil, []string{"--listen", ":80"}},
		{":80", []string{"172.17.0.3:5000", "172.17.0.4:5000"},
			[]string{"--listen", ":80", "--target", "172.17.0.3:5000", "--target", "172.17.0.4:5000"}},
	}
	for _, tc := range tests {
		if got := Args(tc.listen, tc.targets); !slices.Equal(got, tc.want) {
			t.Errorf("Args(%q, %q) = %q, want %q", tc.listen, tc.targets, got, tc.want)
		}
	}
}

// syncBuffer is a bytes.Buffer the proxy's goroutines may write to while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
