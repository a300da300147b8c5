package cloud

import (
	"context"
	"strings"
	"time"
)

// The EC2 administration capabilities of issue 9: reboot, console output,
// key pairs listed, security groups created and their rules changed. Every
// mutation answers ErrReadonly before it validates or sends anything, as
// the others do.

// InstanceRebooter reboots running instances. AWS keeps their state
// running throughout (a reboot is no state change), so the TUI shows the
// reboot as a transition of its own.
type InstanceRebooter interface {
	RebootInstances(ctx context.Context, ids ...string) error
}

// InstanceConsole reads an instance's console output: GetConsoleOutput,
// base64-decoded. The doctor reads it too, so its name and signature stay.
// An instance that has printed nothing yet gives "" and no error.
type InstanceConsole interface {
	ConsoleOutput(ctx context.Context, instanceID string) (string, error)
}

// KeyPairLister lists the region's key pairs (DescribeKeyPairs), sorted by
// name, with their creation time.
type KeyPairLister interface {
	KeyPairList(ctx context.Context) ([]KeyPair, error)
}

// SecurityGroupWriter creates groups and changes their inbound rules.
type SecurityGroupWriter interface {
	// CreateSecurityGroup creates spec's group (name, description, VPC,
	// tags; spec.Ingress is authorized after it). A name already used in
	// the VPC is InvalidGroup.Duplicate: unlike EnsureSecurityGroup, it
	// never adopts an existing group.
	CreateSecurityGroup(ctx context.Context, spec SecurityGroupSpec) (id string, err error)
	// AuthorizeIngress adds one inbound rule; a rule the group has is
	// InvalidPermission.Duplicate.
	AuthorizeIngress(ctx context.Context, groupID string, rule IngressRule) error
	// RevokeIngress removes one inbound rule (compared by protocol, port
	// and CIDR or source group); a rule the group lacks is
	// InvalidPermission.NotFound.
	RevokeIngress(ctx context.Context, groupID string, rule IngressRule) error
}

// EC2Admin is every capability above; both backends offer it.
type EC2Admin interface {
	InstanceRebooter
	InstanceConsole
	KeyPairLister
	SecurityGroupWriter
}

// ValidateIngressRule checks one rule given to op (Authorize or Revoke…)
// and the group's id, with the field at fault named.
func ValidateIngressRule(op, groupID string, r IngressRule) error {
	if err := ValidateSecurityGroupID(op, groupID); err != nil {
		return err
	}
	return validateIngress(op, "Rule", r)
}

// ValidateInstanceID checks one instance id given to op.
func ValidateInstanceID(op, id string) error {
	if id == "" {
		return invalid("ec2", op, "MissingParameter", "InstanceId", "is empty; name the instance (i-…)")
	}
	if !reInst.MatchString(id) {
		return invalid("ec2", op, "InvalidInstanceID.Malformed", "InstanceId", "%q is not an instance id; it looks like i-0123456789abcdef0", id)
	}
	return nil
}

// SSHUser is the default login of an AMI, from its name or description
// (the family is in both): ec2-user on Amazon Linux, RHEL, Fedora and
// SUSE, ubuntu on Ubuntu, admin on Debian, centos, rocky, fedora…; "" when
// it cannot tell (the EC2 User Guide's table of default user names).
func SSHUser(ami string) string {
	s := strings.ToLower(ami)
	for _, f := range []struct{ word, user string }{
		{"ubuntu", "ubuntu"}, {"debian", "admin"}, {"centos", "centos"}, {"rocky", "rocky"},
		{"almalinux", "ec2-user"}, {"fedora", "fedora"}, {"bitnami", "bitnami"}, {"freebsd", "ec2-user"},
		{"amzn", "ec2-user"}, {"amazon linux", "ec2-user"}, {"al2023", "ec2-user"}, {"rhel", "ec2-user"},
		{"red hat", "ec2-user"}, {"suse", "ec2-user"}, {"sles", "ec2-user"},
	} {
		if strings.Contains(s, f.word) {
			return f.user
		}
	}
	return ""
}

// StatusCheckParts are EC2's three status checks of a running instance, as
// DescribeInstanceStatus reports them ("ok", "impaired", "initializing",
// "insufficient-data", "not-applicable"; "" = not reported).
type StatusCheckParts struct {
	System, Instance, EBS string
	At                    time.Time // when they were read
}
