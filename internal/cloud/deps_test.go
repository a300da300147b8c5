package cloud

import (
	"os/exec"
	"strings"
	"testing"
)

// TestContractsStaySDKFree: the TUI, the sandbox, the launch steps and this
// package reach AWS only through these contracts, so none of them may pull
// in the SDK (about 130 packages) or smithy. `go list -deps` is the truth.
func TestContractsStaySDKFree(t *testing.T) {
	for _, pkg := range []string{"deckhand/internal/cloud", "deckhand/tui", "deckhand/aws/sandbox", "deckhand/internal/launch/..."} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "github.com/aws/aws-sdk-go-v2") || strings.HasPrefix(dep, "github.com/aws/smithy-go") {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}
