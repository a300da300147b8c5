package elbproxy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"deckhand/dockerops"
	"deckhand/internal/testbed"
)

// tinyMain is the smallest static program: a FROM-scratch-able binary.
const tinyMain = "package main\n\nfunc main() {}\n"

// TestStatic: a CGO_ENABLED=0 Go binary is static; /bin/sh (linked
// against libc) is not; anything that is not an ELF executable is an
// error rather than a guess.
func TestStatic(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "script")
	if err := os.WriteFile(text, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		want    bool
		wantErr string
	}{
		{name: "static go binary", path: testbed.StaticBinary(t, tinyMain), want: true},
		{name: "dynamic /bin/sh", path: "/bin/sh", want: false},
		{name: "shell script", path: text, wantErr: "is not an ELF executable"},
		{name: "missing", path: filepath.Join(dir, "nope"), wantErr: "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Static(tc.path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("Static(%s) = %v, %v; want an error with %q", tc.path, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("Static(%s) = %v, %v; want %v", tc.path, got, err, tc.want)
			}
		})
	}
}

// TestEnsureImageRefuses: binaries that cannot run FROM scratch are
// refused before the engine is contacted (this engine's address answers
// nothing, so any contact would fail differently).
func TestEnsureImageRefuses(t *testing.T) {
	eng, err := dockerops.New(dockerops.Options{Host: "unix://" + filepath.Join(t.TempDir(), "no.sock")})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	text := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(text, []byte("not a program\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, binary, want string
	}{
		{"dynamic", "/bin/sh", "/bin/sh is dynamically linked, so it cannot run in a FROM-scratch image; build deckhand with CGO_ENABLED=0"},
		{"not a binary", text, "is not an ELF executable"},
		{"missing", "/nonexistent/deckhand", "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ref, err := EnsureImage(context.Background(), eng, tc.binary)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("EnsureImage(%s) = %q, %v; want an error with %q", tc.binary, ref, err, tc.want)
			}
		})
	}
}
