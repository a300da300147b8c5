package doctor

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/explain"
	"deckhand/internal/resource"
)

// InstanceInput is everything the instance checks look at.
type InstanceInput struct {
	Instance resource.Instance
	Groups   map[string]cloud.SecurityGroup // the region's, by id
	// From is the user's address as a CIDR ("203.0.113.7/32"); "" = not
	// known, and the rule check is skipped (said in Unread).
	From string
	// Ports are the ports the user expects to reach (22 for SSH when the
	// instance has a key pair, when none are given).
	Ports []int32
	// Expect is true when the user named the ports (--port): reaching
	// them is then what they asked about, and what blocks it is a cause.
	// Otherwise the access checks (ingress, key pair) are notes that do
	// not make the instance unhealthy.
	Expect bool
	// KeyFiles are the places the key pair's private key was looked for,
	// and KeyFound whether one exists.
	KeyFiles []string
	KeyFound bool
	// Console is the instance's console output ("" = not read): the
	// seam for cloud.InstanceConsole, whose failures UserDataFromConsole
	// finds.
	Console string
	Now     time.Time
	CLI     CLI
}

var instanceChecks = []func(in *InstanceInput) []Finding{
	checkState, checkStatusChecks, checkUserData, checkPublicIP, checkIngress, checkKeyPair,
}

// Instance runs every instance check.
func Instance(in InstanceInput, unread []string) Report {
	if in.CLI == nil {
		in.CLI = plainCLI
	}
	x := in.Instance
	r := Report{Subject: "instance " + x.Label(), Unread: unread, At: in.Now}
	var fs []Finding
	for i, c := range instanceChecks {
		for _, f := range c(&in) {
			f.rank = i
			fs = append(fs, f)
		}
	}
	finish(&r, fs, x.State+", status checks "+cmpOr(x.StatusCheck, "-"))
	return r
}

// checkState: an instance that is not running (or on its way to it).
func checkState(in *InstanceInput) []Finding {
	x := in.Instance
	if x.State == "running" || x.State == "pending" {
		return nil
	}
	f := Finding{Check: "not-running", Cause: true, Certainty: Certain, What: "it is " + x.State + ", not running",
		Evidence: []Evidence{{At: x.StateChanged, Text: "state " + x.State + cmpOr(" · "+x.StateReason, "")}}}
	if why := explain.Reason(x.StateReason); why != "" {
		f.Evidence = append(f.Evidence, Evidence{Text: why})
	}
	switch x.State {
	case "stopped":
		f.Fix = Fix{Key: "S", Action: "starts it", CLI: in.CLI("ec2", "start-instances", "--instance-ids", x.ID)}
	case "stopping":
		f.Fix = Fix{Step: "wait for stopped, then start it (S)"}
	default:
		f.Fix = Fix{Step: "a terminated instance cannot come back: launch a new one (:create instance, or deckhand launch --target ec2)"}
	}
	return []Finding{f}
}

// checkStatusChecks: the system check (AWS's host and network) or the
// instance check (its OS, boot, network configuration) fails.
func checkStatusChecks(in *InstanceInput) []Finding {
	x := in.Instance
	var out []Finding
	if x.SystemCheck == "impaired" {
		out = append(out, Finding{Check: "system-check", Cause: true, Certainty: Certain,
			What:     "the system status check fails: AWS's host or network under it is at fault",
			Evidence: []Evidence{{At: in.Now, Text: "system status check impaired"}},
			Fix:      Fix{Step: "stop and start it (not reboot): it moves to a healthy host", CLI: in.CLI("ec2", "stop-instances", "--instance-ids", x.ID)}})
	}
	if x.InstanceCheck == "impaired" || x.StatusCheck == "impaired" && x.SystemCheck != "impaired" && x.InstanceCheck == "" {
		out = append(out, Finding{Check: "instance-check", Cause: true, Certainty: Certain,
			What:     "the instance status check fails: its OS did not boot or lost its network (a bad kernel, full disk, broken network configuration)",
			Evidence: []Evidence{{At: in.Now, Text: "instance status check impaired"}},
			Fix:      Fix{Step: "read its console output and screenshot, then fix the boot (or reboot it)", CLI: in.CLI("ec2", "get-console-output", "--instance-id", x.ID, "--latest")}})
	}
	return out
}

