package local

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"deckhand/internal/launch"
	"deckhand/scaffold"
)

// TestLaunchPlan: the plan is made without an engine (a dry run needs
// none), reads the project directory only, and lists the steps with the
// resources and docker commands they stand for.
func TestLaunchPlan(t *testing.T) {
	root := t.TempDir()
	scaffolded := filepath.Join(root, "scaffolded")
	if _, err := scaffold.Generate(scaffolded, scaffold.Options{Name: "web", Port: 8000}); err != nil {
		t.Fatal(err)
	}
	notEmpty := filepath.Join(root, "notes")
	os.MkdirAll(notEmpty, 0o755)
	os.WriteFile(filepath.Join(notEmpty, "README"), []byte("hi\n"), 0o644)
	missing := filepath.Join(root, "new")

	tests := []struct {
		name   string
		opts   Options
		steps  []string
		plan   []string // substrings of the printed plan
		not    []string // what the printed plan must not say
		err    string
		noDirs bool // the plan must not create missing
	}{
		{
			name:  "scaffold a missing directory",
			opts:  Options{Stack: "web", Dir: missing, Scaffold: true, BaseImage: "deckhand/python-base:bookworm"},
			steps: []string{"scaffold", "build", "run", "prune", "wait", "check"},
			plan: []string{
				"create   file " + filepath.Join(missing, "Dockerfile"),
				"$ deckhand scaffold " + missing + " --name web",
				"$ docker build --label deckhand.stack=web --build-arg BASE_IMAGE=deckhand/python-base:bookworm -t deckhand/web:latest " + missing,
				"$ docker rm -f $(docker ps -aq --filter label=deckhand.stack=web)",
				"$ docker run -d --name deckhand-web --label deckhand.stack=web -p 127.0.0.1::5000 deckhand/web:latest",
				"$ docker image prune -f --filter label=deckhand.stack=web",
				`answers 2xx with "web: Welcome to Python Flask Web Service!"`,
			},
			noDirs: true,
		},
		{
			name:  "existing project keeps its port and welcome",
			opts:  Options{Stack: "web", Dir: scaffolded, HostPort: 8080, Timeout: 30 * time.Second},
			steps: []string{"build", "run", "prune", "wait", "check"},
			plan: []string{
				"$ docker build --label deckhand.stack=web -t deckhand/web:latest " + scaffolded,
				"-p 127.0.0.1:8080:8000 deckhand/web:latest",
				"$ curl -fsS http://127.0.0.1:8080/",
				"at most 30s",
				`answers 2xx with "web: Welcome`,
			},
		},
		{
			name:  "--scaffold on a project that has a Dockerfile",
			opts:  Options{Stack: "web", Dir: scaffolded, Scaffold: true},
			steps: []string{"scaffold", "build", "run", "prune", "wait", "check"},
			plan:  []string{"Keep " + scaffolded + "'s Dockerfile and build it as it is"},
			not:   []string{"Write a Flask project", "$ deckhand scaffold"},
		},
		{
			name:  "existing image",
			opts:  Options{Stack: "api", Image: "nginx:1.27"},
			steps: []string{"image", "run", "wait", "check"},
			plan:  []string{"use      docker image nginx:1.27", "$ docker image inspect nginx:1.27", "-p 127.0.0.1::APP_PORT nginx:1.27", "Check that GET / answers 2xx\n"},
		},
		{name: "empty directory without --scaffold", opts: Options{Stack: "web", Dir: missing}, err: "deckhand scaffold " + missing, noDirs: true},
		{name: "directory without Dockerfile", opts: Options{Stack: "web", Dir: notEmpty, Scaffold: true}, err: "has no Dockerfile and is not empty"},
		{name: "bad stack name", opts: Options{Stack: "Web", Dir: scaffolded}, err: `stack name "Web" must start with a lowercase letter`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			steps, res, err := Launch(nil, tc.opts)
			if tc.noDirs {
				if _, serr := os.Stat(missing); !errors.Is(serr, os.ErrNotExist) {
					t.Errorf("planning created %s", missing)
				}
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || res == nil {
				t.Fatal(err)
			}
			if got := names(steps); strings.Join(got, " ") != strings.Join(tc.steps, " ") {
				t.Errorf("steps %v, want %v", got, tc.steps)
			}
			var b strings.Builder
			launch.WritePlan(&b, "", steps)
			for _, w := range tc.plan {
				if !strings.Contains(b.String(), w) {
					t.Errorf("plan lacks %q:\n%s", w, b.String())
				}
			}
			for _, w := range tc.not {
				if strings.Contains(b.String(), w) {
					t.Errorf("plan says %q:\n%s", w, b.String())
				}
			}
		})
	}
}

func TestChoosePort(t *testing.T) {
	tests := []struct {
		exposed       []int
		planned, want int
	}{
		{nil, 0, 5000}, {nil, 8000, 8000}, {[]int{8080}, 0, 8080}, {[]int{8080}, 5000, 8080},
		{[]int{80, 8000}, 8000, 8000}, {[]int{80, 8000}, 0, 80},
	}
	for _, tc := range tests {
		if got := choosePort(tc.exposed, tc.planned); got != tc.want {
			t.Errorf("choosePort(%v, %d) = %d, want %d", tc.exposed, tc.planned, got, tc.want)
		}
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func itoa(n int) string { return strconv.Itoa(n) }
