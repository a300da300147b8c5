// Command deckhand is a terminal app that shows EC2 instances, ECS clusters,
// services, tasks and containers, and local Docker containers, live.
//
// This file holds the flags and the wiring: it builds the adapters, starts
// one watcher per source and hands their updates to the TUI.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"deckhand/internal/budget"
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

	sandbox      bool
	sandboxSpeed float64
	sandboxReset bool
	// sandboxAPIRate lowers the sandbox's own throttling buckets (0 =
	// AWS's documented rates), to watch the budget at work.
	sandboxAPIRate float64
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("deckhand", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.profile, "profile", os.Getenv("AWS_PROFILE"), "AWS shared-config `profile` (env AWS_PROFILE)")
	fs.StringVar(&o.region, "region", "", "AWS `region` (default: from the profile or AWS_REGION)")
	fs.StringVar(&o.endpointURL, "endpoint-url", os.Getenv("AWS_ENDPOINT_URL"), "AWS-compatible `URL` such as moto or LocalStack (env AWS_ENDPOINT_URL)")
	durationVar(fs, &o.refresh, "refresh", 15*time.Second, "steady-state refresh `interval`: seconds (15) or a duration (15s, 2m); fast polling while something is changing is 2s")
	fs.Float64Var(&o.apiRate, "api-rate", budget.DefaultRate, "client-side AWS API budget in `calls/s` per API family (EC2 describe, ECS clusters/services/tasks, logs, writes…); throttling halves it for a while")
	fs.BoolVar(&o.readonly, "readonly", false, "never change anything: every mutating action is disabled")
	fs.BoolVar(&o.mouse, "mouse", false, "click selects a row, double-click opens it, the wheel scrolls (off by default: it takes the terminal's text selection)")
	fs.StringVar(&o.dockerHost, "docker-host", "", "Docker engine `address` (default: DOCKER_HOST, then the current docker context)")
	fs.BoolVar(&o.showVersion, "version", false, "print the version and exit")
	fs.BoolVar(&o.sandbox, "sandbox", false, "use the built-in sandbox account (the default when no AWS credentials are found)")
	fs.Float64Var(&o.sandboxSpeed, "sandbox-speed", 1, "sandbox time `factor`: 1 is AWS's pace, 10 is ten times faster")
	fs.BoolVar(&o.sandboxReset, "sandbox-reset", false, "start the sandbox account afresh")
	fs.Float64Var(&o.sandboxAPIRate, "sandbox-api-rate", 0, "lower the sandbox's own API throttling to `calls/s` per bucket (default 0: AWS's documented rates), to watch deckhand's budget at work")
	fs.StringVar(&o.logFile, "log-file", "", "write logs to `path` (default: $XDG_STATE_HOME/deckhand/deckhand.log)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: deckhand [flags]\n\nShows EC2, ECS and Docker state live. Flags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (deckhand takes only flags; see --help)", fs.Arg(0))
	}
	if o.sandboxSpeed <= 0 || o.sandboxSpeed > 1000 {
		return o, fmt.Errorf("--sandbox-speed %v is out of range: use a factor above 0 and at most 1000 (e.g. --sandbox-speed 10)", o.sandboxSpeed)
	}
	if o.sandbox && o.endpointURL != "" {
		return o, fmt.Errorf("--sandbox and --endpoint-url exclude each other: pick one account")
	}
	if err := checkAccountFlags(o.endpointURL, o.region); err != nil {
		return o, err
	}
	if o.apiRate <= 0 || o.apiRate > 1000 {
		return o, fmt.Errorf("--api-rate %v is out of range: use calls per second above 0 and at most 1000 (e.g. --api-rate 5)", o.apiRate)
	}
	if !(o.sandboxAPIRate >= 0 && o.sandboxAPIRate <= 1000) {
		return o, fmt.Errorf("--sandbox-api-rate %v is out of range: use calls per second above 0 and at most 1000 (e.g. --sandbox-api-rate 2), or 0 for AWS's rates", o.sandboxAPIRate)
	}
	if o.refresh < time.Second {
		return o, fmt.Errorf("--refresh %v is too short: use 1s or more (e.g. --refresh 15s)", o.refresh)
	}
	return o, nil
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
	// deckhand scaffold|launch|destroy … run headless (cli.go).
	if code, ok := runCLI(os.Args[1:], os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "deckhand:", err)
		os.Exit(2)
	}
	if o.showVersion {
		fmt.Println("deckhand", versionString())
		return
	}
	if msg := dumbTerminal(os.Getenv("TERM")); msg != "" {
		fmt.Fprintln(os.Stderr, "deckhand:", msg)
		os.Exit(1)
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "deckhand:", err)
		os.Exit(1)
	}
}
