package sandbox

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"deckhand/internal/cloud"
)

// The sandbox's IAM (aws.Roles, aws.InstanceProfiles). IAM is global: roles
// and instance profiles live in the state, not in a region. The sandbox
// knows the managed policies deckhand attaches (aws.TaskExecutionPolicyARN,
// aws.InstanceRolePolicyARN); IAM's eventual consistency is not simulated
// (a new role or profile is usable at once).

type role struct {
	Name     string            `json:"name"`
	Path     string            `json:"path"`
	ID       string            `json:"id"` // AROA…
	ARN      string            `json:"arn"`
	Trust    string            `json:"trust"`              // the trust policy document (JSON)
	Policies []string          `json:"policies,omitempty"` // attached managed policies
	Inline   []string          `json:"inline,omitempty"`   // inline policy names
	Tags     map[string]string `json:"tags,omitempty"`
	Created  time.Time         `json:"created"`
}

// instanceProfile is an IAM instance profile: the container EC2 passes a
// role to an instance in. It holds at most one role.
type instanceProfile struct {
	Name    string            `json:"name"`
	Path    string            `json:"path"`
	ID      string            `json:"id"` // AIPA…
	ARN     string            `json:"arn"`
	Roles   []string          `json:"roles,omitempty"` // role names
	Tags    map[string]string `json:"tags,omitempty"`
	Created time.Time         `json:"created"`
}

func iamError(op, code, format string, args ...any) error {
	return &cloud.Error{Service: "iam", Operation: op, Code: code, Message: fmt.Sprintf(format, args...)}
}

func (w *world) role(name string) *role {
	// IAM names are case-insensitive for uniqueness.
	return find(w.Roles, func(x *role) bool { return strings.EqualFold(x.Name, name) })
}

// profile finds an instance profile by name (IAM names are
// case-insensitive for uniqueness) or, for "arn:…", by ARN.
func (w *world) profile(nameOrARN string) *instanceProfile {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return find(w.Profiles, func(x *instanceProfile) bool { return x.ARN == nameOrARN })
	}
	return find(w.Profiles, func(x *instanceProfile) bool { return strings.EqualFold(x.Name, nameOrARN) })
}

// roleID is an IAM unique id of a role: a prefix and 17 upper-case letters
// and digits.
func (w *world) roleID() string { return w.iamID("AROA") }

// iamID is an IAM unique id with prefix (AROA a role, AIPA an instance
// profile).
func (w *world) iamID(prefix string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var b strings.Builder
	b.WriteString(prefix)
	for range 17 {
		b.WriteByte(alphabet[w.rand()%uint64(len(alphabet))])
	}
	return b.String()
}

// EnsureTaskExecutionRole finds the role or creates it, then attaches the
// task execution policy if it is not attached.
func (a *Account) EnsureTaskExecutionRole(ctx context.Context, name string, tags cloud.Tags) (string, bool, error) {
	var arn string
	created := false
	err := a.updateCall(ctx, apiCall{"iam", "CreateRole"}, func(w *world, r *region) error {
		if err := cloud.ValidateEnsureRole(name, tags); err != nil {
			return err
		}
		x, made, err := w.ensureServiceRole(name, tags, "ecs-tasks.amazonaws.com", cloud.TaskExecutionTrustPolicy,
			cloud.TaskExecutionPolicyARN, cloud.CodeRoleNotAssumable, "ECS cannot use it as a task execution role")
		if err != nil {
			return err
		}
		arn, created = x.ARN, made
		return nil
	})
	return arn, created, err
}

// ensureServiceRole finds the role or creates it under
// aws.TaskExecutionRolePath trusting principal, then attaches policy if it
// is not attached. A found role principal cannot assume is refused with
// notAssumable.
func (w *world) ensureServiceRole(name string, tags cloud.Tags, principal, trust, policy, notAssumable, use string) (*role, bool, error) {
	x := w.role(name)
	created := false
	if x == nil {
		var err error
		if x, err = w.createRole(name, cloud.TaskExecutionRolePath, trust, tags); err != nil {
			return nil, false, err
		}
		created = true
	} else if !strings.Contains(x.Trust, `"`+principal+`"`) {
		return nil, false, iamError("GetRole", notAssumable,
			"role %s exists but does not trust %s, so %s; choose another role name", name, principal, use)
	}
	if !slices.Contains(x.Policies, policy) {
		x.Policies = append(x.Policies, policy)
	}
	return x, created, nil
}

