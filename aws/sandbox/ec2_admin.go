package sandbox

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"deckhand/internal/cloud"
)

// The sandbox's EC2 administration (cloud.EC2Admin): reboot, console
// output, the key pair list, security group creation and rule changes.
//
// What a reboot models: EC2 keeps the instance running (RebootInstances
// is no state change; only a stopped, pending or terminating instance is
// refused with IncorrectInstanceState). The guest restarts: the containers
// its cloud-config's `docker run`s started on the local engine are stopped,
// removed and started again by the engine worker's next round (new
// container ids, new 127.0.0.1 ports), and the status checks go back to
// initializing for rebootChecks before they pass again. Its public and
// private addresses stay, as on EC2.
//
// The console output is what cloud-init would print for the current boot:
// the kernel's first line, cloud-init's start, each runcmd item, what came
// of each `docker run` (the container the engine started, or the engine's
// error, so a user-data failure is visible), and cloud-init's end. It is
// empty until the instance first runs, and kept after it stops, as EC2
// keeps the last output.

var _ cloud.EC2Admin = (*Account)(nil)

// rebootChecks is how long the status checks re-initialize after a reboot.
var rebootChecks = span{20 * time.Second, 40 * time.Second}

// RebootInstances reboots running instances.
func (a *Account) RebootInstances(ctx context.Context, ids ...string) error {
	return a.changeInstances(ctx, "RebootInstances", ids, rebootInstance)
}

func rebootInstance(w *world, in *instance) error {
	if in.State != "running" {
		return ec2Error("RebootInstances", "IncorrectInstanceState",
			"The instance '%s' is not in a state from which it can be rebooted.", in.ID)
	}
	in.ChecksOK, in.Booted = w.after(rebootChecks), w.now
	in.Reboot = len(in.Runs) > 0 || in.StandIn != nil // a stand-in restarts too: the session ends, as on a reboot
	return nil
}

// ConsoleOutput is the simulated console of the instance's current (or
// last) boot.
func (a *Account) ConsoleOutput(ctx context.Context, instanceID string) (string, error) {
	var out string
	err := a.viewCall(ctx, apiCall{"ec2", "GetConsoleOutput"}, func(w *world, r *region) error {
		const op = "GetConsoleOutput"
		if err := cloud.ValidateInstanceID(op, instanceID); err != nil {
			return err
		}
		in := r.instance(instanceID)
		if in == nil {
			return ec2Error(op, "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", instanceID)
		}
		out = in.console(w.now)
		return nil
	})
	return out, err
}

// console writes the boot's output (see the top of the file).
func (in *instance) console(now time.Time) string {
	boot := in.Booted
	if boot.IsZero() {
		if in.State == "pending" || in.LaunchTime.IsZero() {
			return "" // EC2 has no output before the first boot
		}
		boot = in.LaunchTime // a state file written before Booted existed
	}
	var b strings.Builder
	at := func(sec float64, format string, args ...any) {
		fmt.Fprintf(&b, "[%11.6f] "+format+"\n", append([]any{sec}, args...)...)
	}
	stamp := boot.UTC().Format(time.RFC1123Z)
	at(0, "Linux version 6.1.0-sandbox (deckhand sandbox: a simulated %s, %s)", in.Type, in.ImageID)
	at(1.2, "cloud-init[512]: Cloud-init v. 23.4 running 'init' at %s. Up 1.20 seconds.", stamp)
	at(1.3, "cloud-init[512]: ci-info: eth0 %s", in.PrivateIP)
	data := in.userData()
	switch {
	case data == "":
		at(2.0, "cloud-init[601]: no user data")
	case !strings.HasPrefix(data, "#cloud-config"):
		at(2.0, "cloud-init[601]: user data is a script, not a #cloud-config: the sandbox does not run scripts")
	default:
		in.consoleRuncmd(at, data, now)
	}
	if in.State == "running" && !in.RunsDecided && len(in.userDataRuns()) > 0 {
		at(3.0, "cloud-init[601]: runcmd is still running")
		return b.String()
	}
	at(4.0, "cloud-init[601]: Cloud-init v. 23.4 finished at %s. Datasource DataSourceEc2Local. Up 4.00 seconds", stamp)
	return b.String()
}

// consoleRuncmd prints each runcmd item and, for a docker run, its result.
func (in *instance) consoleRuncmd(at func(float64, string, ...any), data string, now time.Time) {
	sec, runIdx := 2.0, 0
	for _, item := range runcmdItems(data) {
		at(sec, "cloud-init[601]: + %s", item)
		sec += 0.1
		dr, ok := parseDockerRun(runcmdArgs(item))
		if !ok {
			continue
		}
		ru := find(in.Runs, func(ru *instanceRun) bool { return ru.Index == runIdx })
		runIdx++
		switch {
		case ru != nil && ru.Failed != "":
			at(sec, "cloud-init[601]: docker: Error response from daemon: %s", ru.Failed)
			at(sec, "cloud-init[601]: runcmd: docker run %s failed", dr.Image)
		case ru != nil && ru.DockerID != "":
			at(sec, "cloud-init[601]: %s", ru.DockerID)
		case ru != nil:
			at(sec, "cloud-init[601]: docker run %s: starting", dr.Image)
		case in.RunsDecided:
			at(sec, "cloud-init[601]: Unable to find image '%s' locally (the sandbox runs only images the local engine has): not run", dr.Image)
		}
		sec += 0.1
	}
}

