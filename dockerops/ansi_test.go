package dockerops

import (
	"slices"
	"strings"
	"testing"
)

// TestDecodeBuildStripsColour: the classic builder colours a RUN step's
// stderr; progress lines and BuildError output come out plain, and the
// builder's bookkeeping lines stay out of the error's output.
func TestDecodeBuildStripsColour(t *testing.T) {
	stream := `{"stream":"Step 2/2 : RUN python3 -c 'import nope'"}
{"stream":"\n"}
{"stream":" ---\u003e Running in 0123456789ab\n"}
{"stream":"\u001b[91mTraceback (most recent call last):\n\u001b[0m"}
{"stream":"\u001b[91mModuleNotFoundError: No module named 'nope'\n\u001b[0m"}
{"stream":"\u001b[0mRemoving intermediate container 0123456789ab\n"}
{"errorDetail":{"code":1,"message":"The command returned a non-zero code: 1"},"error":"The command returned a non-zero code: 1"}
`
	var lines []string
	_, err := decodeBuild(strings.NewReader(stream), func(l string) { lines = append(lines, l) })
	be, ok := err.(*BuildError)
	if !ok {
		t.Fatalf("err = %v, want *BuildError", err)
	}
	want := []string{"Traceback (most recent call last):", "ModuleNotFoundError: No module named 'nope'"}
	if !slices.Equal(be.Output, want) {
		t.Errorf("output %q, want %q", be.Output, want)
	}
	for _, l := range lines {
		if strings.Contains(l, "\x1b") {
			t.Errorf("progress line %q keeps an escape", l)
		}
	}
}
