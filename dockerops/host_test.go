package dockerops

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeDockerContext makes the files `docker context create NAME --docker
// host=HOST` leaves under the config dir.
func writeDockerContext(t *testing.T, dir, name, host string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	meta := filepath.Join(dir, "contexts", "meta", id)
	if err := os.MkdirAll(meta, 0o755); err != nil {
		t.Fatal(err)
	}
	js := `{"Name":"` + name + `","Metadata":{"Description":"test"},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":false}}}`
	if err := os.WriteFile(filepath.Join(meta, "meta.json"), []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestResolveHost(t *testing.T) {
	const def = "unix:///var/run/docker.sock"
	cfg := t.TempDir()
	os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"auths":{},"currentContext":"remote"}`), 0o644)
	writeDockerContext(t, cfg, "remote", "tcp://10.9.8.7:2375")
	writeDockerContext(t, cfg, "other", "unix:///run/other.sock")
	tlsID := writeDockerContext(t, cfg, "secure", "tcp://secure:2376")
	tlsDir := filepath.Join(cfg, "contexts", "tls", tlsID, "docker")
	os.MkdirAll(tlsDir, 0o700)
	for _, f := range []string{"ca.pem", "cert.pem", "key.pem"} {
		os.WriteFile(filepath.Join(tlsDir, f), []byte("x"), 0o600)
	}
	empty := t.TempDir() // a config dir with nothing in it

	for _, tc := range []struct {
		name       string
		flag       string
		env        map[string]string
		want       string
		wantOrigin string
		wantErr    string
	}{
		{name: "nothing configured", env: map[string]string{"DOCKER_CONFIG": empty}, want: def, wantOrigin: "default"},
		{name: "HOME/.docker is the default config dir", env: map[string]string{"HOME": filepath.Dir(cfg) + "/nohome"}, want: def, wantOrigin: "default"},
		{name: "current context from config.json", env: map[string]string{"DOCKER_CONFIG": cfg}, want: "tcp://10.9.8.7:2375", wantOrigin: `context "remote"`},
		{name: "DOCKER_CONTEXT beats config.json", env: map[string]string{"DOCKER_CONFIG": cfg, "DOCKER_CONTEXT": "other"}, want: "unix:///run/other.sock", wantOrigin: `context "other"`},
		{name: "DOCKER_CONTEXT=default", env: map[string]string{"DOCKER_CONFIG": cfg, "DOCKER_CONTEXT": "default"}, want: def, wantOrigin: "default"},
		{name: "DOCKER_HOST beats the context", env: map[string]string{"DOCKER_CONFIG": cfg, "DOCKER_CONTEXT": "other", "DOCKER_HOST": "tcp://env:2375"}, want: "tcp://env:2375", wantOrigin: "DOCKER_HOST"},
		{name: "flag beats DOCKER_HOST and context", flag: "unix:///tmp/flag.sock", env: map[string]string{"DOCKER_CONFIG": cfg, "DOCKER_HOST": "tcp://env:2375"}, want: "unix:///tmp/flag.sock", wantOrigin: "--docker-host"},
		{name: "unknown context", env: map[string]string{"DOCKER_CONFIG": cfg, "DOCKER_CONTEXT": "gone"}, wantErr: `docker context "gone" not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep, err := resolveHost(tc.flag, func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ep.Host != tc.want || ep.Origin != tc.wantOrigin {
				t.Errorf("got %s (from %s), want %s (from %s)", ep.Host, ep.Origin, tc.want, tc.wantOrigin)
			}
		})
	}

	ep, err := resolveHost("", func(k string) string {
		return map[string]string{"DOCKER_CONFIG": cfg, "DOCKER_CONTEXT": "secure"}[k]
	})
	if err != nil || ep.CAFile != filepath.Join(tlsDir, "ca.pem") || ep.KeyFile != filepath.Join(tlsDir, "key.pem") {
		t.Errorf("TLS context: %+v, %v; want the context's tls files", ep, err)
	}
}

// TestNewUsesEnvironment checks the same precedence through New and the
// real environment.
func TestNewUsesEnvironment(t *testing.T) {
	cfg := t.TempDir()
	os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"currentContext":"remote"}`), 0o644)
	writeDockerContext(t, cfg, "remote", "unix:///run/remote.sock")
	t.Setenv("DOCKER_CONFIG", cfg)
	t.Setenv("DOCKER_CONTEXT", "")
	t.Setenv("DOCKER_HOST", "")
	t.Setenv("DOCKER_CERT_PATH", "")

	host := func(o Options) string {
		t.Helper()
		e, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		return e.Host()
	}
	if h := host(Options{}); h != "unix:///run/remote.sock" {
		t.Errorf("context: Host = %s", h)
	}
	t.Setenv("DOCKER_HOST", "unix:///run/env.sock")
	if h := host(Options{}); h != "unix:///run/env.sock" {
		t.Errorf("DOCKER_HOST: Host = %s", h)
	}
	if h := host(Options{Host: "unix:///run/flag.sock"}); h != "unix:///run/flag.sock" {
		t.Errorf("flag: Host = %s", h)
	}
}
