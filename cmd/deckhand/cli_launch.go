package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"deckhand/internal/launch"
	launchaws "deckhand/internal/launch/aws"
)

const launchUsage = `launch --name NAME --target local|fargate|ec2 [DIR | --image REF] [flags]

Builds DIR (default ".") into an image and runs it, or runs an existing
--image; waits until it answers HTTP and is healthy, checks the answer and
prints its URL on stdout. Progress goes to stderr, one line per event.
Running it again with the same --name updates what the last run made.

  local    a container on this machine's Docker engine, on 127.0.0.1
  fargate  an ECS service on Fargate: DIR is built here and pushed to ECR
           (or --image is deployed as is), with a log group, an execution
           role, a task definition, a cluster, a security group opening
           only the app port, and a service with a public IP
  ec2      an EC2 instance whose user data installs Docker and runs the
           image: DIR is built here and pushed to ECR, and the instance
           pulls it with an instance profile (a role allowed to read ECR);
           a public --image is pulled as is. With a key pair and a security
           group letting SSH in from your address only

Everything fargate and ec2 create is tagged deckhand:stack=NAME; deckhand
destroy --name NAME --target fargate|ec2 removes exactly that.`

type launchFlags struct {
	engineFlags
	awsFlags
	cloud              cloudFlags
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
	fs.StringVar(&f.target, "target", "", "run on `TARGET`: local, fargate or ec2 (required)")
	fs.StringVar(&f.image, "image", "", "run this existing image `REF` instead of building DIR (local: an image on this machine; fargate, ec2: one AWS can pull)")
	fs.StringVar(&f.baseImage, "base-image", "", "`REF` for the Dockerfile's BASE_IMAGE build argument (e.g. deckhand/python-base:bookworm)")
	fs.IntVar(&f.port, "port", 0, "local: host `port` on 127.0.0.1 (default: the previous launch's, else a free one); fargate, ec2: the app's port (default: the image's EXPOSE, else 5000)")
	fs.BoolVar(&f.scaffold, "scaffold", false, "write deckhand's Flask project into DIR first when DIR is empty or missing")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the steps, resources and equivalent commands; change nothing")
	fs.BoolVar(&f.noWait, "no-wait", false, "return once everything is created (the container runs, the service or instance exists), without the waits and HTTP checks")
	durationVar(fs, &f.timeout, "timeout", 0, "how long to wait for the app to run and be healthy (default: 2m local, 10m fargate and ec2; fargate ends early when ECS gives up)")
	f.engineFlags.register(fs)
	f.awsFlags.register(fs)
	f.cloud.register(fs)
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
	case f.port < 0 || f.port > 65535 || (f.port == 0 && flagGiven(fs, "port")):
		return f, usagef("--port %d is not a TCP port: use 1–65535, or leave it out for a free one", f.port)
	case f.timeout < 0 || (f.timeout == 0 && flagGiven(fs, "timeout")):
		return f, usagef("--timeout %v must be positive (e.g. --timeout 2m)", f.timeout)
	}
	if err := validateTarget(f.target); err != nil {
		return f, err
	}
	if err := checkTargetFlags(fs, f.target); err != nil {
		return f, err
	}
	if err := f.awsFlags.validate(); err != nil {
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
		Scaffold: f.scaffold, Port: f.port, NoWait: f.noWait, Timeout: f.timeout, LoadBalancer: f.cloud.loadBalancer,
	}
	p := planner{cloud: f.cloud.cloudOptions}
	if f.dryRun {
		// No engine, no account: a dry run must work (and create nothing)
		// anywhere.
		steps, _, err := p.PlanLaunch(req)
		if err != nil {
			return fail(stderr, "launch", planError(err))
		}
		title := fmt.Sprintf("Launch of stack %q on %s (dry run: nothing is created):", f.name, targetTitle(f.target))
		if err := launch.WritePlan(stdout, title, steps); err != nil {
			return fail(stderr, "launch", err)
		}
		return exitOK
	}
	switch {
	case f.target == launch.TargetLocal || !f.imageSet:
		// Running locally and building (for fargate and ec2) need the
		// engine.
		eng, err := f.engine(ctx)
		if err != nil {
			return fail(stderr, "launch", err)
		}
		defer eng.Close()
		p.eng = eng
	case f.target == launch.TargetFargate:
		// Deploying an existing image reads its port from the engine
		// when it has the image; without an engine the port is assumed.
		if eng, err := f.engine(ctx); err == nil {
			defer eng.Close()
			p.eng = eng
		}
	}
	if f.target != launch.TargetLocal {
		be, err := f.awsFlags.backend(ctx, f.engineFlags)
		if err != nil {
			return fail(stderr, "launch", err)
		}
		defer be.close(time.Minute)
		say(stderr, "launch", be)
		p.aws = be
	}
	steps, url, err := p.PlanLaunch(req)
	if err != nil {
		// Seen while planning: nothing was done.
		return fail(stderr, "launch", planError(err))
	}
	if err := launch.Execute(ctx, steps, progressPrinter(stderr, steps)); err != nil {
		var se *launch.StepError
		if errors.As(err, &se) && len(se.Created) > 0 {
			err = fmt.Errorf("%w\n  remove it with: %s", err, destroyCommand(f, p.aws))
		}
		return fail(stderr, "launch", err)
	}
	if u := url(); u != "" {
		fmt.Fprintln(stdout, u)
	}
	return exitOK
}

