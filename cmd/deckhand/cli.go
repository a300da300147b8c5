package main

// The headless subcommands (deckhand scaffold|launch|destroy …) for scripts
// and CI: progress on stderr, one line per event; results (the URL, a plan)
// on stdout; a non-zero exit code with the reason on failure.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/launch"
	"deckhand/scaffold"
)

// Exit codes of the subcommands.
const (
	exitOK    = 0
	exitFail  = 1 // the work was tried and failed
	exitUsage = 2 // rejected before anything was done
)

// subcommands maps a first argument to its handler.
var subcommands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) int{
	"scaffold": cmdScaffold,
	"launch":   cmdLaunch,
	"destroy":  cmdDestroy,
	// Hidden: the sandbox load balancer container's entrypoint.
	"elb-proxy": cmdElbProxy,
}

// runCLI runs a subcommand when args[0] names one and reports ok=false
// otherwise, so main falls through to the TUI. Ctrl-C (or SIGTERM) cancels
// the running step, which fails the launch with what was created so far.
func runCLI(args []string, stdout, stderr io.Writer) (code int, ok bool) {
	args = subcommandFirst(args)
	if len(args) == 0 {
		return 0, false
	}
	cmd, ok := subcommands[args[0]]
	if !ok {
		return 0, false
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cmd(ctx, args[1:], stdout, stderr), true
}

// globalBools are the TUI's flags that take no value, so subcommandFirst
// knows that the word after one is not its value.
var globalBools = map[string]bool{"sandbox": true, "readonly": true, "version": true, "sandbox-reset": true, "mouse": true}

// subcommandFirst moves flags written before a subcommand after it
// (deckhand --sandbox launch … is deckhand launch … --sandbox), so global
// flags work in either place; the subcommand's parser takes flags among
// its arguments. Without a subcommand the arguments are the TUI's, as
// they are.
func subcommandFirst(args []string) []string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if _, ok := subcommands[a]; ok && i > 0 {
			return append(append([]string{a}, args[:i]...), args[i+1:]...)
		}
		if !strings.HasPrefix(a, "-") || a == "--" {
			return args // a word that is not a flag's value: not ours to move
		}
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") && !globalBools[name] {
			i++ // the flag's value
		}
	}
	return args
}

// usageError is an invalid command line; it exits with exitUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// fail prints err for the subcommand and returns its exit code.
func fail(stderr io.Writer, cmd string, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(stderr, "deckhand %s: %v\n", cmd, err)
	var ue *usageError
	var fe *scaffold.FieldError
	var ne *launch.NameError
	if errors.As(err, &ue) || errors.As(err, &fe) || errors.As(err, &ne) {
		return exitUsage
	}
	return exitFail
}

// newFlagSet makes a subcommand's flag set; errors come back from Parse
// rather than exiting, and usage goes to stderr.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("deckhand "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deckhand %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses flags that may come before, between and after the
// positional arguments (Go's flag package stops at the first positional),
// and returns the positionals.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// engineFlags are the Docker flags shared by launch and destroy; they
// mean what the TUI's flags of the same names mean.
type engineFlags struct {
	dockerHost string
	readonly   bool
}

func (f *engineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dockerHost, "docker-host", "", "Docker engine `address` (default: DOCKER_HOST, then the current docker context)")
	fs.BoolVar(&f.readonly, "readonly", false, "refuse to change anything (only --dry-run is allowed)")
}

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
