package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"deckhand/internal/launch"
)

// destroyLong is destroy's help text.
const destroyLong = `Removes what launches of the stack NAME created, one step each:

  local          containers, then images, labelled deckhand.stack=NAME
  fargate, ec2   every AWS resource tagged deckhand:stack=NAME (of either
                 target), in dependency order: services (scaled to 0, their
                 tasks stopped), instances (terminated), task definitions,
                 clusters, security groups, key pairs, log groups, instance
                 profiles, roles and ECR repositories

Nothing without that label or tag is touched.`

type destroyFlags struct {
	engineFlags
	awsFlags
	name, target string
	dryRun       bool
}

func newDestroyCommand(g *globals) *cobra.Command {
	var f destroyFlags
	cmd := &cobra.Command{
		Use:   "destroy --name NAME [--target local|fargate|ec2] [--dry-run]",
		Short: "Remove what launches of a stack created",
		Long:  destroyLong,
		RunE: withSignals(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			f.engineFlags, f.awsFlags = g.engineFlags, g.awsFlags
			if err := f.check(cmd.Flags(), args); err != nil {
				return err
			}
			return runDestroy(ctx, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&f.name, "name", "", "stack `NAME` given to launch (required)")
	fs.StringVar(&f.target, "target", "", "`TARGET` the stack runs on: local, fargate or ec2 (default: local, or fargate when an AWS account flag is given)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print what would be removed; remove nothing")
	complete(cmd, "target", launch.TargetLocal, launch.TargetFargate, launch.TargetEC2)
	return cmd
}

// check validates destroy's command line before anything is done.
func (f *destroyFlags) check(fs *pflag.FlagSet, pos []string) error {
	if f.target == "" {
		// An account flag (--sandbox, --profile…) says the stack is in AWS;
		// destroy removes everything tagged with the stack there, so
		// fargate and ec2 mean the same to it.
		f.target = launch.TargetLocal
		fs.Visit(func(fl *pflag.Flag) {
			if contains(awsOnly, fl.Name) {
				f.target = launch.TargetFargate
			}
		})
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q: destroy takes only flags", pos[0])
	}
	if err := validateName(f.name); err != nil {
		return err
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
		return usagef("--readonly refuses changes and destroy makes them: add --dry-run to only see the plan, or drop --readonly")
	}
	return nil
}

// runDestroy plans and runs a checked destroy.
func runDestroy(ctx context.Context, f destroyFlags, stdout, stderr io.Writer) error {
	name, target := f.name, f.target
	var p planner
	where := "local Docker"
	if target == launch.TargetLocal {
		eng, err := f.engine(ctx)
		if err != nil {
			return err
		}
		defer eng.Close()
		p.eng = eng
	} else {
		// The engine is optional: with it, the local tags of the stack's
		// builds under its ECR repository go too.
		if eng, err := f.engine(ctx); err == nil {
			defer eng.Close()
			p.eng = eng
		}
		be, err := f.awsFlags.backend(ctx, f.engineFlags)
		if err != nil {
			return err
		}
		defer be.close(time.Minute)
		say(stderr, "destroy", be)
		p.aws = be
		where = "AWS (everything tagged " + launch.TagStack + "=" + name + ")"
	}
	steps, err := p.PlanDestroy(ctx, name, target)
	if err != nil {
		return err
	}
	if f.dryRun {
		title := fmt.Sprintf("Destroy of stack %q on %s (dry run: nothing is removed):", name, where)
		return launch.WritePlan(stdout, title, steps)
	}
	if len(steps) == 0 {
		if target == launch.TargetLocal {
			fmt.Fprintf(stderr, "deckhand destroy: nothing to remove: no container or image is labelled %s=%s\n", launch.LabelStack, name)
		} else {
			fmt.Fprintf(stderr, "deckhand destroy: nothing to remove: no AWS resource is tagged %s=%s\n", launch.TagStack, name)
		}
		return nil
	}
	return launch.Execute(ctx, steps, progressPrinter(stderr, steps))
}
