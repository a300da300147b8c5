package sandbox

import (
	"strings"
	"testing"
)

func TestImages(t *testing.T) {
	tests := []struct {
		ref, full string
		pulls     bool
		oneShot   bool
	}{
		{"nginx", "docker.io/library/nginx:latest", true, false},
		{"nginx:1.27", "docker.io/library/nginx:1.27", true, false},
		{"bitnami/redis:7", "docker.io/bitnami/redis:7", true, false},
		{"public.ecr.aws/nginx/nginx:1.27", "public.ecr.aws/nginx/nginx:1.27", true, false},
		{"localhost:5000/app", "localhost:5000/app:latest", true, false},
		{"alpine@sha256:abc", "docker.io/library/alpine@sha256:abc", true, true},
		{"busybox:1.36", "docker.io/library/busybox:1.36", true, true},
		{"ghcr.io/acme/missing-app:2", "ghcr.io/acme/missing-app:2", false, false},
		{"nginx:does-not-exist", "docker.io/library/nginx:does-not-exist", false, false},
		{"000000000000.dkr.ecr.us-east-1.amazonaws.com/app:1", "000000000000.dkr.ecr.us-east-1.amazonaws.com/app:1", false, false},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/alpine", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/alpine:latest", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			if got := normalizeRef(tc.ref); got != tc.full {
				t.Errorf("normalizeRef = %q, want %q", got, tc.full)
			}
			msg := pullError(tc.ref)
			if (msg == "") != tc.pulls {
				t.Errorf("pullError = %q, want pulls %v", msg, tc.pulls)
			}
			if msg != "" && (!strings.HasPrefix(msg, "CannotPullContainerError: ") || !strings.Contains(msg, tc.full)) {
				t.Errorf("pullError = %q, want a CannotPullContainerError naming %s", msg, tc.full)
			}
			if got := oneShot(tc.ref); got != tc.oneShot {
				t.Errorf("oneShot = %v, want %v", got, tc.oneShot)
			}
		})
	}
}
