package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"deckhand/internal/launch"
	launchaws "deckhand/internal/launch/aws"
)

// launchLong is launch's help text.
const launchLong = `Builds DIR (default ".") into an image and runs it, or runs an existing
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

func newLaunchCommand(g *globals) *cobra.Command {
	var f launchFlags
	cmd := &cobra.Command{
		Use:     "launch [DIR] --name NAME --target local|fargate|ec2 [flags]",
		Short:   "Build DIR (or take --image) and run it locally, on Fargate or on EC2",
		Long:    launchLong,
		Example: "  deckhand launch --name web --target local --scaffold ./web\n  deckhand --sandbox launch --name web --target fargate ./web",
		RunE: withSignals(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			f.engineFlags, f.awsFlags = g.engineFlags, g.awsFlags
			if err := f.check(cmd.Flags(), args); err != nil {
				return err
			}
			return runLaunch(ctx, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&f.name, "name", "", "stack `NAME`: 1–32 lowercase letters, digits and '-', starting with a letter (required)")
	fs.StringVar(&f.target, "target", "", "run on `TARGET`: local, fargate or ec2 (required)")
	fs.StringVar(&f.image, "image", "", "run this existing image `REF` instead of building DIR (local: an image on this machine; fargate, ec2: one AWS can pull)")
	fs.StringVar(&f.baseImage, "base-image", "", "`REF` for the Dockerfile's BASE_IMAGE build argument (e.g. deckhand/python-base:bookworm)")
	fs.IntVar(&f.port, "port", 0, "local: host `PORT` on 127.0.0.1 (default: the previous launch's, else a free one); fargate, ec2: the app's port (default: the image's EXPOSE, else 5000)")
	fs.BoolVar(&f.scaffold, "scaffold", false, "write deckhand's Flask project into DIR first when DIR is empty or missing")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the steps, resources and equivalent commands; change nothing")
	fs.BoolVar(&f.noWait, "no-wait", false, "return once everything is created (the container runs, the service or instance exists), without the waits and HTTP checks")
	durationVar(fs, &f.timeout, "timeout", 0, "how long to wait for the app to run and be healthy, `DURATION` in seconds (120) or Go's form (2m) (default: 2m local, 10m fargate and ec2; fargate ends early when ECS gives up)")
	f.cloud.register(fs)
	complete(cmd, "target", launch.TargetLocal, launch.TargetFargate, launch.TargetEC2)
	complete(cmd, "health-check", "python", "none")
	complete(cmd, "ami-distro", "al2023", "ubuntu-24.04")
	return cmd
}

// check validates launch's command line (fs: its flags after parsing,
// pos: the positional arguments) before anything is done.
func (f *launchFlags) check(fs *pflag.FlagSet, pos []string) error {
	f.imageSet = fs.Changed("image")
	if err := validateName(f.name); err != nil {
		return err
	}
	switch {
	case len(pos) > 1:
		return usagef("too many arguments %q: launch takes one project directory", pos)
	case len(pos) == 1:
		f.dir, f.dirGiven = pos[0], true
	default:
		f.dir = "."
	}
	switch {
	case f.imageSet && f.image == "":
		return usagef("--image is empty: give an image reference, e.g. --image nginx:latest")
	case f.imageSet && f.dirGiven:
		return usagef("give either DIR (to build) or --image (to run an existing image), not both")
	case f.imageSet && f.baseImage != "":
		return usagef("--base-image applies only when building DIR; drop it when using --image")
	case f.imageSet && f.scaffold:
		return usagef("--scaffold applies only when building DIR; drop it when using --image")
	// Some flags use 0 for "not given, use the default", so a 0 the user
	// typed must be told apart from it and refused rather than silently
	// replaced.
	case f.port < 0 || f.port > 65535 || (f.port == 0 && fs.Changed("port")):
		return usagef("--port %d is not a TCP port: use 1–65535, or leave it out for a free one", f.port)
	case f.timeout < 0 || (f.timeout == 0 && fs.Changed("timeout")):
		return usagef("--timeout %v must be positive (e.g. --timeout 2m)", f.timeout)
	}
	if err := validateTarget(f.target); err != nil {
		return err
	}
	if err := checkTargetFlags(fs, f.target); err != nil {
		return err
	}
	if err := f.awsFlags.validate(); err != nil {
		return err
	}
	if f.readonly && !f.dryRun {
		return usagef("--readonly refuses changes and launch makes them: add --dry-run to only see the plan, or drop --readonly")
	}
	return nil
}

// runLaunch plans and runs a checked launch.
func runLaunch(ctx context.Context, f launchFlags, stdout, stderr io.Writer) error {
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
			return planError(err)
		}
		title := fmt.Sprintf("Launch of stack %q on %s (dry run: nothing is created):", f.name, targetTitle(f.target))
		if err := launch.WritePlan(stdout, title, steps); err != nil {
			return err
		}
		return nil
	}
	switch {
	case f.target == launch.TargetLocal || !f.imageSet:
		// Running locally and building (for fargate and ec2) need the
		// engine.
		eng, err := f.engine(ctx)
		if err != nil {
			return err
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
			return err
		}
		defer be.close(time.Minute)
		say(stderr, "launch", be)
		p.aws = be
	}
	steps, url, err := p.PlanLaunch(req)
	if err != nil {
		// Seen while planning: nothing was done.
		return planError(err)
	}
	if err := launch.Execute(ctx, steps, progressPrinter(stderr, steps)); err != nil {
		var se *launch.StepError
		if errors.As(err, &se) && len(se.Created) > 0 {
			err = fmt.Errorf("%w\n  remove it with: %s", err, destroyCommand(f, p.aws))
		}
		return err
	}
	if u := url(); u != "" {
		fmt.Fprintln(stdout, u)
	}
	return nil
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
