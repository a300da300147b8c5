package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"deckhand/internal/launch"
)

func (f *awsFlags) validate() error {
	switch {
	case f.sandboxSpeed <= 0 || f.sandboxSpeed > 1000:
		return usagef("--sandbox-speed %v is out of range: use a factor above 0 and at most 1000 (e.g. --sandbox-speed 10)", f.sandboxSpeed)
	case f.sandbox && f.endpointURL != "":
		return usagef("--sandbox and --endpoint-url exclude each other: pick one account")
	}
	if err := checkAccountFlags(f.endpointURL, f.region); err != nil {
		return usagef("%s", err)
	}
	return nil
}

// backend opens the account.
func (f *awsFlags) backend(ctx context.Context, ef engineFlags) (*awsBackend, error) {
	return chooseBackend(ctx, options{
		profile: f.profile, region: f.region, endpointURL: f.endpointURL, readonly: ef.readonly,
		dockerHost: ef.dockerHost, sandbox: f.sandbox, sandboxSpeed: f.sandboxSpeed,
	})
}

// describe says which account a launch or destroy uses, for stderr.
func (b *awsBackend) describe() string {
	switch {
	case b.sandbox && b.why != "":
		return "the sandbox account, region " + b.region + " (" + b.why + ")"
	case b.sandbox:
		return "the sandbox account, region " + b.region
	case b.endpoint != "":
		return "the AWS-compatible endpoint " + b.endpoint + ", region " + b.region
	}
	return "AWS, region " + b.region
}

// cloudFlags are launch's settings of the fargate and ec2 targets.
type cloudFlags struct {
	cloudOptions
	set map[string]bool // which were given
}

func (f *cloudFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.cpu, "cpu", "", "fargate: task cpu `UNITS`, a Fargate size (default 256)")
	fs.StringVar(&f.memory, "memory", "", "fargate: task memory in `MIB`, valid with --cpu (default 512)")
	fs.StringVar(&f.cluster, "cluster", "", "fargate: ECS cluster `NAME` (default deckhand-NAME, created if missing)")
	fs.StringVar(&f.healthCheck, "health-check", "", "fargate: container health check `KIND`: python (python3 urllib on /health) or none (default: python for deckhand's Flask app)")
	fs.BoolVar(&f.loadBalancer, "load-balancer", false, "fargate: put an internet-facing Application Load Balancer in front of the service; the URL is its DNS name and the tasks' port is open to it only")
	fs.StringVar(&f.vpc, "vpc", "", "fargate, ec2: `VPC` id to run in (default: the region's default VPC)")
	fs.StringVar(&f.keyName, "key-name", "", "ec2: existing key pair `NAME` (default: deckhand-NAME, imported from ~/.ssh/id_*.pub or created)")
	fs.StringVar(&f.sshCIDR, "ssh-cidr", "", "ec2: who may SSH in, a `CIDR` (default: this machine's public address /32; never 0.0.0.0/0)")
	fs.StringVar(&f.amiDistro, "ami-distro", "", "ec2: `DISTRO` of the AMI: al2023 (default) or ubuntu-24.04")
	fs.StringVar(&f.instanceType, "instance-type", "", "ec2: instance `TYPE` (default t3.micro)")
}

// cloudTargets says which targets each cloud flag applies to.
var cloudTargets = map[string][]string{
	"cpu": {"fargate"}, "memory": {"fargate"}, "cluster": {"fargate"}, "health-check": {"fargate"}, "load-balancer": {"fargate"},
	"vpc": {"fargate", "ec2"}, "key-name": {"ec2"}, "ssh-cidr": {"ec2"}, "ami-distro": {"ec2"}, "instance-type": {"ec2"},
}

// awsOnly are the account flags, which only the AWS targets use.
var awsOnly = []string{"profile", "region", "endpoint-url", "sandbox", "sandbox-speed"}

// checkTargetFlags refuses flags the target does not use, so that a typo'd
// target or a misplaced flag is not silently ignored. Environment defaults
// (AWS_PROFILE…) are not flags given.
func checkTargetFlags(fs *pflag.FlagSet, target string) error {
	var err error
	fs.Visit(func(fl *pflag.Flag) {
		if err != nil {
			return
		}
		if ts, ok := cloudTargets[fl.Name]; ok && !contains(ts, target) {
			err = usagef("--%s applies only to --target %s", fl.Name, joinOr(ts))
		}
		if contains(awsOnly, fl.Name) && target == launch.TargetLocal {
			err = usagef("--%s applies only to the AWS targets (--target fargate or ec2)", fl.Name)
		}
	})
	return err
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

func joinOr(ts []string) string {
	if len(ts) == 2 {
		return ts[0] + " or " + ts[1]
	}
	return ts[0]
}

// targetTitle names where a target runs, for plan titles.
func targetTitle(target string) string {
	switch target {
	case launch.TargetFargate:
		return "ECS Fargate"
	case launch.TargetEC2:
		return "an EC2 instance"
	}
	return "local Docker"
}

// say prints one line about the account on stderr.
func say(w io.Writer, cmd string, b *awsBackend) {
	fmt.Fprintf(w, "deckhand %s: account: %s\n", cmd, b.describe())
}
