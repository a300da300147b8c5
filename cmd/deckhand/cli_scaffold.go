package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"deckhand/scaffold"
)

// scaffoldLong is scaffold's help text.
const scaffoldLong = `Writes a small Flask web service (app.py, its test, requirements.txt,
Dockerfile, .dockerignore) into DIR, creating it if needed. Existing files
are never replaced unless --overwrite is given. Prints DIR on stdout.`

type scaffoldFlags struct {
	name               string
	port               int
	skip, over, dryRun bool
}

func newScaffoldCommand() *cobra.Command {
	var f scaffoldFlags
	cmd := &cobra.Command{
		Use:               "scaffold DIR [--name N] [--port P] [--skip-existing|--overwrite] [--dry-run]",
		Short:             "Write a small Flask web service into DIR, ready for launch",
		Long:              scaffoldLong,
		PersistentPreRunE: noGlobals,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScaffold(f, args, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.name, "name", scaffold.DefaultName, "app `NAME`, shown on its welcome page and meant as the image name")
	fs.IntVar(&f.port, "port", scaffold.DefaultPort, "`PORT` the app listens on inside the container")
	fs.BoolVar(&f.skip, "skip-existing", false, "keep files that exist, write only the missing ones")
	fs.BoolVar(&f.over, "overwrite", false, "replace files that exist")
	fs.BoolVar(&f.dryRun, "dry-run", false, "list what would be written; write nothing")
	return cmd
}

func runScaffold(f scaffoldFlags, pos []string, stdout, stderr io.Writer) error {
	name, port := f.name, f.port
	switch {
	case len(pos) == 0:
		return usagef("DIR is required: the project directory, e.g. deckhand scaffold ./web")
	case len(pos) > 1:
		return usagef("too many arguments %q: scaffold takes one directory", pos)
	case f.skip && f.over:
		return usagef("--skip-existing and --overwrite exclude each other: pick one")
	case port == 0:
		// scaffold.Options reads 0 as "the default port"; a typed 0 is a mistake.
		return usagef("--port 0 is not a TCP port: use a port between 1024 and 65535, e.g. --port 5000")
	}
	dir := pos[0]
	opts := scaffold.Options{Name: name, Port: port}
	switch {
	case f.skip:
		opts.Mode = scaffold.Skip
	case f.over:
		opts.Mode = scaffold.Overwrite
	}
	if err := opts.Validate(); err != nil {
		return scaffoldFlagError(err)
	}
	if f.dryRun {
		files, err := scaffold.Plan(dir, opts)
		for _, f := range files {
			fmt.Fprintf(stdout, "%-9s %s\n", f.Action, filepath.Join(dir, f.Name))
		}
		if err != nil {
			return scaffoldFlagError(err)
		}
		return nil
	}
	res, err := scaffold.Generate(dir, opts)
	for _, f := range res.Written {
		fmt.Fprintf(stderr, "wrote   %s\n", filepath.Join(dir, f))
	}
	for _, f := range res.Skipped {
		fmt.Fprintf(stderr, "kept    %s (exists; --skip-existing)\n", filepath.Join(dir, f))
	}
	if err != nil {
		return scaffoldFlagError(err)
	}
	fmt.Fprintf(stderr, "next: deckhand launch --name %s --target local %s\n", name, dir)
	fmt.Fprintln(stdout, dir)
	return nil
}

// scaffoldFlagError rewords a scaffold.FieldError in terms of the command line:
// the flag (or DIR) instead of the option field.
func scaffoldFlagError(err error) error {
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
