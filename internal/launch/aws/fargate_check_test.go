package aws

import (
	"context"
	"strings"
	"testing"

	"deckhand/internal/launch"
)

// TestSandboxCheckSaysWhatFailed: on the sandbox, a task whose container
// runs on the local engine (it has a runtime ID) but publishes no port is a
// failure naming the container and the engine, not the "the engine does
// not have its image" skip that is true only of a simulated task.
func TestSandboxCheckSaysWhatFailed(t *testing.T) {
	tests := []struct {
		name      string
		runtimeID string
		skip      bool
		want      string
	}{
		{"simulated", "", true, "does not have its image"},
		{"running, nothing published", "0123456789abcdef0123", false, "runs on the local Docker engine (container 0123456789ab) but publishes no port 5000"},
	}
	for _, tc := range tests {
		p := &fargate{FargateOptions: FargateOptions{Stack: "web", Sandbox: true}, res: &FargateResult{URL: "http://203.0.113.9:5000/", Image: "web:1"}, runtimeID: tc.runtimeID}
		p.port = 5000
		err := p.checkStep().Run(context.Background(), &launch.Output{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || launch.IsSkip(err) != tc.skip {
			t.Errorf("%s: %v (skip %v), want %q (skip %v)", tc.name, err, launch.IsSkip(err), tc.want, tc.skip)
		}
	}
}
