// Package project is the part of a launch that turns a project directory
// into the stack's image: reading the directory while planning (Inspect),
// scaffolding it (ScaffoldStep) and building it on the local engine
// (BuildStep). The local and the AWS targets build the same way, so both
// use these; the scaffolding is scaffold.Generate, the same as `deckhand
// scaffold`'s, which the step's command names.
//
// It is a package of its own, not part of launch, because scaffold
// imports launch (for the stack-name rule).
package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"deckhand/internal/launch"
	"deckhand/scaffold"
)

// Project is what planning learns from a project directory to build.
type Project struct {
	Dir string
	// Scaffold: the directory is empty or missing, and scaffolding was
	// asked for, so ScaffoldStep writes deckhand's app into it.
	Scaffold bool
	// Welcome is the app's welcome text (a deckhand app), "" when unknown:
	// the check step looks for it in the page.
	Welcome string
	// Port is the Dockerfile's first EXPOSE (the scaffold's port when
	// scaffolding), 0 when unknown.
	Port int
	// Deckhand: the app is deckhand's Flask app, so its image has python3
	// and answers /health.
	Deckhand bool
}

// ErrNoDir is Inspect's error for an empty dir.
var ErrNoDir = errors.New("no project directory given: name one, or deploy an existing image")

// Error is a project directory that cannot be built as asked; Problem is
// written to follow the directory's name. Targets word it for their
// front end (the local target as it is, the AWS targets as a "dir"
// input error).
type Error struct {
	Dir     string
	Problem string
}

func (e *Error) Error() string { return e.Dir + " " + e.Problem }

// Inspect decides between building dir as it is (it has a Dockerfile) and
// scaffolding it (it is empty or missing, and doScaffold is set). Anything
// else is an *Error, found before anything is created: an empty directory
// without doScaffold has nothing to build, and a non-empty one without a
// Dockerfile would have the scaffold mixed into it.
func Inspect(dir, stack string, doScaffold bool) (Project, error) {
	if dir == "" {
		return Project{}, ErrNoDir
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Project{}, fmt.Errorf("project directory %s: %w", dir, err)
	}
	hasDockerfile := false
	for _, e := range entries {
		hasDockerfile = hasDockerfile || e.Name() == "Dockerfile"
	}
	switch {
	case hasDockerfile:
		p := Project{Dir: dir, Welcome: scaffold.WelcomeIn(dir), Port: launch.ExposedPort(filepath.Join(dir, "Dockerfile"))}
		p.Deckhand = p.Welcome != ""
		return p, nil
	case len(entries) == 0 && doScaffold:
		return Project{Dir: dir, Scaffold: true, Welcome: scaffold.WelcomeText(stack), Port: scaffold.DefaultPort, Deckhand: true}, nil
	case len(entries) == 0:
		return Project{}, &Error{Dir: dir, Problem: fmt.Sprintf("is empty or missing: write a Flask project into it first (deckhand scaffold %s), or let launch do it (--scaffold)", dir)}
	}
	return Project{}, &Error{Dir: dir, Problem: fmt.Sprintf("has no Dockerfile and is not empty, so there is nothing to build and scaffolding would mix into it: add a Dockerfile, or scaffold it explicitly (deckhand scaffold %s --skip-existing)", dir)}
}
