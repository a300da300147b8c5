package project

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"deckhand/internal/launch"
	"deckhand/scaffold"
)

func TestInspect(t *testing.T) {
	root := t.TempDir()
	mk := func(name string, files map[string]string) string {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for f, content := range files {
			if err := os.WriteFile(filepath.Join(dir, f), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	empty := mk("empty", nil)
	missing := filepath.Join(root, "missing")
	nonEmpty := mk("notes", map[string]string{"README": "hi"})
	own := mk("own", map[string]string{"Dockerfile": "FROM x\nEXPOSE 8080\n"})
	scaffolded := filepath.Join(root, "scaffolded")
	if _, err := scaffold.Generate(scaffolded, scaffold.Options{Name: "old", Port: 7000}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		dir        string
		doScaffold bool
		want       Project
		problem    string // *Error's Problem starts so; "" for none
	}{
		{name: "empty, scaffold", dir: empty, doScaffold: true,
			want: Project{Dir: empty, Scaffold: true, Welcome: scaffold.WelcomeText("web"), Port: scaffold.DefaultPort, Deckhand: true}},
		{name: "missing, scaffold", dir: missing, doScaffold: true,
			want: Project{Dir: missing, Scaffold: true, Welcome: scaffold.WelcomeText("web"), Port: scaffold.DefaultPort, Deckhand: true}},
		{name: "own Dockerfile", dir: own, want: Project{Dir: own, Port: 8080}},
		{name: "own Dockerfile, scaffold asked", dir: own, doScaffold: true, want: Project{Dir: own, Port: 8080}},
		// A re-launch of a project scaffolded earlier keeps its own name
		// and port, not the stack's.
		{name: "scaffolded earlier", dir: scaffolded,
			want: Project{Dir: scaffolded, Welcome: scaffold.WelcomeText("old"), Port: 7000, Deckhand: true}},
		{name: "empty", dir: empty, problem: "is empty or missing: write a Flask project into it first (deckhand scaffold " + empty + ")"},
		{name: "missing", dir: missing, problem: "is empty or missing"},
		{name: "not empty, no Dockerfile", dir: nonEmpty, doScaffold: true, problem: "has no Dockerfile and is not empty"},
	}
	for _, tc := range tests {
		got, err := Inspect(tc.dir, "web", tc.doScaffold)
		var pe *Error
		switch {
		case tc.problem == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.problem == "" && got != tc.want:
			t.Errorf("%s: Inspect = %+v, want %+v", tc.name, got, tc.want)
		case tc.problem != "" && !errors.As(err, &pe):
			t.Errorf("%s: error %v, want a *project.Error", tc.name, err)
		case tc.problem != "" && (pe.Dir != tc.dir || !strings.HasPrefix(pe.Problem, tc.problem) || err.Error() != tc.dir+" "+pe.Problem):
			t.Errorf("%s: error %+v, want Dir %s and a Problem starting %q", tc.name, pe, tc.dir, tc.problem)
		}
	}
	if _, err := Inspect("", "web", true); !errors.Is(err, ErrNoDir) {
		t.Errorf("Inspect(\"\") = %v, want ErrNoDir", err)
	}
}

// run executes one step and returns its final event.
func run(t *testing.T, s launch.Step) (launch.Event, error) {
	t.Helper()
	var last launch.Event
	err := launch.Execute(context.Background(), []launch.Step{s}, func(e launch.Event) { last = e })
	return last, err
}

func TestScaffoldStep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "web")
	p, err := Inspect(dir, "web", true)
	if err != nil {
		t.Fatal(err)
	}
	s := ScaffoldStep(p, "web")
	if s.Summary != "Write a Flask project named web into "+dir || len(s.Resources) != len(scaffold.FileNames()) ||
		!slices.Equal(s.Commands, []string{"deckhand scaffold " + dir + " --name web"}) {
		t.Fatalf("plan: %+v", s)
	}
	if ev, err := run(t, s); err != nil || ev.State != launch.Done || ev.Detail != "5 files in "+dir {
		t.Fatalf("run: %+v, %v", ev, err)
	}
	if got := scaffold.WelcomeIn(dir); got != scaffold.WelcomeText("web") {
		t.Errorf("the written app's welcome is %q", got)
	}

	// Now the directory has a Dockerfile: the step says it keeps it, and
	// its run writes nothing.
	p, err = Inspect(dir, "web", true)
	if err != nil {
		t.Fatal(err)
	}
	s = ScaffoldStep(p, "web")
	if !strings.HasPrefix(s.Summary, "Keep "+dir+"'s Dockerfile") || s.Resources != nil || s.Commands != nil {
		t.Fatalf("plan of a built project: %+v", s)
	}
	if ev, err := run(t, s); err != nil || ev.State != launch.Skipped {
		t.Fatalf("run over a built project: %+v, %v", ev, err)
	}
}

func TestBuildStepPlan(t *testing.T) {
	tests := []struct {
		b       Build
		summary string
		command string
	}{
		{Build{Stack: "web", Dir: "./web"}, "Build deckhand/web:latest from ./web",
			"docker build --label deckhand.stack=web -t deckhand/web:latest ./web"},
		{Build{Stack: "api", Dir: "my dir", BaseImage: "deckhand/python-base:bookworm", Where: "on the local Docker engine"},
			"Build deckhand/api:latest from my dir on the local Docker engine",
			"docker build --label deckhand.stack=api --build-arg BASE_IMAGE=deckhand/python-base:bookworm -t deckhand/api:latest 'my dir'"},
	}
	for _, tc := range tests {
		s := BuildStep(tc.b)
		want := []launch.Resource{{Action: "create", Kind: "docker image", Name: launch.ImageName(tc.b.Stack)}}
		if s.Name != "build" || s.Summary != tc.summary || !slices.Equal(s.Commands, []string{tc.command}) || !slices.Equal(s.Resources, want) {
			t.Errorf("BuildStep(%+v) = %q %q %v %v", tc.b, s.Name, s.Summary, s.Commands, s.Resources)
		}
	}
}

// TestBuildStepNoEngine: a planner without an engine (a dry run's) makes
// steps that fail plainly if run, not with a nil dereference.
func TestBuildStepNoEngine(t *testing.T) {
	built := false
	_, err := run(t, BuildStep(Build{Stack: "web", Dir: "./web", Built: func(context.Context, string) { built = true }}))
	if err == nil || !strings.Contains(err.Error(), "building ./web needs the local Docker engine") || built {
		t.Errorf("run without an engine: %v (Built called: %v)", err, built)
	}
}
