package testbed

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// DeckhandBinary builds deckhand itself, statically linked (CGO_ENABLED=0)
// as scripts/run does, into a directory removed when t ends, and returns
// its path: what the sandbox puts into its load balancers' proxy image
// (internal/elbproxy, sandbox.Options.ProxyBinary). A test binary is not
// deckhand, so tests that want proxies pass this one.
//
// The version stamped in is unique to the call, so the proxy image built
// from it (tagged with the binary's hash) is the test's own: the test may
// remove it when it ends without touching one a real sandbox uses. The
// Go build cache makes every build after the first a link of a second or
// two.
func DeckhandBinary(t testing.TB) string {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	out := filepath.Join(t.TempDir(), "deckhand")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -X main.version=test-"+hex.EncodeToString(b), "-o", out, "deckhand/cmd/deckhand")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building deckhand: %v\n%s", err, b)
	}
	return out
}