// userData is the decoded user data, "" when it has none.
func (in *instance) userData() string {
	if in.UserData == "" {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(in.UserData)
	if err != nil {
		return ""
	}
	return string(b)
}

// runcmdItems are the items of a cloud-config's runcmd, as written.
func runcmdItems(userData string) []string {
	var out []string
	in := false
	for _, line := range strings.Split(userData, "\n") {
		line = strings.TrimRight(line, "\r")
		if !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "\t") {
			in = strings.TrimSpace(line) == "runcmd:"
			continue
		}
		if item, ok := strings.CutPrefix(strings.TrimSpace(line), "- "); in && ok {
			out = append(out, strings.TrimSpace(item))
		}
	}
	return out
}

// KeyPairList lists the region's key pairs, sorted by name.
func (a *Account) KeyPairList(ctx context.Context) ([]cloud.KeyPair, error) {
	var out []cloud.KeyPair
	err := a.viewCall(ctx, apiCall{"ec2", "DescribeKeyPairs"}, func(w *world, r *region) error {
		for _, k := range r.KeyPairs {
			out = append(out, k.resource())
		}
		return nil
	})
	slices.SortFunc(out, func(x, y cloud.KeyPair) int { return strings.Compare(x.Name, y.Name) })
	return out, err
}

// CreateSecurityGroup creates a group (never adopting one of the same
// name) and authorizes spec.Ingress.
func (a *Account) CreateSecurityGroup(ctx context.Context, spec cloud.SecurityGroupSpec) (string, error) {
	var id string
	err := a.updateCall(ctx, apiCall{"ec2", "CreateSecurityGroup"}, func(w *world, r *region) error {
		if err := cloud.ValidateSecurityGroupSpec(spec); err != nil {
			return err
		}
		if err := r.checkSourceGroups(spec.VpcID, spec.Ingress, nil); err != nil {
			return err
		}
		g, err := w.createSecurityGroup(r, spec)
		if err != nil {
			return err
		}
		id = g.ID
		return authorize(g, spec.Ingress)
	})
	return id, err
}

// AuthorizeIngress adds one inbound rule.
func (a *Account) AuthorizeIngress(ctx context.Context, groupID string, rule cloud.IngressRule) error {
	return a.updateCall(ctx, apiCall{"ec2", "AuthorizeSecurityGroupIngress"}, func(w *world, r *region) error {
		const op = "AuthorizeSecurityGroupIngress"
		g, err := r.ruleGroup(op, groupID, rule)
		if err != nil {
			return err
		}
		if err := r.checkSourceGroups(g.VpcID, []cloud.IngressRule{rule}, g); err != nil {
			return err
		}
		return authorize(g, []cloud.IngressRule{rule})
	})
}

// RevokeIngress removes one inbound rule.
func (a *Account) RevokeIngress(ctx context.Context, groupID string, rule cloud.IngressRule) error {
	return a.updateCall(ctx, apiCall{"ec2", "RevokeSecurityGroupIngress"}, func(w *world, r *region) error {
		const op = "RevokeSecurityGroupIngress"
		g, err := r.ruleGroup(op, groupID, rule)
		if err != nil {
			return err
		}
		want := rule.Key()
		i := slices.IndexFunc(g.Ingress, func(x ingressRule) bool {
			return (cloud.IngressRule{Protocol: x.Protocol, Port: x.Port, CIDR: x.CIDR, SourceGroupID: x.SourceGroup}).Key() == want
		})
		if i < 0 {
			return ec2Error(op, "InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
		}
		g.Ingress = slices.Delete(g.Ingress, i, i+1)
		return nil
	})
}

func (r *region) ruleGroup(op, groupID string, rule cloud.IngressRule) (*securityGroup, error) {
	// A revoke takes any rule a group can hold (as read); an authorize
	// only the one-port rules deckhand makes.
	validate := cloud.ValidateIngressRule
	if op == "RevokeSecurityGroupIngress" {
		validate = cloud.ValidateRevokeRule
	}
	if err := validate(op, groupID, rule); err != nil {
		return nil, err
	}
	g := r.securityGroup(groupID)
	if g == nil {
		return nil, ec2Error(op, "InvalidGroup.NotFound", "The security group '%s' does not exist", groupID)
	}
	return g, nil
}
