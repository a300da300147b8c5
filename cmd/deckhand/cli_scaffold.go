package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"deckhand/scaffold"
)

const scaffoldUsage = `scaffold DIR [--name N] [--port P] [--skip-existing|--overwrite] [--dry-run]

Writes a small Flask web service (app.py, its test, requirements.txt,
Dockerfile, .dockerignore) into DIR, creating it if needed. Existing files
are never replaced unless --overwrite is given. Prints DIR on stdout.`

func cmdScaffold(_ context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		name               string
		port               int
		skip, over, dryRun bool
	)
	fs := newFlagSet("scaffold", scaffoldUsage, stderr)
	fs.StringVar(&name, "name", scaffold.DefaultName, "app `name`, shown on its welcome page and meant as the image name")
	fs.IntVar(&port, "port", scaffold.DefaultPort, "`port` the app listens on inside the container")
	fs.BoolVar(&skip, "skip-existing", false, "keep files that exist, write only the missing ones")
	fs.BoolVar(&over, "overwrite", false, "replace files that exist")
	fs.BoolVar(&dryRun, "dry-run", false, "list what would be written; write nothing")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return fail(stderr, "scaffold", err)
	}
	switch {
	case len(pos) == 0:
		return fail(stderr, "scaffold", usagef("DIR is required: the project directory, e.g. deckhand scaffold ./web"))
	case len(pos) > 1:
		return fail(stderr, "scaffold", usagef("too many arguments %q: scaffold takes one directory", pos))
	case skip && over:
		return fail(stderr, "scaffold", usagef("--skip-existing and --overwrite exclude each other: pick one"))
	case port == 0:
		// scaffold.Options reads 0 as "the default port"; a typed 0 is a mistake.
		return fail(stderr, "scaffold", usagef("--port 0 is not a TCP port: use a port between 1024 and 65535, e.g. --port 5000"))
	}
	dir := pos[0]
	opts := scaffold.Options{Name: name, Port: port}
	switch {
	case skip:
		opts.Mode = scaffold.Skip
	case over:
		opts.Mode = scaffold.Overwrite
	}
	if err := opts.Validate(); err != nil {
		return fail(stderr, "scaffold", flagError(err))
	}
	if dryRun {
		files, err := scaffold.Plan(dir, opts)
		for _, f := range files {
			fmt.Fprintf(stdout, "%-9s %s\n", f.Action, filepath.Join(dir, f.Name))
		}
		if err != nil {
			return fail(stderr, "scaffold", flagError(err))
		}
		return exitOK
	}
	res, err := scaffold.Generate(dir, opts)
	for _, f := range res.Written {
		fmt.Fprintf(stderr, "wrote   %s\n", filepath.Join(dir, f))
	}
	for _, f := range res.Skipped {
		fmt.Fprintf(stderr, "kept    %s (exists; --skip-existing)\n", filepath.Join(dir, f))
	}
	if err != nil {
		return fail(stderr, "scaffold", flagError(err))
	}
	fmt.Fprintf(stderr, "next: deckhand launch --name %s --target local %s\n", name, dir)
	fmt.Fprintln(stdout, dir)
	return exitOK
}

// flagError rewords a scaffold.FieldError in terms of the command line:
// the flag (or DIR) instead of the option field.
func flagError(err error) error {
	var fe *scaffold.FieldError
	if !errors.As(err, &fe) {
		// "deckhand scaffold: scaffold: …" would say it twice.
		if msg, ok := strings.CutPrefix(err.Error(), "scaffold: "); ok {
			return errors.New(msg)
		}
		return err
	}
	flag := map[string]string{"name": "--name", "port": "--port", "dir": "DIR", "mode": "--skip-existing/--overwrite"}[fe.Field]
	if flag == "" {
		flag = fe.Field
	}
	return usagef("%s %s %s; %s", flag, strconv.Quote(fe.Value), fe.Problem, fe.Fix)
}
