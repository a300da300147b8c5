package sandbox

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// EC2's instance state codes (InstanceState.Code, low byte).
var stateCodes = map[string]int32{
	"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80,
}

// userShutdown is StateReason.Message after StopInstances or
// TerminateInstances.
const userShutdown = "Client.UserInitiatedShutdown: User initiated shutdown"

// Instances lists the region's instances, terminated ones included until
// EC2 forgets them, sorted by Name then ID like the SDK adapter.
func (a *Account) Instances(ctx context.Context) ([]resource.Instance, error) {
	var out []resource.Instance
	err := a.viewCall(ctx, apiCall{"ec2", "DescribeInstances"}, func(w *world, r *region) error {
		for _, in := range r.Instances {
			out = append(out, in.resource(w.now))
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}

// brokenImageName names the seeded image whose launches fail, and
// launchFailure is the StateReason EC2 gives such an instance (StateReason
// codes, EC2 API Reference; "Instance terminates immediately",
// EC2 User Guide).
const (
	brokenImageName = "deckhand-lesson-broken-snapshot-20240101"
	launchFailure   = "Client.InvalidSnapshot.NotFound: The requested snapshot was not found"
)

// ec2Checks is how long after reaching running an instance's status checks
// stay "initializing": EC2 runs its first checks within a few minutes of
// launch (Status checks for your instances, EC2 User Guide).
var ec2Checks = span{time.Minute, 2 * time.Minute}

func (in *instance) resource(now time.Time) resource.Instance {
	checks := ""
	if in.State == "running" {
		checks = "initializing"
		if !in.ChecksOK.IsZero() && !now.Before(in.ChecksOK) {
			checks = "ok"
		}
	}
	return resource.Instance{
		StatusCheck:        checks,
		ID:                 in.ID,
		Name:               in.Tags["Name"],
		State:              in.State,
		StateCode:          stateCodes[in.State],
		StateReason:        in.StateReason,
		Type:               in.Type,
		AZ:                 in.AZ,
		PublicIP:           in.PublicIP,
		PrivateIP:          in.PrivateIP,
		LaunchTime:         in.LaunchTime,
		StateChanged:       in.UserInitiated,
		KeyName:            in.KeyName,
		ImageID:            in.ImageID,
		VpcID:              in.VpcID,
		SubnetID:           in.SubnetID,
		IAMInstanceProfile: in.IAMProfile,
		Tags:               maps.Clone(in.Tags),
		LocalBindings:      in.localBindings(),
		UserDataFailures:   in.userDataFailures(),
		SecurityGroupIDs:   slices.Clone(in.SecurityGroups),
		// One clock for the three checks: the sandbox's hardware and
		// volumes never fail, so they pass together.
		SystemCheck: checks, InstanceCheck: checks, EBSCheck: checks,
	}
}

// StartInstances starts stopped instances. Starting a pending or running
// instance is a no-op, as in EC2.
func (a *Account) StartInstances(ctx context.Context, ids ...string) error {
	return a.changeInstances(ctx, "StartInstances", ids, startInstance)
}

func startInstance(w *world, in *instance) error {
	defer w.sched(in)
	switch in.State {
	case "pending", "running":
		return nil
	case "stopped":
		in.State, in.StateReason, in.UserInitiated = "pending", "", time.Time{}
		in.LaunchTime, in.Due = w.now, w.after(ec2Pending)
		return nil
	}
	return ec2Error("StartInstances", "IncorrectInstanceState",
		"The instance '%s' is not in a state from which it can be started.", in.ID)
}

// StopInstances stops running instances; their public IP is released when
// they reach stopped, and a start gives them a new one.
func (a *Account) StopInstances(ctx context.Context, ids ...string) error {
	return a.changeInstances(ctx, "StopInstances", ids, stopInstance)
}

func stopInstance(w *world, in *instance) error {
	defer w.sched(in)
	switch in.State {
	case "stopping", "stopped":
		return nil
	case "running":
		in.State, in.StateReason, in.UserInitiated = "stopping", userShutdown, w.now.Truncate(time.Second)
		in.Due = w.after(ec2Stopping)
		return nil
	}
	return ec2Error("StopInstances", "IncorrectInstanceState",
		"The instance '%s' is not in a state from which it can be stopped.", in.ID)
}

// TerminateInstances terminates instances in any state; terminating a
// terminated instance is a no-op.
func (a *Account) TerminateInstances(ctx context.Context, ids ...string) error {
	return a.changeInstances(ctx, "TerminateInstances", ids, terminateInstance)
}

func terminateInstance(w *world, in *instance) error {
	defer w.sched(in)
	switch in.State {
	case "shutting-down", "terminated":
		return nil
	}
	in.State, in.StateReason, in.UserInitiated = "shutting-down", userShutdown, w.now.Truncate(time.Second)
	in.Due = w.after(ec2ShuttingDown)
	return nil
}

// changeInstances checks every ID (aws.ValidateInstanceIDs, then existence)
// and every state first, so that one bad
// instance fails the whole call and changes nothing, as in EC2.
func (a *Account) changeInstances(ctx context.Context, op string, ids []string, change func(*world, *instance) error) error {
	return a.updateCall(ctx, apiCall{"ec2", op}, func(w *world, r *region) error {
		ins, err := lookupInstances(op, r, ids)
		if err != nil {
			return err
		}
		// A dry run on copies finds IncorrectInstanceState before anything
		// changes (and draws no random numbers that would then differ).
		probe := *w.state
		dry := &world{state: &probe, now: w.now, speed: w.speed}
		for _, in := range ins {
			cp := *in
			if err := change(dry, &cp); err != nil {
				return err
			}
		}
		for _, in := range ins {
			_ = change(w, in) // cannot fail: the dry run passed
		}
		return nil
	})
}

func lookupInstances(op string, r *region, ids []string) ([]*instance, error) {
	if err := cloud.ValidateInstanceIDs(op, ids...); err != nil {
		return nil, err
	}
	var out []*instance
	var missing []string
	for _, id := range ids {
		in := r.instance(id)
		if in == nil {
			missing = append(missing, id)
			continue
		}
		if !slices.Contains(out, in) {
			out = append(out, in)
		}
	}
	switch len(missing) {
	case 0:
		return out, nil
	case 1:
		return nil, ec2Error(op, "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", missing[0])
	}
	return nil, ec2Error(op, "InvalidInstanceID.NotFound", "The instance IDs '%s' do not exist", strings.Join(missing, ", "))
}

// RunInstance launches one instance. After the checks every backend makes
// (aws.ValidateInstanceSpec) come the ones only EC2 can make: the AMI, the
// instance type, the key pair, the subnet, the security groups and the
// instance profile must exist, and the groups must be in the subnet's VPC.
func (a *Account) RunInstance(ctx context.Context, spec cloud.InstanceSpec) (resource.Instance, error) {
	var out resource.Instance
	err := a.updateCall(ctx, apiCall{"ec2", "RunInstances"}, func(w *world, r *region) error {
		in, err := w.runInstance(r, spec)
		if err == nil {
			out = in.resource(w.now)
		}
		return err
	})
	return out, err
}

func (w *world) runInstance(r *region, spec cloud.InstanceSpec) (*instance, error) {
	const op = "RunInstances"
	if err := cloud.ValidateInstanceSpec(spec); err != nil {
		return nil, err
	}
	if find(r.Images, func(i *image) bool { return i.ID == spec.ImageID }) == nil {
		return nil, ec2Error(op, "InvalidAMIID.NotFound", "The image id '[%s]' does not exist", spec.ImageID)
	}
	typ := spec.InstanceType
	if !slices.Contains(instanceTypes, typ) {
		return nil, ec2Error(op, "InvalidParameterValue", "Invalid value '%s' for InstanceType.", typ)
	}
	if spec.KeyName != "" && find(r.KeyPairs, func(k *keyPair) bool { return k.Name == spec.KeyName }) == nil {
		return nil, ec2Error(op, "InvalidKeyPair.NotFound", "The key pair '%s' does not exist", spec.KeyName)
	}
	sn := w.defaultSubnet(r)
	if spec.SubnetID != "" {
		if sn = r.subnet(spec.SubnetID); sn == nil {
			return nil, ec2Error(op, "InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", spec.SubnetID)
		}
	}
	if sn == nil {
		return nil, ec2Error(op, "VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.")
	}
	groups := spec.SecurityGroupIDs
	for _, id := range groups {
		g := r.securityGroup(id)
		if g == nil {
			return nil, ec2Error(op, "InvalidGroup.NotFound", "The security group '%s' does not exist", id)
		}
		if g.VpcID != sn.VpcID {
			return nil, ec2Error(op, "InvalidParameter", "Security group %s and subnet %s belong to different networks.", id, sn.ID)
		}
	}
	profile := ""
	if p := spec.IAMInstanceProfile; p != "" {
		ip := w.profile(p)
		if ip == nil {
			// EC2's words for a profile it does not know (or not yet:
			// IAM is eventually consistent).
			param, what := "iamInstanceProfile.name", "name"
			if strings.HasPrefix(p, "arn:") {
				param, what = "iamInstanceProfile.arn", "ARN"
			}
			return nil, ec2Error(op, "InvalidParameterValue", "Value (%s) for parameter %s is invalid. Invalid IAM Instance Profile %s", p, param, what)
		}
		profile = ip.ARN
	}
	if len(groups) == 0 {
		if g := r.defaultGroup(sn.VpcID); g != nil {
			groups = []string{g.ID}
		}
	}
	tags := maps.Clone(spec.Tags)
	if spec.Name != "" {
		if tags == nil {
			tags = map[string]string{}
		}
		tags["Name"] = spec.Name
	}
	var third, fourth int
	fmt.Sscanf(sn.CIDR, "172.31.%d.", &third)
	third += int(w.rand() % 16)
	fourth = 4 + int(w.rand()%250) // AWS reserves .0–.3 of a subnet
	in := &instance{
		ID: w.ec2ID("i"), Type: typ, ImageID: spec.ImageID, KeyName: spec.KeyName,
		VpcID: sn.VpcID, SubnetID: sn.ID, AZ: sn.AZ, SecurityGroups: slices.Clone(groups),
		PrivateIP:  fmt.Sprintf("172.31.%d.%d", third, fourth),
		UserData:   base64.StdEncoding.EncodeToString([]byte(spec.UserData)),
		IAMProfile: profile,
		Tags:       tags, State: "pending", LaunchTime: w.now, Due: w.after(ec2Pending),
	}
	if spec.UserData == "" {
		in.UserData = ""
	}
	r.Instances = append(r.Instances, in)
	w.adopt(r, nil, in)
	return in, nil
}

// stepInstance makes the move EC2 makes by itself from the current state.
func (w *world) stepInstance(r *region, in *instance) {
	in.Due = time.Time{}
	switch in.State {
	case "pending":
		if im := find(r.Images, func(im *image) bool { return im.ID == in.ImageID }); im != nil && im.BrokenSnapshot {
			in.State, in.StateReason = "terminated", launchFailure
			in.Due = w.after(ec2Retention)
			return
		}
		in.State = "running"
		in.ChecksOK, in.Booted = w.after(ec2Checks), w.now
		if sn := r.subnet(in.SubnetID); sn != nil && sn.PublicIPs {
			in.PublicIP = w.publicIP()
		}
	case "stopping":
		in.State, in.PublicIP = "stopped", ""
	case "shutting-down":
		in.State, in.PublicIP = "terminated", ""
		in.Due = w.after(ec2Retention)
	case "terminated":
		r.Instances = slices.DeleteFunc(r.Instances, func(x *instance) bool { return x == in })
	}
}

// publicIP is an address from the documentation ranges (RFC 5737), which
// belong to nobody.
func (w *world) publicIP() string {
	nets := []string{"192.0.2", "198.51.100", "203.0.113"}
	return fmt.Sprintf("%s.%d", nets[w.rand()%3], 1+w.rand()%254)
}
