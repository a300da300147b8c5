package launch

import (
	"os"
	"path/filepath"
	"testing"
)

func TestExposedPort(t *testing.T) {
	tests := []struct {
		name, dockerfile string
		want             int
	}{
		{"plain", "FROM x\nEXPOSE 5000\n", 5000},
		{"protocol and case", "FROM x\nexpose 8080/tcp 9090\n", 8080},
		{"first of several", "FROM x\nEXPOSE 80\nEXPOSE 443\n", 80},
		{"none", "FROM x\n", 0},
		{"variable", "FROM x\nEXPOSE ${PORT}\n", 0},
	}
	for _, tc := range tests {
		p := filepath.Join(t.TempDir(), "Dockerfile")
		os.WriteFile(p, []byte(tc.dockerfile), 0o644)
		if got := ExposedPort(p); got != tc.want {
			t.Errorf("%s: ExposedPort = %d, want %d", tc.name, got, tc.want)
		}
	}
	if got := ExposedPort(filepath.Join(t.TempDir(), "missing")); got != 0 {
		t.Errorf("missing file: %d", got)
	}
}
