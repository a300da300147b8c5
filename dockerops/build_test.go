package dockerops

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

func TestBuildFailureNamesStep(t *testing.T) {
	e, c := newEngine(t)
	for _, tc := range []struct {
		name, dockerfile, step, want string
		output                       []string // lines the failing step printed
	}{
		{"missing file", "FROM scratch\nCOPY missing.txt /\n", "2/2 : COPY missing.txt /",
			"docker build failed at step 2/2 (COPY missing.txt /): COPY failed: file not found", nil},
		{"failing RUN", "FROM scratch\nCOPY present.txt /\nRUN false\n", "3/3 : RUN false",
			"docker build failed at step 3/3 (RUN false): ", nil},
		{"RUN printing and exiting 3", "FROM scratch\nCOPY app /app\nRUN [\"/app\", \"fail\"]\n", `3/3 : RUN ["/app", "fail"]`,
			`docker build failed at step 3/3 (RUN ["/app", "fail"]): The command '/app fail' returned a non-zero code: 3
    fixture: about to fail
    fixture: exit 3`, []string{"fixture: about to fail", "fixture: exit 3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(tc.dockerfile), 0o644)
			os.WriteFile(filepath.Join(dir, "present.txt"), []byte("here\n"), 0o644)
			copyFixture(t, dir)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var lines []string
			// No tag: a failed build leaves no image to clean up.
			_, err := e.Build(ctx, BuildOptions{Dir: dir}, func(l string) { lines = append(lines, l) })
			removeIntermediates(t, c, lines)
			var be *BuildError
			if !errors.As(err, &be) {
				t.Fatalf("Build error %T %v, want *BuildError", err, err)
			}
			if be.Step != tc.step || be.Message == "" || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("BuildError step %q message %q, want step %q", be.Step, be.Message, tc.step)
			}
			if !slices.Equal(be.Output, tc.output) {
				t.Errorf("BuildError output %q, want %q", be.Output, tc.output)
			}
			if !slices.Contains(lines, "Step 1/"+tc.step[:1]+" : FROM scratch") {
				t.Errorf("progress lines %q lack the first step", lines)
			}
			t.Logf("error: %v", err)
		})
	}
}

// removeIntermediates deletes the images the steps before a failure left
// (untagged build cache), newest first, so failed test builds leave nothing.
func removeIntermediates(t *testing.T, c *client.Client, lines []string) {
	var ids []string
	for _, l := range lines {
		if id, ok := strings.CutPrefix(l, " ---> "); ok && !strings.Contains(id, " ") {
			ids = append(ids, id)
		}
	}
	t.Cleanup(func() {
		for _, id := range slices.Backward(ids) {
			c.ImageRemove(context.Background(), id, imageRemoveOpts)
		}
	})
}

func TestBuildArgsAndDockerfilePath(t *testing.T) {
	e, c := newEngine(t)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "docker"), 0o755)
	os.WriteFile(filepath.Join(dir, "docker", "app.Dockerfile"), []byte("FROM scratch\nARG GREETING\nLABEL greeting=$GREETING\n"), 0o644)
	tag := uniq(t) + ":args"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id, err := e.Build(ctx, BuildOptions{Dir: dir, Dockerfile: "docker/app.Dockerfile", Tags: []string{tag}, BuildArgs: map[string]string{"GREETING": "hello"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ImageRemove(context.Background(), tag, imageRemoveOpts) })
	img, err := c.ImageInspect(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	if img.ID != id || img.Config == nil || img.Config.Labels["greeting"] != "hello" {
		t.Errorf("image %s labels %v, want id %s and greeting=hello", img.ID, img.Config, id)
	}
}

func TestIgnorePatterns(t *testing.T) {
	ig, err := parseIgnore(strings.NewReader("# comment\n\n*.pyc\n/venv\n**/__pycache__\nsecrets/*\n!secrets/keep.txt\n./build/\n"))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"app.py":                 false,
		"app.pyc":                true,
		"pkg/mod.pyc":            false, // "*.pyc" is anchored at the root, as in Docker
		"venv":                   true,
		"venv/bin/python":        true, // below an excluded directory
		"src/venv":               false,
		"__pycache__/x":          true,
		"a/b/__pycache__/x.pyc":  true,
		"secrets/key.pem":        true,
		"secrets/keep.txt":       false, // re-included by "!"
		"build/out.bin":          true,
		"buildfile":              false,
		"templates/index.html":   false,
		"templates/__pycache__x": false,
	} {
		if got := ig.ignored(path); got != want {
			t.Errorf("ignored(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestWriteContextHonoursDockerignore(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"Dockerfile":           "FROM scratch\n",
		".dockerignore":        ".dockerignore\nDockerfile\n.git\n*.log\n",
		"app.py":               "print('hi')\n",
		"debug.log":            "noise\n",
		".git/HEAD":            "ref\n",
		"templates/index.html": "<p>hi</p>\n",
	} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	if err := os.Symlink("app.py", filepath.Join(dir, "main.py")); err != nil {
		t.Fatal(err)
	}
	ig, err := readIgnore(dir)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeContext(&buf, dir, ig, "Dockerfile"); err != nil {
		t.Fatal(err)
	}
	var names []string
	tr := tar.NewReader(&buf)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Uname != "" {
			t.Errorf("%s: owner %d %q, want root", h.Name, h.Uid, h.Uname)
		}
		if h.Name == "main.py" && (h.Typeflag != tar.TypeSymlink || h.Linkname != "app.py") {
			t.Errorf("main.py: type %c link %q, want a symlink to app.py", h.Typeflag, h.Linkname)
		}
		names = append(names, h.Name)
	}
	slices.Sort(names)
	want := []string{".dockerignore", "Dockerfile", "app.py", "main.py", "templates/", "templates/index.html"}
	if !slices.Equal(names, want) {
		t.Errorf("context holds %q, want %q", names, want)
	}
}
