package scaffold

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// needFlask returns the python3 to run the generated project with, or skips
// the test loudly; under CI=true a missing python3 or Flask fails instead,
// so CI cannot pass without running these tests.
func needFlask(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err == nil {
		var out []byte
		out, err = exec.Command(py, "-c", "import flask").CombinedOutput()
		if err != nil {
			err = fmt.Errorf("python3 cannot import flask: %v: %s", err, bytes.TrimSpace(out))
		}
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the generated app cannot be run: %v", err)
		}
		t.Skipf("SKIPPING the generated app's Python checks: %v (install python3 and Flask, e.g. apt-get install python3-flask)", err)
	}
	return py
}

// pythonEnv keeps the generated directory free of __pycache__ and the
// output unbuffered, whatever the caller's environment says.
func pythonEnv(extra ...string) []string {
	return append(os.Environ(), append([]string{"PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1"}, extra...)...)
}

func TestGeneratedUnittestPasses(t *testing.T) {
	py := needFlask(t)
	for _, tc := range goldenCases {
		t.Run(tc.dir, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if _, err := Generate(dir, tc.opts); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, py, "-m", "unittest", "-v")
			cmd.Dir = dir
			cmd.Env = pythonEnv()
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("python3 -m unittest failed: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "Ran 3 tests") || !strings.Contains(string(out), "\nOK") {
				t.Fatalf("unexpected unittest output:\n%s", out)
			}
		})
	}
}

// TestGeneratedAppServes runs `python3 app.py` for real and talks HTTP to
// it: once with PORT from the environment and once with the port baked in
// by Options.Port, and where the machine has a non-loopback address also
// through that, which only works when the app listens on 0.0.0.0.
func TestGeneratedAppServes(t *testing.T) {
	py := needFlask(t)
	tests := []struct {
		name    string
		viaEnv  bool // PORT from the environment, else Options.Port
		appName string
	}{
		{"PORT from env", true, ""},
		{"port from Options", false, "porty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			port := freePort(t)
			opts := Options{Name: tc.appName}
			// An inherited PORT must not decide which port the app uses.
			env := withoutEnv(pythonEnv(), "PORT")
			if tc.viaEnv {
				env = append(env, fmt.Sprintf("PORT=%d", port))
			} else {
				opts.Port = port
			}
			dir := t.TempDir()
			if _, err := Generate(dir, opts); err != nil {
				t.Fatal(err)
			}

			var logs lockedBuffer
			cmd := exec.Command(py, "app.py")
			cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, &logs, &logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			t.Cleanup(func() {
				cmd.Process.Kill()
				<-exited
				if t.Failed() {
					t.Logf("app output:\n%s", logs.String())
				}
			})

			base := fmt.Sprintf("http://127.0.0.1:%d", port)
			body := waitForHTTP(t, base+"/", exited)
			if want := WelcomeText(tc.appName); !strings.Contains(body, want) {
				t.Errorf("GET / = %q, want it to contain %q", body, want)
			}
			checkHealth(t, base+"/health")

			if ip := nonLoopbackIPv4(); ip != "" {
				checkHealth(t, fmt.Sprintf("http://%s:%d/health", ip, port))
			} else {
				t.Log("no non-loopback IPv4 address; 0.0.0.0 binding checked via the app's own log only")
			}
			if !strings.Contains(logs.String(), "0.0.0.0") {
				t.Errorf("app did not report listening on 0.0.0.0; output:\n%s", logs.String())
			}
		})
	}
}

func withoutEnv(env []string, key string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// waitForHTTP polls url until it answers 200 and returns the body; it fails
// fast if the app exits (bad code, port taken) instead of waiting it out.
func waitForHTTP(t *testing.T, url string, exited <-chan error) string {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get(url)
		if err == nil {
			b, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil && resp.StatusCode == http.StatusOK {
				return string(b)
			}
			err = fmt.Errorf("status %d, read error %v", resp.StatusCode, rerr)
		}
		select {
		case werr := <-exited:
			t.Fatalf("app exited before answering %s: %v", url, werr)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer 200 within 30s: %v", url, err)
		}
	}
}

func checkHealth(t *testing.T, url string) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("GET %s: body is not JSON: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK || len(got) != 1 || got["status"] != "ok" {
		t.Errorf("GET %s = %d %v, want 200 {\"status\": \"ok\"}", url, resp.StatusCode, got)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s Content-Type = %q, want application/json", url, ct)
	}
}

// freePort asks the kernel for a port that is free right now. Another
// process could take it before the app binds; the app would then exit and
// waitForHTTP reports that rather than hanging.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func nonLoopbackIPv4() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
			return ipn.IP.String()
		}
	}
	return ""
}

// lockedBuffer collects the app's output, written by exec's copying
// goroutines and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