// EnsureInstanceProfile finds or creates the role (trusting EC2, with the
// ECR read-only policy) and the instance profile of the same name holding
// it, in one step: the account never shows one without the other.
func (a *Account) EnsureInstanceProfile(ctx context.Context, name string, tags cloud.Tags) (string, bool, error) {
	var arn string
	created := false
	err := a.updateCall(ctx, apiCall{"iam", "CreateInstanceProfile"}, func(w *world, r *region) error {
		if err := cloud.ValidateEnsureInstanceProfile(name, tags); err != nil {
			return err
		}
		x, _, err := w.ensureServiceRole(name, tags, "ec2.amazonaws.com", cloud.InstanceRoleTrustPolicy,
			cloud.InstanceRolePolicyARN, cloud.CodeRoleNotAssumableByEC2, "an EC2 instance profile cannot give it to instances")
		if err != nil {
			return err
		}
		ip := w.profile(name)
		if ip == nil {
			ip = &instanceProfile{
				Name: name, Path: cloud.TaskExecutionRolePath, ID: w.iamID("AIPA"),
				ARN:  "arn:aws:iam::" + w.Account + ":instance-profile" + cloud.TaskExecutionRolePath + name,
				Tags: maps.Clone(tags), Created: w.now,
			}
			w.Profiles = append(w.Profiles, ip)
			created = true
		}
		switch {
		case len(ip.Roles) == 0:
			ip.Roles = []string{x.Name}
		case !strings.EqualFold(ip.Roles[0], x.Name):
			return iamError("AddRoleToInstanceProfile", "LimitExceeded",
				"instance profile %s already holds the role %s (a profile holds one role), which deckhand does not change; choose another name", ip.Name, ip.Roles[0])
		}
		arn = ip.ARN
		return nil
	})
	return arn, created, err
}

// DeleteInstanceProfile removes the profile's role, deletes the profile,
// then the role of the same name if it was made with it (it carries the
// profile's deckhand:stack tag; with the profile gone, any), as the SDK
// adapter does; NoSuchEntity when neither exists. Like IAM, it does not
// check whether an instance still uses the profile (that instance loses
// its credentials).
func (a *Account) DeleteInstanceProfile(ctx context.Context, name string) error {
	return a.updateCall(ctx, apiCall{"iam", "DeleteInstanceProfile"}, func(w *world, r *region) error {
		const op = "DeleteInstanceProfile"
		if err := cloud.ValidateInstanceProfileName(op, name); err != nil {
			return err
		}
		ip, x := w.profile(name), w.role(name)
		if x != nil {
			made := x.Tags[cloud.StackTag] != "" && (ip == nil || x.Tags[cloud.StackTag] == ip.Tags[cloud.StackTag])
			if !made {
				x = nil // someone else's role, found by EnsureInstanceProfile: left
			}
		}
		if ip == nil && x == nil {
			return iamError(op, "NoSuchEntity", "Instance Profile %s cannot be found.", name)
		}
		if ip != nil {
			ip.Roles = nil
			if err := w.deleteProfile(op, ip); err != nil {
				return err
			}
		}
		if x != nil {
			return w.dropRole(x)
		}
		return nil
	})
}

// deleteProfile is IAM's DeleteInstanceProfile: refused while the profile
// holds a role.
func (w *world) deleteProfile(op string, ip *instanceProfile) error {
	if len(ip.Roles) > 0 {
		return iamError(op, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	}
	w.Profiles = slices.DeleteFunc(w.Profiles, func(y *instanceProfile) bool { return y == ip })
	return nil
}

// deleteRole is IAM's DeleteRole: refused while an instance profile holds
// the role.
func (w *world) deleteRole(op string, x *role) error {
	for _, ip := range w.Profiles {
		if slices.ContainsFunc(ip.Roles, func(n string) bool { return strings.EqualFold(n, x.Name) }) {
			return iamError(op, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
		}
	}
	w.Roles = slices.DeleteFunc(w.Roles, func(y *role) bool { return y == x })
	return nil
}

func (w *world) createRole(name, path, trust string, tags cloud.Tags) (*role, error) {
	if w.role(name) != nil {
		return nil, iamError("CreateRole", "EntityAlreadyExists", "Role with name %s already exists.", name)
	}
	x := &role{
		Name: name, Path: path, ID: w.roleID(), ARN: "arn:aws:iam::" + w.Account + ":role" + path + name,
		Trust: trust, Tags: maps.Clone(tags), Created: w.now,
	}
	w.Roles = append(w.Roles, x)
	return x, nil
}

// DeleteRole detaches the role's policies, removes it from the instance
// profiles that hold it (as the SDK adapter does) and deletes it.
func (a *Account) DeleteRole(ctx context.Context, name string) error {
	return a.updateCall(ctx, apiCall{"iam", "DeleteRole"}, func(w *world, r *region) error {
		const op = "DeleteRole"
		if err := cloud.ValidateRoleName(op, name); err != nil {
			return err
		}
		x := w.role(name)
		if x == nil {
			return iamError(op, "NoSuchEntity", "The role with name %s cannot be found.", name)
		}
		return w.dropRole(x)
	})
}

// dropRole is what DeleteRole does: detach the policies, remove the role
// from the instance profiles that hold it, delete it.
func (w *world) dropRole(x *role) error {
	x.Policies, x.Inline = nil, nil
	for _, ip := range w.Profiles {
		ip.Roles = slices.DeleteFunc(ip.Roles, func(n string) bool { return strings.EqualFold(n, x.Name) })
	}
	return w.deleteRole("DeleteRole", x)
}
