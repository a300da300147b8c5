package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"deckhand/internal/launch"
	"deckhand/internal/launch/local"
)

const launchUsage = `launch --name NAME --target local|fargate|ec2 [DIR | --image REF] [flags]

Builds DIR (default ".") into an image and runs it, or runs an existing
--image; waits until it answers HTTP and is healthy, checks the answer and
prints its URL on stdout. Progress goes to stderr, one line per event.
Running it again with the same --name replaces what the last run made.`

type launchFlags struct {
	engineFlags
	name, target       string
	image, baseImage   string
	port               int
	scaffold, dryRun   bool
	noWait             bool
	timeout            time.Duration
	dir                string // the positional DIR
	dirGiven, imageSet bool
}

func parseLaunch(args []string, stderr io.Writer) (launchFlags, error) {
	var f launchFlags
	fs := newFlagSet("launch", launchUsage, stderr)
	fs.StringVar(&f.name, "name", "", "stack `name`: 1–32 lowercase letters, digits and '-', starting with a letter (required)")
	fs.StringVar(&f.target, "target", "", "run on `TARGET`: local, fargate or ec2 (required; only local is implemented so far)")
	fs.StringVar(&f.image, "image", "", "run this existing local image `REF` instead of building DIR")
	fs.StringVar(&f.baseImage, "base-image", "", "`REF` for the Dockerfile's BASE_IMAGE build argument (e.g. deckhand/python-base:bookworm)")
	fs.IntVar(&f.port, "port", 0, "host `port` on 127.0.0.1 (default: the previous launch's, else a free one)")
	fs.BoolVar(&f.scaffold, "scaffold", false, "write deckhand's Flask project into DIR first when DIR is empty or missing")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the steps, resources and equivalent commands; change nothing")
	fs.BoolVar(&f.noWait, "no-wait", false, "return once the container runs, without waiting for HTTP and health")
	fs.DurationVar(&f.timeout, "timeout", local.DefaultTimeout, "how long to wait for the app to answer and be healthy")
	f.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return f, err
	}
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "image" {
			f.imageSet = true
		}
	})
	if err := validateName(f.name); err != nil {
		return f, err
	}
	switch {
	case len(pos) > 1:
		return f, usagef("too many arguments %q: launch takes one project directory", pos)
	case len(pos) == 1:
		f.dir, f.dirGiven = pos[0], true
	default:
		f.dir = "."
	}
	switch {
	case f.imageSet && f.image == "":
		return f, usagef("--image is empty: give an image reference, e.g. --image nginx:latest")
	case f.imageSet && f.dirGiven:
		return f, usagef("give either DIR (to build) or --image (to run an existing image), not both")
	case f.imageSet && f.baseImage != "":
		return f, usagef("--base-image applies only when building DIR; drop it when using --image")
	case f.imageSet && f.scaffold:
		return f, usagef("--scaffold applies only when building DIR; drop it when using --image")
	case f.port < 0 || f.port > 65535:
		return f, usagef("--port %d is not a TCP port: use 1–65535, or leave it out for a free one", f.port)
	case f.timeout <= 0:
		return f, usagef("--timeout %v must be positive (e.g. --timeout 2m)", f.timeout)
	}
	if err := validateTarget(f.target); err != nil {
		return f, err
	}
	if f.readonly && !f.dryRun {
		return f, usagef("--readonly refuses changes and launch makes them: add --dry-run to only see the plan, or drop --readonly")
	}
	return f, nil
}

func cmdLaunch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseLaunch(args, stderr)
	if err != nil {
		return fail(stderr, "launch", err)
	}
	req := launch.Request{
		Stack: f.name, Target: f.target, Dir: f.dir, Image: f.image, BaseImage: f.baseImage,
		Scaffold: f.scaffold, Port: f.port, NoWait: f.noWait, Timeout: f.timeout,
	}
	if f.dryRun {
		// No engine: a dry run must work (and create nothing) anywhere.
		steps, _, err := planner{}.PlanLaunch(req)
		if err != nil {
			return fail(stderr, "launch", &usageError{err.Error()})
		}
		title := fmt.Sprintf("Launch of stack %q on local Docker (dry run: nothing is created):", f.name)
		if err := launch.WritePlan(stdout, title, steps); err != nil {
			return fail(stderr, "launch", err)
		}
		return exitOK
	}
	eng, err := f.engine(ctx)
	if err != nil {
		return fail(stderr, "launch", err)
	}
	defer eng.Close()
	steps, url, err := planner{eng: eng}.PlanLaunch(req)
	if err != nil {
		// Seen while planning: nothing was done.
		return fail(stderr, "launch", &usageError{err.Error()})
	}
	if err := launch.Execute(ctx, steps, progressPrinter(stderr, steps)); err != nil {
		var se *launch.StepError
		if errors.As(err, &se) && len(se.Created) > 0 {
			err = fmt.Errorf("%w\n  remove it with: deckhand destroy --name %s", err, f.name)
		}
		return fail(stderr, "launch", err)
	}
	fmt.Fprintln(stdout, url())
	return exitOK
}

const destroyUsage = `destroy --name NAME [--target local] [--dry-run]

Removes what launches of the stack NAME created (containers, then images,
found by the label deckhand.stack=NAME), one step each. Nothing without
that label is touched.`

func cmdDestroy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		ef           engineFlags
		name, target string
		dryRun       bool
	)
	fs := newFlagSet("destroy", destroyUsage, stderr)
	fs.StringVar(&name, "name", "", "stack `name` given to launch (required)")
	fs.StringVar(&target, "target", "local", "`TARGET` the stack runs on: local, fargate or ec2")
	fs.BoolVar(&dryRun, "dry-run", false, "print what would be removed; remove nothing")
	ef.register(fs)
	pos, err := parseArgs(fs, args)
	if err == nil && len(pos) > 0 {
		err = usagef("unexpected argument %q: destroy takes only flags", pos[0])
	}
	if err == nil {
		err = validateName(name)
	}
	if err == nil {
		err = validateTarget(target)
	}
	if err == nil && ef.readonly && !dryRun {
		err = usagef("--readonly refuses changes and destroy makes them: add --dry-run to only see the plan, or drop --readonly")
	}
	if err != nil {
		return fail(stderr, "destroy", err)
	}
	eng, err := ef.engine(ctx)
	if err != nil {
		return fail(stderr, "destroy", err)
	}
	defer eng.Close()
	steps, err := planner{eng: eng}.PlanDestroy(ctx, name, target)
	if err != nil {
		return fail(stderr, "destroy", err)
	}
	if dryRun {
		title := fmt.Sprintf("Destroy of stack %q on local Docker (dry run: nothing is removed):", name)
		if err := launch.WritePlan(stdout, title, steps); err != nil {
			return fail(stderr, "destroy", err)
		}
		return exitOK
	}
	if len(steps) == 0 {
		fmt.Fprintf(stderr, "deckhand destroy: nothing to remove: no container or image is labelled %s=%s\n", launch.LabelStack, name)
		return exitOK
	}
	if err := launch.Execute(ctx, steps, progressPrinter(stderr, steps)); err != nil {
		return fail(stderr, "destroy", err)
	}
	return exitOK
}
