package scaffold

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current templates")

// goldenCases are the option sets whose complete output is kept in
// testdata/golden/<dir>; review diffs there when changing a template.
var goldenCases = []struct {
	dir  string
	opts Options
}{
	{"default", Options{}},
	{"custom-name-port", Options{Name: "hello-api", Port: 8080}},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.dir, func(t *testing.T) {
			out := t.TempDir()
			res, err := Generate(out, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Written, FileNames()) || len(res.Skipped) != 0 {
				t.Fatalf("Result = %+v, want all of %v written", res, FileNames())
			}
			golden := filepath.Join("testdata", "golden", tc.dir)
			if *update {
				if err := os.RemoveAll(golden); err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(golden, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, name := range FileNames() {
				got := readFile(t, filepath.Join(out, name))
				if *update {
					if err := os.WriteFile(filepath.Join(golden, name), got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(filepath.Join(golden, name))
				if err != nil {
					t.Fatalf("%v (run go test ./scaffold -run TestGolden -update to create it)", err)
				}
				if string(got) != string(want) {
					t.Errorf("%s differs from %s (if intended, rerun with -update and review the diff):\n%s",
						name, golden, firstDiff(string(want), string(got)))
				}
			}
			assertOnlyFiles(t, out, FileNames()...)
		})
	}
}

// firstDiff shows the first differing line, enough to find the change.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, wl, gl)
		}
	}
	return "(no line differs)"
}

// TestContentRules checks the properties the seed tutorials get wrong,
// for several option sets, independently of the golden files.
func TestContentRules(t *testing.T) {
	for _, opts := range []Options{{}, {Name: "hello-api", Port: 8080}, {Name: "a", Port: 65535}} {
		t.Run(fmt.Sprintf("%s-%d", opts.Name, opts.Port), func(t *testing.T) {
			files, err := Render(opts)
			if err != nil {
				t.Fatal(err)
			}
			o := opts.withDefaults()
			port := fmt.Sprint(o.Port)
			content := map[string]string{}
			for _, f := range files {
				content[f.Name] = string(f.Content)
			}
			mustContain := map[string][]string{
				"app.py": {`host="0.0.0.0"`, `os.environ.get("PORT", "` + port + `")`, `"` + WelcomeText(o.Name) + `"`,
					`@app.get("/health")`, `jsonify(status="ok")`},
				"test_app.py":      {"import unittest", WelcomeText(o.Name), `{"status": "ok"}`},
				"requirements.txt": {"\nFlask==2.2.", "\ngunicorn=="},
				"Dockerfile": {"ARG BASE_IMAGE=python:3.11-slim\nFROM ${BASE_IMAGE}\n", "WORKDIR /app",
					"COPY requirements.txt .\nRUN python3 -c 'import flask, gunicorn' 2>/dev/null \\\n    || python3 -m pip install --no-cache-dir -r requirements.txt",
					"useradd", "\nUSER 10001:10001\n", "PORT=" + port + "\n", "\nEXPOSE " + port + "\n",
					"HEALTHCHECK", "urllib.request", "/health", "0.0.0.0:${PORT}", "gunicorn",
					"docker build -t " + o.Name + " .", "docker run -d -p " + port + ":" + port},
				".dockerignore": {".git\n", ".env\n", "__pycache__\n", ".venv\n"},
			}
			mustNotContain := map[string][]string{
				// gunicorn is not installed where the app's own tests run.
				"app.py":      {`host="127.0.0.1"`, "debug=True", "import gunicorn", "from gunicorn"},
				"test_app.py": {"import gunicorn", "from gunicorn"},
				// curl is not in slim images; "python " would miss python3-only
				// images; "-t name." is the tutorial's missing-space bug.
				"Dockerfile": {"CMD curl", "curl -", "apt-get", "python ", "-t " + o.Name + ".", "USER root", "# syntax="},
			}
			for name, subs := range mustContain {
				for _, s := range subs {
					if !strings.Contains(content[name], s) {
						t.Errorf("%s lacks %q", name, s)
					}
				}
			}
			for name, subs := range mustNotContain {
				for _, s := range subs {
					if strings.Contains(content[name], s) {
						t.Errorf("%s contains %q", name, s)
					}
				}
			}
		})
	}
}

func TestRefuseNamesEveryExistingFileAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "Dockerfile"), "mine\n")
	writeFile(t, filepath.Join(dir, "app.py"), "mine\n")
	writeFile(t, filepath.Join(dir, "notes.txt"), "unrelated\n")

	res, err := Generate(dir, Options{})
	var ee *ExistsError
	if !errors.As(err, &ee) {
		t.Fatalf("err = %v, want *ExistsError", err)
	}
	if want := []string{"app.py", "Dockerfile"}; !slices.Equal(ee.Files, want) {
		t.Errorf("ExistsError.Files = %v, want %v (generation order)", ee.Files, want)
	}
	for _, s := range []string{"app.py", "Dockerfile", dir, "--skip-existing", "--overwrite"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	if len(res.Written) != 0 || len(res.Skipped) != 0 {
		t.Errorf("Result = %+v, want nothing written or skipped", res)
	}
	assertOnlyFiles(t, dir, "Dockerfile", "app.py", "notes.txt")
	for _, name := range []string{"Dockerfile", "app.py"} {
		if got := string(readFile(t, filepath.Join(dir, name))); got != "mine\n" {
			t.Errorf("%s was changed to %q", name, got)
		}
	}

	// Plan (--dry-run) reports the same outcome with the full list.
	files, perr := Plan(dir, Options{})
	if !errors.As(perr, &ee) || len(files) != len(FileNames()) {
		t.Fatalf("Plan = %d files, %v; want all files and *ExistsError", len(files), perr)
	}
	if got := actions(files); got["app.py"] != ActionConflict || got["Dockerfile"] != ActionConflict || got["requirements.txt"] != ActionCreate {
		t.Errorf("Plan actions = %v", got)
	}
}

func TestModes(t *testing.T) {
	defaults, err := Render(Options{})
	if err != nil {
		t.Fatal(err)
	}
	generated := map[string]string{}
	for _, f := range defaults {
		generated[f.Name] = string(f.Content)
	}
	tests := []struct {
		mode                 Mode
		wantWritten, skipped []string
		wantApp              string
	}{
		{Skip, []string{"app.py", "test_app.py", "requirements.txt", ".dockerignore"}, []string{"Dockerfile"}, ""},
		{Overwrite, FileNames(), nil, generated["app.py"]},
	}
	for _, tc := range tests {
		t.Run(tc.mode.String(), func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "Dockerfile"), "FROM scratch\n")
			if tc.mode == Overwrite {
				writeFile(t, filepath.Join(dir, "app.py"), "print('old')\n")
			}
			files, err := Plan(dir, Options{Mode: tc.mode})
			if err != nil {
				t.Fatal(err)
			}
			want := map[Mode]Action{Skip: ActionSkip, Overwrite: ActionOverwrite}[tc.mode]
			if got := actions(files)["Dockerfile"]; got != want {
				t.Errorf("Plan action for Dockerfile = %s, want %s", got, want)
			}
			res, err := Generate(dir, Options{Mode: tc.mode})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Written, tc.wantWritten) || !slices.Equal(res.Skipped, tc.skipped) {
				t.Errorf("Result = %+v, want written %v skipped %v", res, tc.wantWritten, tc.skipped)
			}
			wantDockerfile := "FROM scratch\n"
			if tc.mode == Overwrite {
				wantDockerfile = generated["Dockerfile"]
			}
			if got := string(readFile(t, filepath.Join(dir, "Dockerfile"))); got != wantDockerfile {
				t.Errorf("Dockerfile = %q, want %q", got, wantDockerfile)
			}
			if tc.wantApp != "" && string(readFile(t, filepath.Join(dir, "app.py"))) != tc.wantApp {
				t.Error("app.py was not replaced")
			}
			assertOnlyFiles(t, dir, FileNames()...)
		})
	}
}

