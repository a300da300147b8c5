package testbed

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var binaries sync.Map // source hash → *binary

type binary struct {
	once sync.Once
	path string
	err  error
}

// StaticBinary compiles mainSrc (a Go main package using only the standard
// library) into a static Linux binary and returns its path. Tests copy it
// into FROM-scratch images, since no image registry is reachable here.
// Binaries are kept under the temp dir, keyed by source and Go version, so
// a package's tests and later runs share one build instead of compiling
// the same fixture again.
func StaticBinary(t testing.TB, mainSrc string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(runtime.Version() + "\x00" + mainSrc))
	key := hex.EncodeToString(sum[:8])
	v, _ := binaries.LoadOrStore(key, &binary{})
	b := v.(*binary)
	b.once.Do(func() { b.path, b.err = build(key, mainSrc) })
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

func build(key, mainSrc string) (string, error) {
	dir := filepath.Join(os.TempDir(), "deckhand-testbin", key)
	out := filepath.Join(dir, "app")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	src, err := os.MkdirTemp("", "deckhand-testbin-src-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(src)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	os.WriteFile(filepath.Join(src, "go.mod"), []byte("module fixture\n\ngo 1.22\n"), 0o644)
	os.WriteFile(filepath.Join(src, "main.go"), []byte(mainSrc), 0o644)
	tmp := filepath.Join(src, "app")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", tmp, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOWORK=off", "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("compiling a test fixture: %v\n%s", err, b)
	}
	// Another test process may be building the same key: rename is atomic,
	// and either copy is the same program.
	staged := filepath.Join(dir, fmt.Sprintf("app.%d", os.Getpid()))
	data, err := os.ReadFile(tmp)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(staged, data, 0o755); err != nil {
		return "", err
	}
	return out, os.Rename(staged, out)
}
