package main

// The doctor and the sandbox's failure scenarios, headless:
//
//	deckhand doctor service CLUSTER/NAME [account flags]
//	deckhand doctor instance ID [--from CIDR] [--port N] [account flags]
//	deckhand sandbox seed NAME          (deckhand sandbox scenarios lists them)
//
// The logic is doctor.RunCLI's and sandbox.SeedScenario's; this file only
// opens the account from the global flags and hangs the two commands on
// the cobra root (one line in newRoot).

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"deckhand/aws/sandbox"
	"deckhand/internal/doctor"
	"deckhand/internal/launch"
)

// exitCode is an error that carries the exit code its command chose (the
// doctor: 1 when something is wrong) and has said everything already.
type exitCode struct{ code int }

func (e *exitCode) Error() string { return "exit " + strconv.Itoa(e.code) }

func exitWith(code int) error {
	if code == exitOK {
		return nil
	}
	return &exitCode{code}
}

func newDoctorCommand(g *globals) *cobra.Command {
	var (
		from  string
		ports []string
	)
	cmd := &cobra.Command{
		Use:   "doctor service CLUSTER/NAME | instance ID",
		Short: "Say why a service or an instance is not healthy (exit 1 when something is wrong)",
		Long:  doctor.Usage,
		RunE: withSignals(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			if err := g.awsFlags.validate(); err != nil {
				return err
			}
			pos := append([]string{}, args...)
			if from != "" {
				pos = append(pos, "--from", from)
			}
			for _, p := range ports {
				pos = append(pos, "--port", p)
			}
			// Refused before the account opens: what to examine, in the
			// right shape (RunCLI says what is wrong with them).
			if len(args) != 2 || (args[0] == "service" || args[0] == "svc") && !strings.Contains(strings.Trim(args[1], "/"), "/") ||
				args[0] != "service" && args[0] != "svc" && args[0] != "instance" && args[0] != "ec2" {
				return exitWith(doctor.RunCLI(ctx, nil, pos, doctor.CLIOptions{}, stdout, stderr))
			}
			be, err := g.awsFlags.backend(ctx, g.engineFlags)
			if err != nil {
				return err
			}
			defer be.close(10 * time.Second)
			say(stderr, "doctor", be)
			profile := g.profile
			cli := func(args ...string) string {
				out := append([]string{"aws"}, args...)
				if be.region != "" {
					out = append(out, "--region", be.region)
				}
				if profile != "" && !be.sandbox {
					out = append(out, "--profile", profile)
				}
				if be.endpoint != "" {
					out = append(out, "--endpoint-url", be.endpoint)
				}
				return launch.Shell(out...)
			}
			home, _ := os.UserHomeDir()
			return exitWith(doctor.RunCLI(ctx, be, pos, doctor.CLIOptions{CLI: cli, Sandbox: be.sandbox, Home: home}, stdout, stderr))
		}),
	}
	cmd.Flags().StringVar(&from, "from", "", "your address as a `CIDR` (instances: do the security groups let it in?)")
	cmd.Flags().StringArrayVar(&ports, "port", nil, "a `PORT` you expect to reach on the instance (repeatable)")
	return cmd
}

func newSandboxCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox seed NAME | scenarios",
		Short: "Seed a failure scenario in the sandbox account, for the doctor",
		RunE: withSignals(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			switch {
			case len(args) == 1 && args[0] == "scenarios":
				for _, s := range sandbox.Scenarios {
					fmt.Fprintf(stdout, "%-22s %s\n", s.Name, s.What)
				}
				return nil
			case len(args) != 2 || args[0] != "seed":
				return usagef("say what to do: sandbox seed NAME (one of %s) or sandbox scenarios", sandbox.ScenarioNames())
			}
			if _, ok := sandbox.ScenarioNamed(args[1]); !ok {
				return usagef("no scenario %q: choose one of %s", args[1], sandbox.ScenarioNames())
			}
			if g.endpointURL != "" {
				return usagef("deckhand sandbox seeds the sandbox account: drop --endpoint-url")
			}
			if err := g.awsFlags.validate(); err != nil {
				return err
			}
			af := g.awsFlags
			af.sandbox = true
			be, err := af.backend(ctx, g.engineFlags)
			if err != nil {
				return err
			}
			defer be.close(time.Minute)
			if be.box == nil {
				return fmt.Errorf("the sandbox account did not open")
			}
			made, err := be.box.SeedScenario(ctx, args[1])
			if err != nil {
				return err
			}
			kind := "service"
			if !strings.Contains(made, "/") {
				kind = "instance"
			}
			fmt.Fprintf(stderr, "deckhand sandbox: seeded %s: %s; give it a few minutes of sandbox time, then:\n", args[1], made)
			fmt.Fprintf(stdout, "deckhand doctor %s %s --sandbox\n", kind, made)
			return nil
		}),
	}
	return cmd
}
