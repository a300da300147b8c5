package dockerops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"deckhand/internal/testbed"

	"github.com/moby/moby/api/pkg/authconfig"
	"github.com/moby/moby/api/types/registry"
	"github.com/moby/moby/client"
	"golang.org/x/crypto/bcrypt"
)

// registryBin is Debian's docker-registry package (the CNCF distribution
// registry), which scripts/test installs.
const registryBin = "/usr/bin/docker-registry"

// testRegistry is a registry on 127.0.0.1 that wants a user and password,
// as ECR does. The engine allows plain HTTP to 127.0.0.0/8 registries by
// default, so no TLS is needed.
type testRegistry struct {
	Addr           string // 127.0.0.1:PORT
	User, Password string
}

// startRegistry runs docker-registry with htpasswd auth and storage in a
// temp dir until the test ends.
func startRegistry(t *testing.T) *testRegistry {
	t.Helper()
	if _, err := os.Stat(registryBin); err != nil {
		testbed.Missing(t, registryBin, "install Debian's docker-registry package (apt-get install docker-registry; the README's test command does this as root)")
	}
	dir := t.TempDir()
	r := &testRegistry{User: "deckhand", Password: "pw-" + uniq(t)}
	hash, err := bcrypt.GenerateFromPassword([]byte(r.Password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(r.User+":"+string(hash)+"\n"), 0o600))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.Addr = l.Addr().String()
	l.Close()
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: %s
http:
  addr: %s
auth:
  htpasswd:
    realm: deckhand-test
    path: %s
`, filepath.Join(dir, "data"), r.Addr, filepath.Join(dir, "htpasswd"))
	must(t, os.WriteFile(filepath.Join(dir, "config.yml"), []byte(cfg), 0o600))

	var out lockedBuffer
	cmd := exec.Command(registryBin, "serve", filepath.Join(dir, "config.yml"))
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", registryBin, err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		// Without credentials /v2/ answers 401: up, and auth is on.
		resp, err := http.Get("http://" + r.Addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("registry /v2/ without credentials: %s, want 401 (is auth configured?)", resp.Status)
			}
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("registry did not answer on %s within 20s: %v\n%s", r.Addr, err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// get calls the registry's HTTP API with the test credentials.
func (r *testRegistry) get(t *testing.T, path string, accept string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+r.Addr+path, nil)
	req.SetBasicAuth(r.User, r.Password)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// TestPushToRegistryWithAuth pushes an image as the Fargate target pushes
// to ECR: tag it with the registry's address, push with a user and
// password, and find it in the registry. Wrong credentials must fail with
// the registry's refusal, recognisably an auth problem.
func TestPushToRegistryWithAuth(t *testing.T) {
	reg := startRegistry(t)
	e, c := newEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	src := fixtureImage(t, e, c)
	repo := "deckhand-test/push"
	ref := reg.Addr + "/" + repo + ":v1"
	must(t, e.Tag(ctx, src, ref))
	t.Cleanup(func() { c.ImageRemove(context.Background(), ref, client.ImageRemoveOptions{}) })

	_, err := e.Push(ctx, ref, RegistryAuth{Username: reg.User, Password: "wrong", ServerAddress: reg.Addr}, nil)
	var pe *PushError
	if !errors.As(err, &pe) || !pe.Unauthorized() {
		t.Fatalf("push with a wrong password: %T %v, want an unauthorized *PushError", err, err)
	}
	if !strings.Contains(err.Error(), "docker push "+ref) {
		t.Errorf("error %q does not name the push", err)
	}
	t.Logf("wrong password: %v", err)

	var lines []string
	digest, err := e.Push(ctx, ref, RegistryAuth{Username: reg.User, Password: reg.Password, ServerAddress: reg.Addr},
		func(l string) { lines = append(lines, l) })
	if err != nil {
		t.Fatalf("push: %v\nprogress:\n%s", err, strings.Join(lines, "\n"))
	}
	if !strings.HasPrefix(digest, "sha256:") {
		t.Errorf("digest %q, want sha256:…", digest)
	}
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasSuffix(l, " Pushed") }) {
		t.Errorf("progress %q has no layer reported Pushed", lines)
	}

	// The registry has the tag, and its manifest is the one pushed.
	resp, body := reg.get(t, "/v2/"+repo+"/tags/list", "")
	var tags struct{ Tags []string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &tags) != nil || !slices.Contains(tags.Tags, "v1") {
		t.Fatalf("tags/list: %s %s, want v1", resp.Status, body)
	}
	resp, _ = reg.get(t, "/v2/"+repo+"/manifests/v1", "application/vnd.docker.distribution.manifest.v2+json")
	if got := resp.Header.Get("Docker-Content-Digest"); got != digest {
		t.Errorf("registry's manifest digest %q, want the pushed %q", got, digest)
	}

	// And it comes back: drop the local name, pull it with the same
	// credentials, and get the same image.
	want, err := e.InspectImage(ctx, ref)
	must(t, err)
	_, err = c.ImageRemove(ctx, ref, client.ImageRemoveOptions{})
	must(t, err)
	enc, _ := authconfig.Encode(registry.AuthConfig{Username: reg.User, Password: reg.Password, ServerAddress: reg.Addr})
	pull, err := c.ImagePull(ctx, ref, client.ImagePullOptions{RegistryAuth: enc})
	must(t, err)
	must(t, pull.Wait(ctx))
	got, err := e.InspectImage(ctx, ref)
	must(t, err)
	if got.ID != want.ID {
		t.Errorf("pulled image %s, want the pushed %s", got.ID, want.ID)
	}
}

func TestPushRefusals(t *testing.T) {
	ro, err := New(Options{Host: "unix:///nonexistent.sock", ReadOnly: true})
	must(t, err)
	defer ro.Close()
	ctx := context.Background()
	if _, err := ro.Push(ctx, "127.0.0.1:1/x:1", RegistryAuth{}, nil); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only Push: %v, want ErrReadOnly", err)
	}
	if err := ro.Tag(ctx, "a", "b"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only Tag: %v, want ErrReadOnly", err)
	}
	if err := ro.RemoveImage(ctx, "a"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only RemoveImage: %v, want ErrReadOnly", err)
	}
}

func TestDecodePush(t *testing.T) {
	tests := []struct {
		name, stream string
		digest       string
		lines        []string
		err          string
	}{
		{
			name: "success",
			stream: `{"status":"The push refers to repository [127.0.0.1:5000/x]"}
{"status":"Preparing","progressDetail":{},"id":"abc"}
{"status":"Pushing","progressDetail":{"current":1,"total":9},"id":"abc"}
{"status":"Pushing","progressDetail":{"current":5,"total":9},"id":"abc"}
{"status":"Pushed","progressDetail":{},"id":"abc"}
{"status":"v1: digest: sha256:1234 size: 527"}
{"progressDetail":{},"aux":{"Tag":"v1","Digest":"sha256:1234","Size":527}}
`,
			digest: "sha256:1234",
			lines:  []string{"The push refers to repository [127.0.0.1:5000/x]", "abc Preparing", "abc Pushing", "abc Pushed", "v1: digest: sha256:1234 size: 527"},
		},
		{
			name: "registry refuses",
			stream: `{"status":"Preparing","progressDetail":{},"id":"abc"}
{"errorDetail":{"message":"unauthorized: authentication required"},"error":"unauthorized: authentication required"}
`,
			lines: []string{"abc Preparing"},
			err:   "docker push r/x:1: unauthorized: authentication required",
		},
		{name: "garbage", stream: "not json", err: "reading the engine's output"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var lines []string
			digest, err := decodePush("r/x:1", strings.NewReader(tc.stream), func(l string) { lines = append(lines, l) })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if digest != tc.digest || !slices.Equal(lines, tc.lines) {
				t.Errorf("digest %q lines %q, want %q %q", digest, lines, tc.digest, tc.lines)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer collects a child process's output from two pipes.
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
