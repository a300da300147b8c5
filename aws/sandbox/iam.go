package sandbox

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"deckhand/aws"
)

// The sandbox's IAM (aws.Roles). IAM is global: roles live in the state, not
// in a region. The sandbox knows one managed policy,
// aws.TaskExecutionPolicyARN; IAM's eventual consistency is not simulated
// (a new role is usable at once).

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

func iamError(op, code, format string, args ...any) error {
	return &aws.Error{Service: "iam", Operation: op, Code: code, Message: fmt.Sprintf(format, args...)}
}

func (w *world) role(name string) *role {
	// IAM names are case-insensitive for uniqueness.
	return find(w.Roles, func(x *role) bool { return strings.EqualFold(x.Name, name) })
}

// roleID is an IAM unique id: a prefix and 17 upper-case letters and
// digits.
func (w *world) roleID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var b strings.Builder
	b.WriteString("AROA")
	for range 17 {
		b.WriteByte(alphabet[w.rand()%uint64(len(alphabet))])
	}
	return b.String()
}

// EnsureTaskExecutionRole finds the role or creates it, then attaches the
// task execution policy if it is not attached.
func (a *Account) EnsureTaskExecutionRole(ctx context.Context, name string, tags aws.Tags) (string, bool, error) {
	var arn string
	created := false
	err := a.update(ctx, func(w *world, r *region) error {
		if err := aws.ValidateEnsureRole(name, tags); err != nil {
			return err
		}
		x := w.role(name)
		if x == nil {
			var err error
			if x, err = w.createRole(name, aws.TaskExecutionRolePath, aws.TaskExecutionTrustPolicy, tags); err != nil {
				return err
			}
			created = true
		} else if !strings.Contains(x.Trust, `"ecs-tasks.amazonaws.com"`) {
			return iamError("GetRole", aws.CodeRoleNotAssumable,
				"role %s exists but does not trust ecs-tasks.amazonaws.com, so ECS cannot use it as a task execution role; choose another role name", name)
		}
		if !slices.Contains(x.Policies, aws.TaskExecutionPolicyARN) {
			x.Policies = append(x.Policies, aws.TaskExecutionPolicyARN)
		}
		arn = x.ARN
		return nil
	})
	return arn, created, err
}

func (w *world) createRole(name, path, trust string, tags aws.Tags) (*role, error) {
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

// DeleteRole detaches the role's policies and deletes it.
func (a *Account) DeleteRole(ctx context.Context, name string) error {
	return a.update(ctx, func(w *world, r *region) error {
		const op = "DeleteRole"
		if err := aws.ValidateRoleName(op, name); err != nil {
			return err
		}
		x := w.role(name)
		if x == nil {
			return iamError(op, "NoSuchEntity", "The role with name %s cannot be found.", name)
		}
		w.Roles = slices.DeleteFunc(w.Roles, func(y *role) bool { return y == x })
		return nil
	})
}