// destroyCommand is the destroy that removes what this launch made: the
// same target and account (a bare "destroy --name" looks at the local
// target and would answer "nothing to remove" while AWS resources stay).
func destroyCommand(f launchFlags, be *awsBackend) string {
	args := []string{"deckhand", "destroy", "--name", f.name, "--target", f.target}
	switch {
	case be != nil && be.sandbox:
		args = append(args, "--sandbox")
	case be != nil:
		if f.profile != "" {
			args = append(args, "--profile", f.profile)
		}
		if be.endpoint != "" {
			args = append(args, "--endpoint-url", be.endpoint)
		}
	}
	if be != nil && be.region != "" {
		args = append(args, "--region", be.region)
	}
	return launch.Shell(args...)
}

// planError is a launch refused while planning, before anything was done:
// a usage error, naming the flag of an AWS target's bad option.
func planError(err error) error {
	var ie *launchaws.InputError
	if errors.As(err, &ie) {
		return &usageError{"--" + ie.Error()}
	}
	return &usageError{err.Error()}
}

// flagGiven reports whether the flag name was on the command line. Some
// flags use 0 for "not given, use the default", so a 0 the user typed must be
// told apart from it and refused rather than silently replaced.
func flagGiven(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}

const destroyUsage = `destroy --name NAME [--target local|fargate|ec2] [--dry-run]

Removes what launches of the stack NAME created, one step each:

  local          containers, then images, labelled deckhand.stack=NAME
  fargate, ec2   every AWS resource tagged deckhand:stack=NAME (of either
                 target), in dependency order: services (scaled to 0, their
                 tasks stopped), instances (terminated), task definitions,
                 clusters, security groups, key pairs, log groups, instance
                 profiles, roles and ECR repositories

Nothing without that label or tag is touched.`

func cmdDestroy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		ef           engineFlags
		af           awsFlags
		name, target string
		dryRun       bool
	)
	fs := newFlagSet("destroy", destroyUsage, stderr)
	fs.StringVar(&name, "name", "", "stack `name` given to launch (required)")
	fs.StringVar(&target, "target", "", "`TARGET` the stack runs on: local, fargate or ec2 (default: local, or fargate when an AWS account flag is given)")
	fs.BoolVar(&dryRun, "dry-run", false, "print what would be removed; remove nothing")
	ef.register(fs)
	af.register(fs)
	pos, err := parseArgs(fs, args)
	if target == "" {
		// An account flag (--sandbox, --profile…) says the stack is in AWS;
		// destroy removes everything tagged with the stack there, so
		// fargate and ec2 mean the same to it.
		target = launch.TargetLocal
		fs.Visit(func(fl *flag.Flag) {
			if contains(awsOnly, fl.Name) {
				target = launch.TargetFargate
			}
		})
	}
	if err == nil && len(pos) > 0 {
		err = usagef("unexpected argument %q: destroy takes only flags", pos[0])
	}
	if err == nil {
		err = validateName(name)
	}
	if err == nil {
		err = validateTarget(target)
	}
	if err == nil {
		err = checkTargetFlags(fs, target)
	}
	if err == nil {
		err = af.validate()
	}
	if err == nil && ef.readonly && !dryRun {
		err = usagef("--readonly refuses changes and destroy makes them: add --dry-run to only see the plan, or drop --readonly")
	}
	if err != nil {
		return fail(stderr, "destroy", err)
	}
	var p planner
	where := "local Docker"
	if target == launch.TargetLocal {
		eng, err := ef.engine(ctx)
		if err != nil {
			return fail(stderr, "destroy", err)
		}
		defer eng.Close()
		p.eng = eng
	} else {
		// The engine is optional: with it, the local tags of the stack's
		// builds under its ECR repository go too.
		if eng, err := ef.engine(ctx); err == nil {
			defer eng.Close()
			p.eng = eng
		}
		be, err := af.backend(ctx, ef)
		if err != nil {
			return fail(stderr, "destroy", err)
		}
		defer be.close(time.Minute)
		say(stderr, "destroy", be)
		p.aws = be
		where = "AWS (everything tagged " + launch.TagStack + "=" + name + ")"
	}
	steps, err := p.PlanDestroy(ctx, name, target)
	if err != nil {
		return fail(stderr, "destroy", err)
	}
	if dryRun {
		title := fmt.Sprintf("Destroy of stack %q on %s (dry run: nothing is removed):", name, where)
		if err := launch.WritePlan(stdout, title, steps); err != nil {
			return fail(stderr, "destroy", err)
		}
		return exitOK
	}
	if len(steps) == 0 {
		if target == launch.TargetLocal {
			fmt.Fprintf(stderr, "deckhand destroy: nothing to remove: no container or image is labelled %s=%s\n", launch.LabelStack, name)
		} else {
			fmt.Fprintf(stderr, "deckhand destroy: nothing to remove: no AWS resource is tagged %s=%s\n", launch.TagStack, name)
		}
		return exitOK
	}
	if err := launch.Execute(ctx, steps, progressPrinter(stderr, steps)); err != nil {
		return fail(stderr, "destroy", err)
	}
	return exitOK
}
