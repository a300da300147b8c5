// Command deckhand is a terminal app that shows EC2 instances, ECS clusters,
// services, tasks and containers, and local Docker containers, live.
//
// This file holds the TUI's command line (the root command); run.go the
// wiring: it builds the adapters, starts one watcher per source and hands
// their updates to the TUI.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"deckhand/internal/budget"
	"deckhand/tui"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// it comes from the module's build info.
var version = ""

// options are the command line, after the environment has filled defaults.
type options struct {
	profile     string
	region      string
	endpointURL string
	refresh     time.Duration
	apiRate     float64
	readonly    bool
	mouse       bool
	dockerHost  string
	showVersion bool
	logFile     string
	theme       string

	sandbox      bool
	sandboxSpeed float64
	sandboxReset bool
	// sandboxAPIRate lowers the sandbox's own throttling buckets (0 =
	// AWS's documented rates), to watch the budget at work.
	sandboxAPIRate float64
}

// newTUICommand is the root command: deckhand with no subcommand opens the
// TUI. Its own flags are the TUI's; the global ones (globals) are added as
// persistent flags by newRoot.
func newTUICommand(g *globals, runTUI func(context.Context, options) error) *cobra.Command {
	var o options
	cmd := &cobra.Command{
		Use:   "deckhand",
		Short: "EC2, ECS and Docker, live, in the terminal",
		Long: `Shows EC2 instances, ECS clusters, services, tasks and containers, and
local Docker containers, live, with every state change as it happens.

Global flags go before or after a command (deckhand --sandbox launch … is
deckhand launch … --sandbox). Durations take seconds (--refresh 5) or Go's
form (15s, 2m).`,
		Args:          rootArgs,
		SilenceErrors: true, // execute prints them, once, with the command
		SilenceUsage:  true, // a wrong flag gets its own message, not the whole help
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.profile, o.region, o.endpointURL = g.profile, g.region, g.endpointURL
			o.sandbox, o.sandboxSpeed = g.sandbox, g.sandboxSpeed
			o.dockerHost, o.readonly = g.dockerHost, g.readonly
			if err := o.validate(); err != nil {
				return err
			}
			return runTUI(cmd.Context(), o)
		},
	}
	fs := cmd.Flags()
	durationVar(fs, &o.refresh, "refresh", 15*time.Second, "steady-state refresh `INTERVAL`: seconds (15) or a duration (15s, 2m); 3 s (AWS) or 2 s (Docker) while anything is changing")
	fs.Float64Var(&o.apiRate, "api-rate", budget.DefaultRate, "AWS calls per second per API family (EC2 describe, ECS clusters/services/tasks, logs, writes…) in `N`; throttling halves it, it recovers slowly")
	fs.BoolVar(&o.mouse, "mouse", false, "click selects a row, double-click opens it, the wheel scrolls (off by default: it takes the terminal's text selection)")
	choiceVar(fs, &o.theme, "theme", tui.ThemeAuto, tui.Themes, "colours for a dark or light terminal, `THEME`: auto (ask the terminal), dark or light; NO_COLOR still turns colour off")
	fs.BoolVar(&o.sandboxReset, "sandbox-reset", false, "start the sandbox account afresh")
	fs.Float64Var(&o.sandboxAPIRate, "sandbox-api-rate", 0, "lower the sandbox's own API throttling to `N` calls/s per bucket (default 0: AWS's documented rates), to watch deckhand's budget at work")
	fs.StringVar(&o.logFile, "log-file", "", "write logs to `PATH`, never on screen (default: $XDG_STATE_HOME/deckhand/deckhand.log)")
	fs.BoolVar(&o.showVersion, "version", false, "print the version and exit")
	_ = fs.SetAnnotation("log-file", envAnnotation, []string{"XDG_STATE_HOME"})
	complete(cmd, "theme", tui.Themes...)
	return cmd
}

// rootArgs refuses words that are not a command; cobra's own message
// ("unknown command") would hide that deckhand alone is the TUI.
func rootArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unexpected argument %q: deckhand takes flags and one of the commands launch, destroy, scaffold, completion (see deckhand --help)", args[0])
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + s[0] + "?"
	}
	return usagef("%s", msg)
}

// validate checks what the flag types cannot: ranges and combinations.
func (o options) validate() error {
	if o.sandboxSpeed <= 0 || o.sandboxSpeed > 1000 {
		return usagef("--sandbox-speed %v is out of range: use a factor above 0 and at most 1000 (e.g. --sandbox-speed 10)", o.sandboxSpeed)
	}
	if o.sandbox && o.endpointURL != "" {
		return usagef("--sandbox and --endpoint-url exclude each other: pick one account")
	}
	if err := checkAccountFlags(o.endpointURL, o.region); err != nil {
		return usagef("%s", err)
	}
	if o.apiRate <= 0 || o.apiRate > 1000 {
		return usagef("--api-rate %v is out of range: use calls per second above 0 and at most 1000 (e.g. --api-rate 5)", o.apiRate)
	}
	if !(o.sandboxAPIRate >= 0 && o.sandboxAPIRate <= 1000) {
		return usagef("--sandbox-api-rate %v is out of range: use calls per second above 0 and at most 1000 (e.g. --sandbox-api-rate 2), or 0 for AWS's rates", o.sandboxAPIRate)
	}
	if o.refresh < time.Second {
		return usagef("--refresh %v is too short: use 1s or more (e.g. --refresh 15s)", o.refresh)
	}
	return nil
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// proxyBinary is this executable, which the sandbox puts in its load
// balancers' proxy image (sandbox.Options.ProxyBinary). Only main sets it:
// a test binary is not deckhand, and run as the proxy it would run tests.
var proxyBinary string

func main() {
	proxyBinary, _ = os.Executable()
	os.Exit(execute(context.Background(), os.Args[1:], os.Stdout, os.Stderr, startTUI))
}

// startTUI is what deckhand without a command does once its command line
// is valid: print the version, or run the TUI.
func startTUI(ctx context.Context, o options) error {
	if o.showVersion {
		fmt.Println("deckhand", versionString())
		return nil
	}
	if msg := dumbTerminal(os.Getenv("TERM")); msg != "" {
		return fmt.Errorf("%s", msg)
	}
	return run(ctx, o)
}