// reCloudInit finds the lines of a console output that say a part of
// cloud-init (the user data) failed.
var reCloudInit = regexp.MustCompile(`(?i)(failed to run module scripts-user|scripts-user.*failed|runcmd.*fail|cc_scripts_user.*fail|\[error\]|cloud-init.*(error|fail)|command not found|no such file or directory)`)

// UserDataFromConsole lists the console output's lines that say the user
// data failed (cloud-init's own words), newest last. It is the seam for
// the console output contract (cloud.InstanceConsole, ConsoleOutput):
// its text goes to InstanceInput.Console, and this reads it.
func UserDataFromConsole(console string) []string {
	var out []string
	for _, l := range strings.Split(console, "\n") {
		if reCloudInit.MatchString(l) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

// checkUserData: the user data's commands failed (the status checks pass
// regardless, which is why it needs its own check).
func checkUserData(in *InstanceInput) []Finding {
	x := in.Instance
	type line struct{ src, text string }
	var fails []line
	for _, l := range x.UserDataFailures {
		fails = append(fails, line{"the sandbox's record of its cloud-config run", l})
	}
	if in.Console != "" {
		for _, l := range UserDataFromConsole(in.Console) {
			fails = append(fails, line{"the console output", l})
		}
	}
	if len(fails) == 0 {
		return nil
	}
	f := Finding{Check: "user-data", Cause: true, Certainty: Certain,
		What: "its user data failed: " + oneLine(fails[0].text, 160)}
	for _, l := range fails[:min(len(fails), 5)] {
		f.Evidence = append(f.Evidence, Evidence{At: x.LaunchTime, Text: "from " + l.src + ": " + oneLine(l.text, 500)})
	}
	f.Fix = Fix{Step: "fix the user data (the command, the image it runs), then replace the instance: user data runs only at the first boot",
		CLI: in.CLI("ec2", "get-console-output", "--instance-id", x.ID, "--latest")}
	return []Finding{f}
}

// checkPublicIP: a running instance with no public IP cannot be reached
// from outside its VPC.
func checkPublicIP(in *InstanceInput) []Finding {
	x := in.Instance
	if x.State != "running" || x.PublicIP != "" || len(x.LocalBindings) > 0 {
		return nil
	}
	return []Finding{{Check: "no-public-ip", Cause: true, Certainty: Likely,
		What:     "it has no public IP, so it cannot be reached from the internet",
		Evidence: []Evidence{{Text: "public IP: none; private IP " + cmpOr(x.PrivateIP, "-") + " in subnet " + cmpOr(x.SubnetID, "-")}},
		Fix: Fix{Step: "give it an Elastic IP, launch it in a subnet that maps public IPs, or reach it through a bastion or SSM",
			CLI: in.CLI("ec2", "allocate-address", "--domain", "vpc")}}}
}

// checkIngress: none of its security groups lets the user's address in
// on an expected port.
func checkIngress(in *InstanceInput) []Finding {
	x := in.Instance
	if in.From == "" || len(in.Groups) == 0 || len(x.SecurityGroupIDs) == 0 || x.State != "running" {
		return nil
	}
	from, err := netip.ParsePrefix(in.From)
	if err != nil {
		return nil
	}
	var out []Finding
	for _, port := range in.Ports {
		ok := false
		var seen []string
		for _, id := range x.SecurityGroupIDs {
			g, known := in.Groups[id]
			if !known {
				ok = true // a group deckhand cannot see: say nothing
				break
			}
			seen = append(seen, id+" ("+g.Name+"): "+rules(g.Ingress))
			if slices.ContainsFunc(g.Ingress, func(r cloud.IngressRule) bool { return covers(r, port, from) }) {
				ok = true
				break
			}
		}
		if ok {
			continue
		}
		f := Finding{Check: "sg-no-rule", Cause: in.Expect, Note: !in.Expect, Certainty: Certain,
			What: "no security group lets " + in.From + " in on port " + itoa(int(port))}
		for _, s := range seen {
			f.Evidence = append(f.Evidence, Evidence{Text: "security group " + s})
		}
		f.Fix = Fix{Step: "add the rule for your address (only yours: not 0.0.0.0/0 for SSH)",
			CLI: in.CLI("ec2", "authorize-security-group-ingress", "--group-id", x.SecurityGroupIDs[0], "--protocol", "tcp",
				"--port", itoa(int(port)), "--cidr", in.From)}
		out = append(out, f)
	}
	return out
}

// covers reports whether rule r lets from in on port.
func covers(r cloud.IngressRule, port int32, from netip.Prefix) bool {
	if !r.Allows("tcp", port) || r.CIDR == "" {
		return false
	}
	p, err := netip.ParsePrefix(r.CIDR)
	return err == nil && p.Bits() <= from.Bits() && p.Contains(from.Addr())
}

// checkKeyPair: the instance has a key pair whose private key is not on
// this machine, so SSH cannot log in.
func checkKeyPair(in *InstanceInput) []Finding {
	x := in.Instance
	if x.KeyName == "" || in.KeyFound || len(in.KeyFiles) == 0 {
		return nil
	}
	return []Finding{{Check: "key-missing", Cause: in.Expect, Note: !in.Expect, Certainty: Certain,
		What:     "the private key of key pair " + x.KeyName + " is not on this machine, so SSH cannot log in",
		Evidence: []Evidence{{Text: "looked for " + strings.Join(in.KeyFiles, ", ")}},
		Fix:      Fix{Step: "copy the key you saved when the pair was made to one of those paths (mode 0600); AWS keeps no copy — without it, use EC2 Instance Connect or SSM, or replace the instance with a new key pair"}}}
}

// KeyFiles are where a key pair's private key is looked for: ~/.ssh/NAME,
// NAME.pem (what deckhand launch saves) and NAME.key.
func KeyFiles(home, name string) []string {
	if name == "" || home == "" {
		return nil
	}
	d := filepath.Join(home, ".ssh")
	return []string{filepath.Join(d, name+".pem"), filepath.Join(d, name), filepath.Join(d, name+".key")}
}

// InstanceSource is what the instance doctor reads.
type InstanceSource interface {
	Instances(ctx context.Context) ([]resource.Instance, error)
	cloud.SecurityGroupReader
}

// ConsoleReader is the console output contract (cloud.InstanceConsole,
// being added on another branch); GatherInstance reads it when the
// source has it.
type ConsoleReader interface {
	ConsoleOutput(ctx context.Context, instanceID string) (string, error)
}

// GatherInstance reads the instance, the security groups, the console
// output (when src offers it) and looks for the key pair's private key
// under home.
func GatherInstance(ctx context.Context, src InstanceSource, id, from string, ports []int32, home string, now time.Time) (in InstanceInput, unread []string, err error) {
	xs, err := src.Instances(ctx)
	if err != nil {
		return in, nil, err
	}
	i := slices.IndexFunc(xs, func(x resource.Instance) bool { return x.ID == id || x.Name == id && id != "" })
	if i < 0 {
		return in, nil, ErrNotFound{"instance " + id}
	}
	in.Instance, in.From, in.Now = xs[i], from, now
	x := in.Instance
	in.Ports, in.Expect = ports, len(ports) > 0
	if len(in.Ports) == 0 && x.KeyName != "" {
		in.Ports = []int32{22}
	}
	if len(x.SecurityGroupIDs) > 0 {
		gs, err := src.SecurityGroups(ctx)
		if err != nil {
			unread = append(unread, "security groups: "+err.Error())
		}
		in.Groups = map[string]cloud.SecurityGroup{}
		for _, g := range gs {
			in.Groups[g.ID] = g
		}
	}
	if from == "" && x.State == "running" {
		unread = append(unread, "your address: not given (--from CIDR), so the security group rules were not checked for it")
	}
	if c, ok := src.(ConsoleReader); ok && x.State == "running" {
		out, err := c.ConsoleOutput(ctx, x.ID)
		if err != nil {
			unread = append(unread, "console output: "+err.Error())
		}
		in.Console = out
	}
	in.KeyFiles = KeyFiles(home, x.KeyName)
	for _, f := range in.KeyFiles {
		if _, err := os.Stat(f); err == nil {
			in.KeyFound = true
		}
	}
	return in, unread, nil
}
