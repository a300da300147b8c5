package main

// The doctor and the sandbox's failure scenarios, headless:
//
//	deckhand doctor service CLUSTER/NAME [account flags]
//	deckhand doctor instance ID [--from CIDR] [--port N] [account flags]
//	deckhand sandbox seed NAME          (deckhand sandbox scenarios lists them)
//
// The logic is doctor.RunCLI's and sandbox.SeedScenario's; this file only
// opens the account from the usual flags and registers the words, so the
// registration can move to another command framework in one place.

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"deckhand/aws/sandbox"
	"deckhand/internal/doctor"
	"deckhand/internal/launch"
)

func init() {
	subcommands["doctor"] = cmdDoctor
	subcommands["sandbox"] = cmdSandbox
}

// stringList collects a repeated flag's values.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func cmdDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		ef    engineFlags
		af    awsFlags
		from  string
		ports stringList
	)
	fs := newFlagSet("doctor", "doctor service CLUSTER/NAME | instance ID [flags]", stderr)
	fs.Usage = func() { fmt.Fprint(stderr, doctor.Usage, "\nFlags:\n"); fs.PrintDefaults() }
	fs.StringVar(&from, "from", "", "your address as a `CIDR` (instances: is it let in?)")
	fs.Var(&ports, "port", "a `port` you expect to reach on the instance (repeatable)")
	ef.register(fs)
	af.register(fs)
	pos, err := parseArgs(fs, args)
	if err == nil {
		err = af.validate()
	}
	if err != nil {
		return fail(stderr, "doctor", err)
	}
	// The doctor's own flags go back to it, after what to examine.
	if from != "" {
		pos = append(pos, "--from", from)
	}
	for _, p := range ports {
		pos = append(pos, "--port", p)
	}
	// Refused before the account opens: what to examine, in the right shape.
	if len(pos) < 2 || (pos[0] == "service" || pos[0] == "svc") && !strings.Contains(strings.Trim(pos[1], "/"), "/") ||
		pos[0] != "service" && pos[0] != "svc" && pos[0] != "instance" && pos[0] != "ec2" {
		return doctor.RunCLI(ctx, nil, pos, doctor.CLIOptions{}, stdout, stderr) // says what is wrong with them
	}
	be, err := af.backend(ctx, ef)
	if err != nil {
		return fail(stderr, "doctor", err)
	}
	defer be.close(10 * time.Second)
	say(stderr, "doctor", be)
	cli := func(args ...string) string {
		out := append([]string{"aws"}, args...)
		if be.region != "" {
			out = append(out, "--region", be.region)
		}
		if af.profile != "" && !be.sandbox {
			out = append(out, "--profile", af.profile)
		}
		if be.endpoint != "" {
			out = append(out, "--endpoint-url", be.endpoint)
		}
		return launch.Shell(out...)
	}
	home, _ := os.UserHomeDir()
	return doctor.RunCLI(ctx, be, pos, doctor.CLIOptions{CLI: cli, Sandbox: be.sandbox, Home: home}, stdout, stderr)
}

const sandboxUsage = `usage: deckhand sandbox seed NAME      seed a failure scenario in the sandbox account
       deckhand sandbox scenarios      list them
`

func cmdSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		ef engineFlags
		af awsFlags
	)
	fs := newFlagSet("sandbox", "sandbox seed NAME | scenarios", stderr)
	ef.register(fs)
	af.register(fs)
	pos, err := parseArgs(fs, args)
	if err == nil {
		err = af.validate()
	}
	if err == nil && af.endpointURL != "" {
		err = usagef("deckhand sandbox seeds the sandbox account: drop --endpoint-url")
	}
	if err != nil {
		return fail(stderr, "sandbox", err)
	}
	switch {
	case len(pos) == 1 && pos[0] == "scenarios":
		for _, s := range sandbox.Scenarios {
			fmt.Fprintf(stdout, "%-22s %s\n", s.Name, s.What)
		}
		return exitOK
	case len(pos) == 2 && pos[0] == "seed":
	default:
		fmt.Fprint(stderr, sandboxUsage, "scenarios: ", sandbox.ScenarioNames(), "\n")
		return exitUsage
	}
	if _, ok := sandbox.ScenarioNamed(pos[1]); !ok {
		fmt.Fprintf(stderr, "deckhand sandbox: no scenario %q: choose one of %s\n", pos[1], sandbox.ScenarioNames())
		return exitUsage
	}
	af.sandbox = true
	be, err := af.backend(ctx, ef)
	if err != nil {
		return fail(stderr, "sandbox", err)
	}
	defer be.close(time.Minute)
	if be.box == nil {
		return fail(stderr, "sandbox", fmt.Errorf("the sandbox account did not open"))
	}
	made, err := be.box.SeedScenario(ctx, pos[1])
	if err != nil {
		return fail(stderr, "sandbox", err)
	}
	kind := "service"
	if !strings.Contains(made, "/") {
		kind = "instance"
	}
	fmt.Fprintf(stderr, "deckhand sandbox: seeded %s: %s; give it a few minutes of sandbox time, then:\n", pos[1], made)
	fmt.Fprintf(stdout, "deckhand doctor %s %s --sandbox\n", kind, made)
	return exitOK
}