// A symlink counts as an existing file and is replaced, never written through.
func TestSymlinkIsNotFollowed(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	victim := filepath.Join(outside, "victim.py")
	writeFile(t, victim, "keep me\n")
	if err := os.Symlink(victim, filepath.Join(dir, "app.py")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	var ee *ExistsError
	if _, err := Generate(dir, Options{}); !errors.As(err, &ee) || !slices.Equal(ee.Files, []string{"app.py"}) {
		t.Fatalf("Refuse: err = %v, want *ExistsError for app.py", err)
	}
	if _, err := Generate(dir, Options{Mode: Overwrite}); err != nil {
		t.Fatal(err)
	}
	if got := string(readFile(t, victim)); got != "keep me\n" {
		t.Errorf("write went through the symlink: victim = %q", got)
	}
	if info, err := os.Lstat(filepath.Join(dir, "app.py")); err != nil || !info.Mode().IsRegular() {
		t.Errorf("app.py is not a regular file after overwrite: %v %v", info, err)
	}
}

func TestOverwriteDoesNotReplaceDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "app.py"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Generate(dir, Options{Mode: Overwrite})
	if err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("err = %v, want one saying app.py is a directory", err)
	}
	assertOnlyFiles(t, dir, "app.py")
}

func TestPlanWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "project")
	files, err := Plan(dir, Options{Name: "svc", Port: 8000})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(FileNames()) {
		t.Fatalf("Plan returned %d files, want %d", len(files), len(FileNames()))
	}
	for _, f := range files {
		if f.Action != ActionCreate || len(f.Content) == 0 {
			t.Errorf("%s: action %s, %d bytes; want create with content", f.Name, f.Action, len(f.Content))
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Plan created %s (stat err %v)", dir, err)
	}
}

func TestGenerateCreatesMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if _, err := Generate(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	assertOnlyFiles(t, dir, FileNames()...)
	for _, name := range FileNames() {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v, want 0644", name, info.Mode().Perm())
		}
	}
}

// Two racing Refuse-mode runs: every file is written exactly once and the
// loser learns which files the other one wrote; no temp files are left.
func TestConcurrentGenerateNeverOverwrites(t *testing.T) {
	for range 20 {
		dir := t.TempDir()
		var wg sync.WaitGroup
		results := make([]Result, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() { results[i], errs[i] = Generate(dir, Options{Name: fmt.Sprintf("run%d", i)}) })
		}
		wg.Wait()
		var written []string
		for i := range 2 {
			written = append(written, results[i].Written...)
			var ee *ExistsError
			if errs[i] != nil && !errors.As(errs[i], &ee) {
				t.Fatalf("run %d: %v", i, errs[i])
			}
		}
		slices.Sort(written)
		want := FileNames()
		slices.Sort(want)
		if !slices.Equal(written, want) {
			t.Fatalf("files written across both runs = %v, want each of %v once", written, want)
		}
		assertOnlyFiles(t, dir, FileNames()...)
	}
}

func TestLinkNewRefusesExistingTarget(t *testing.T) {
	dir := t.TempDir()
	tmp, target := filepath.Join(dir, "tmp"), filepath.Join(dir, "target")
	writeFile(t, tmp, "new\n")
	writeFile(t, target, "old\n")
	if err := linkNew(tmp, target); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("linkNew = %v, want ErrExist", err)
	}
	if got := string(readFile(t, target)); got != "old\n" {
		t.Errorf("target = %q, want it untouched", got)
	}
}

func actions(files []File) map[string]Action {
	m := map[string]Action{}
	for _, f := range files {
		m[f.Name] = f.Action
	}
	return m
}

// assertOnlyFiles fails if dir holds anything but names (e.g. a temp file).
func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := slices.Clone(names)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s holds %v, want exactly %v", dir, got, want)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFill: the three values go in, and a placeholder fill does not know
// (a typo in a template) is an error naming it, not an empty string.
func TestFill(t *testing.T) {
	values := map[string]string{".Name": "web", ".Port": "5000"}
	tests := []struct {
		tmpl, want, err string
	}{
		{"EXPOSE {{.Port}}\nLABEL {{.Name}}-{{ .Name }}", "EXPOSE 5000\nLABEL web-web", ""},
		{"no placeholder {single} braces", "no placeholder {single} braces", ""},
		{"ENV X={{.Nmae}}", "", "unknown placeholder {{.Nmae}}"},
	}
	for _, tc := range tests {
		got, err := fill(tc.tmpl, values)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("fill(%q) error = %v, want %q", tc.tmpl, err, tc.err)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("fill(%q) = %q, %v; want %q", tc.tmpl, got, err, tc.want)
		}
	}
}
