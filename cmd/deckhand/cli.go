package main

// The command line, on spf13/cobra: deckhand alone opens the TUI (main.go);
// the headless subcommands (deckhand scaffold|launch|destroy …) are for
// scripts and CI: progress on stderr, one line per event; results (the
// URL, a plan) on stdout; a non-zero exit code with the reason on failure.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"deckhand/dockerops"
	"deckhand/internal/awsconf"
	"deckhand/internal/launch"
	"deckhand/scaffold"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the work was tried and failed
	exitUsage = 2 // rejected before anything was done
)

// globals are the persistent flags: the TUI, launch and destroy take them,
// before or after the subcommand (deckhand --sandbox launch … and deckhand
// launch … --sandbox are one command line).
type globals struct {
	awsFlags
	engineFlags
}

// awsFlags are the account flags. launch and destroy use them for the
// fargate and ec2 targets and choose the account as the TUI does
// (chooseBackend): --sandbox, else the AWS chain, falling back to the
// sandbox when it finds no credentials and neither --profile nor
// --endpoint-url was given.
type awsFlags struct {
	profile, region, endpointURL string
	sandbox                      bool
	sandboxSpeed                 float64
}

// engineFlags are the Docker flags; readonly is here because every
// command that changes something changes it through the engine or AWS.
type engineFlags struct {
	dockerHost string
	readonly   bool
}

// envAnnotation names a flag's environment variable, for the README table.
const envAnnotation = "deckhand_env"

func (g *globals) register(fs *pflag.FlagSet) {
	fs.StringVar(&g.profile, "profile", os.Getenv("AWS_PROFILE"), "AWS shared-config profile `NAME`; SSO profiles work after aws sso login")
	fs.StringVar(&g.region, "region", "", "AWS `REGION` (default: the profile's, or AWS_REGION)")
	fs.StringVar(&g.endpointURL, "endpoint-url", os.Getenv("AWS_ENDPOINT_URL"), "AWS-compatible endpoint `URL`: moto, LocalStack")
	fs.BoolVar(&g.sandbox, "sandbox", false, "use the built-in sandbox account (the default when no AWS credentials are found)")
	fs.Float64Var(&g.sandboxSpeed, "sandbox-speed", 1, "sandbox clock `FACTOR`: 1 is AWS's pace, 10 ten times faster")
	fs.StringVar(&g.dockerHost, "docker-host", "", "Docker engine `ADDR` (default: DOCKER_HOST, then the current docker context)")
	fs.BoolVar(&g.readonly, "readonly", false, "change nothing: the TUI disables every mutating action; launch and destroy allow only --dry-run")
	_ = fs.SetAnnotation("profile", envAnnotation, []string{"AWS_PROFILE"})
	_ = fs.SetAnnotation("region", envAnnotation, []string{"AWS_REGION"})
	_ = fs.SetAnnotation("endpoint-url", envAnnotation, []string{"AWS_ENDPOINT_URL"})
	_ = fs.SetAnnotation("docker-host", envAnnotation, []string{"DOCKER_HOST", "docker context"})
}

// newRoot builds the command tree; runTUI runs the TUI with its options
// (a test passes a function that records them). It is built per run, so the
// defaults taken from the environment are the current ones.
func newRoot(runTUI func(context.Context, options) error) *cobra.Command {
	var g globals
	root := newTUICommand(&g, runTUI)
	g.register(root.PersistentFlags())
	root.SetFlagErrorFunc(flagError)
	root.SuggestionsMinimumDistance = 2 // "lauch": did you mean launch?
	complete(root, "region", awsconf.Regions...)
	// Profiles are read when the shell asks, from the files the AWS CLI
	// reads (AWS_CONFIG_FILE…); an unreadable file completes nothing.
	_ = root.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		names, _ := awsconf.Profiles()
		return names, cobra.ShellCompDirectiveNoFileComp
	})
	root.AddCommand(newScaffoldCommand(), newLaunchCommand(&g), newDestroyCommand(&g), newElbProxyCommand())
	root.AddCommand(newDoctorCommand(&g), newSandboxCommand(&g)) // cli_doctor.go
	return root
}

