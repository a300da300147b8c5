package dockerops

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/moby/moby/client"
)

// endpoint is where the engine is and why deckhand thinks so.
type endpoint struct {
	Host   string // unix:///var/run/docker.sock, tcp://host:2376, ...
	Origin string // "--docker-host", "DOCKER_HOST", `context "name"`, "default"
	// TLS material of a docker context (ca.pem, cert.pem, key.pem); empty
	// when the context has none. DOCKER_HOST's TLS comes from
	// DOCKER_CERT_PATH / DOCKER_TLS_VERIFY instead, as with the docker CLI.
	CAFile, CertFile, KeyFile string
}

// resolveHost applies the docker CLI's precedence: an explicit host, then
// DOCKER_HOST, then the current context (DOCKER_CONTEXT, else currentContext
// in config.json), else the default socket. getenv is os.Getenv outside
// tests.
func resolveHost(flag string, getenv func(string) string) (endpoint, error) {
	if flag != "" {
		return endpoint{Host: flag, Origin: "--docker-host"}, nil
	}
	if h := getenv("DOCKER_HOST"); h != "" {
		return endpoint{Host: h, Origin: "DOCKER_HOST"}, nil
	}
	dir, err := configDir(getenv)
	if err != nil {
		return endpoint{}, err
	}
	name := getenv("DOCKER_CONTEXT")
	if name == "" {
		if name, err = currentContext(dir); err != nil {
			return endpoint{}, err
		}
	}
	if name == "" || name == "default" {
		return endpoint{Host: client.DefaultDockerHost, Origin: "default"}, nil
	}
	return contextEndpoint(dir, name)
}

// configDir is $DOCKER_CONFIG, else ~/.docker.
func configDir(getenv func(string) string) (string, error) {
	if d := getenv("DOCKER_CONFIG"); d != "" {
		return d, nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("docker config: %w", err)
		}
	}
	return filepath.Join(home, ".docker"), nil
}

// currentContext reads currentContext from config.json; a missing file
// means the default context, as for the docker CLI.
func currentContext(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("docker config: %w", err)
	}
	var cfg struct {
		CurrentContext string `json:"currentContext"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return "", fmt.Errorf("docker config %s: %w", filepath.Join(dir, "config.json"), err)
	}
	return cfg.CurrentContext, nil
}

// contextEndpoint reads the docker endpoint of a named context. The CLI
// stores contexts under the SHA-256 of their name so that any name is a
// valid directory.
func contextEndpoint(dir, name string) (endpoint, error) {
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	meta := filepath.Join(dir, "contexts", "meta", id, "meta.json")
	b, err := os.ReadFile(meta)
	if errors.Is(err, fs.ErrNotExist) {
		return endpoint{}, fmt.Errorf("docker context %q not found (no %s)", name, meta)
	}
	if err != nil {
		return endpoint{}, fmt.Errorf("docker context %q: %w", name, err)
	}
	var m struct {
		Endpoints map[string]struct {
			Host string `json:"Host"`
		} `json:"Endpoints"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return endpoint{}, fmt.Errorf("docker context %q: %s: %w", name, meta, err)
	}
	host := m.Endpoints["docker"].Host
	if host == "" {
		return endpoint{}, fmt.Errorf("docker context %q has no docker endpoint host (%s)", name, meta)
	}
	ep := endpoint{Host: host, Origin: fmt.Sprintf("context %q", name)}
	tlsDir := filepath.Join(dir, "contexts", "tls", id, "docker")
	if f := filepath.Join(tlsDir, "ca.pem"); exists(f) {
		ep.CAFile = f
	}
	if c, k := filepath.Join(tlsDir, "cert.pem"), filepath.Join(tlsDir, "key.pem"); exists(c) && exists(k) {
		ep.CertFile, ep.KeyFile = c, k
	}
	return ep, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
