package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/internal/testbed"
)

// The push half of a Fargate launch against a real registry that wants a
// user and password, as ECR does: Debian's docker-registry on 127.0.0.1
// (the engine allows plain HTTP to loopback registries). The backend's
// EnsureRepository and RegistryLogin point at it; everything else about the
// backend is unused by these steps.

const registryBin = "/usr/bin/docker-registry"

type localRegistry struct {
	addr, user, password string
}

func startRegistry(t *testing.T) *localRegistry {
	t.Helper()
	if _, err := os.Stat(registryBin); err != nil {
		testbed.Missing(t, registryBin, "install Debian's docker-registry package (apt-get install docker-registry; the README's test command does this as root)")
	}
	dir := t.TempDir()
	r := &localRegistry{user: "AWS", password: fmt.Sprintf("token-%d", time.Now().UnixNano())}
	hash, err := bcrypt.GenerateFromPassword([]byte(r.password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(r.user+":"+string(hash)+"\n"), 0o600)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = l.Addr().String()
	l.Close()
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\nauth:\n  htpasswd:\n    realm: deckhand-test\n    path: %s\n",
		filepath.Join(dir, "data"), r.addr, filepath.Join(dir, "htpasswd"))
	os.WriteFile(filepath.Join(dir, "config.yml"), []byte(cfg), 0o600)
	cmd := exec.Command(registryBin, "serve", filepath.Join(dir, "config.yml"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get("http://" + r.addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("registry did not answer on %s: %v", r.addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// registryBackend answers the registry capabilities with the local
// registry.
type registryBackend struct {
	Backend // nil: the steps under test call nothing else
	reg     *localRegistry
	created map[string]bool
}

func (b *registryBackend) EnsureRepository(ctx context.Context, name string, tags cloud.Tags) (cloud.Repository, bool, error) {
	created := !b.created[name]
	b.created[name] = true
	return cloud.Repository{Name: name, URI: b.reg.addr + "/" + name, Tags: tags}, created, nil
}

func (b *registryBackend) RegistryLogin(ctx context.Context) (cloud.RegistryAuth, error) {
	return cloud.RegistryAuth{Username: b.reg.user, Password: b.reg.password, ServerAddress: b.reg.addr, ExpiresAt: time.Now().Add(12 * time.Hour)}, nil
}

func TestFargatePushesToRegistry(t *testing.T) {
	reg := startRegistry(t)
	eng := testEngine(t)
	stack := uniqStack("push")
	be := &registryBackend{reg: reg, created: map[string]bool{}}
	t.Cleanup(func() {
		ctx := context.Background()
		ims, _ := eng.ImagesByLabel(ctx, "deckhand.stack", stack)
		for _, im := range ims {
			for _, tag := range im.Tags {
				eng.RemoveImage(ctx, tag)
			}
		}
	})
	steps, res, err := Fargate(be, eng, FargateOptions{Stack: stack, Dir: appProject(t)})
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, only(steps, "build", "repository", "login", "push"))
	if got := r.states(); strings.Join(got, " ") != "build:done repository:done login:done push:done" {
		t.Fatalf("states = %v", got)
	}
	if d := r.detail("login"); strings.Contains(d, reg.password) || !strings.Contains(d, "AWS @ "+reg.addr) {
		t.Errorf("login = %q (must name the user and registry, never the password)", d)
	}
	wantRef := reg.addr + "/deckhand/" + stack + ":" + launch.ShortID(res.ImageID)
	if res.Image != wantRef || !strings.HasPrefix(r.detail("push"), wantRef+" sha256:") {
		t.Errorf("image %q, push %q; want %s and its digest", res.Image, r.detail("push"), wantRef)
	}
	if len(r.lines("push")) == 0 {
		t.Error("the push reported no progress")
	}
	// The registry has the tag.
	req, _ := http.NewRequest(http.MethodGet, "http://"+reg.addr+"/v2/deckhand/"+stack+"/tags/list", nil)
	req.SetBasicAuth(reg.user, reg.password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var list struct{ Tags []string }
	json.Unmarshal(body, &list)
	if len(list.Tags) != 1 || list.Tags[0] != launch.ShortID(res.ImageID) {
		t.Errorf("registry tags = %s", body)
	}

	// A wrong password fails the push with the registry's refusal, and
	// the explanation says it is about the login.
	be.reg = &localRegistry{addr: reg.addr, user: reg.user, password: "wrong"}
	steps, _, _ = Fargate(be, eng, FargateOptions{Stack: stack, Dir: appProject(t)})
	err = runErr(only(steps, "build", "repository", "login", "push"))
	if err == nil || !strings.Contains(err.Error(), `"push" failed`) || !strings.Contains(err.Error(), "refused the credentials") {
		t.Errorf("err = %v, want the push refused and explained", err)
	}
}
