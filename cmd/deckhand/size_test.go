package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLinkerDropsUnusedMethods: nothing reachable in deckhand may look
// methods up by name through reflection (text/template execution does),
// or the Go linker keeps every exported method of every type — the EC2
// client's 2,439 operations among them — and the binary grows from 38 MB
// to 99 MB, which every running deckhand maps (issue 8's RSS budget). The
// symbol table of a real build is the truth.
func TestLinkerDropsUnusedMethods(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "deckhand")
	// testbed.DeckhandBinary's flags but -s -w, so that the compiled
	// packages come from the build cache and only the link is new.
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "deckhand/cmd/deckhand")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	const max = 300 // deckhand calls about 70 of them
	n := strings.Count(string(out), "service/ec2.(*Client).")
	if n > max {
		t.Errorf("the binary keeps %d methods of the EC2 client (at most %d expected): something reachable calls reflect's MethodByName (text/template's Execute, for one); `go build -ldflags=-dumpdep` shows what reaches it", n, max)
	}
	if strings.Contains(string(out), "ec2.(*Client).CreateVpnGateway") {
		t.Error("the EC2 client's CreateVpnGateway, which deckhand never calls, is linked in")
	}
}