// execute runs the command line and returns the exit code: errors are
// printed once, prefixed with the command ("deckhand launch: …").
func execute(ctx context.Context, args []string, stdout, stderr io.Writer, runTUI func(context.Context, options) error) int {
	root := newRoot(runTUI)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var xc *exitCode // the command has said why already (cli_doctor.go)
	if errors.As(err, &xc) {
		return xc.code
	}
	fmt.Fprintf(stderr, "%s: %v\n", cmd.CommandPath(), err)
	var ue *usageError
	var fe *scaffold.FieldError
	var ne *launch.NameError
	if errors.As(err, &ue) || errors.As(err, &fe) || errors.As(err, &ne) {
		return exitUsage
	}
	return exitFail
}

// withSignals gives a headless command a context that Ctrl-C (or SIGTERM)
// cancels, which fails a launch with what was created so far.
func withSignals(run func(ctx context.Context, cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return run(ctx, cmd, args)
	}
}

// noGlobals refuses the global flags on a command that uses none of them
// (scaffold only writes files), so a misplaced flag is not silently
// ignored.
func noGlobals(cmd *cobra.Command, _ []string) error {
	var err error
	// VisitAll and Changed: Visit sees only flags set through that very
	// flag set, and the inherited set is a fresh copy.
	cmd.InheritedFlags().VisitAll(func(fl *pflag.Flag) {
		if err == nil && fl.Changed {
			err = usagef("--%s does not apply to %s", fl.Name, cmd.Name())
		}
	})
	return err
}

// complete offers words as the completions of a flag's value.
func complete(cmd *cobra.Command, flag string, words ...string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp))
}

// usageError is an invalid command line; it exits with exitUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// engine connects to the Docker engine and checks that it answers, so a
// launch does not scaffold files and then find there is no engine.
func (f *engineFlags) engine(ctx context.Context) (*dockerops.Engine, error) {
	eng, err := dockerops.New(dockerops.Options{Host: f.dockerHost, ReadOnly: f.readonly})
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := eng.Ping(pctx); err != nil {
		eng.Close()
		return nil, err
	}
	return eng, nil
}

// validateTarget accepts the targets the flag documents.
func validateTarget(target string) error {
	switch target {
	case "local", "fargate", "ec2":
		return nil
	case "":
		return usagef("--target is required: local, fargate or ec2 (e.g. --target local)")
	}
	return usagef("--target %q is not a target: use local, fargate or ec2", target)
}

// validateName checks --name with the stack name rules.
func validateName(name string) error {
	if name == "" {
		return usagef("--name is required: the stack name, e.g. --name web")
	}
	var ne *launch.NameError
	if err := launch.ValidateStackName(name); errors.As(err, &ne) {
		return usagef("--name %q %s; %s", ne.Name, ne.Problem, ne.Fix)
	}
	return nil
}

// progressPrinter prints events on w, one line each:
//
//	15:04:05 [2/6] build     running  Build deckhand/web:latest from ./web
//	15:04:09 [2/6] build     done     deckhand/web:latest 1a2b3c4d5e6f (4.1s)
func progressPrinter(w io.Writer, steps []launch.Step) func(launch.Event) {
	width := 0
	for _, s := range steps {
		width = max(width, len(s.Name))
	}
	width = min(width, 28)
	return func(e launch.Event) {
		detail := e.Detail
		switch e.State {
		case launch.Done, launch.Failed, launch.Skipped:
			detail = strings.TrimSpace(fmt.Sprintf("%s (%s)", detail, e.Elapsed.Round(100*time.Millisecond)))
		}
		fmt.Fprintf(w, "%s [%d/%d] %-*s %-8s %s\n", e.Time.Format("15:04:05"), e.Index, e.Total, width, e.Step, e.State, detail)
	}
}
