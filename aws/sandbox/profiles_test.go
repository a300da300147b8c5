package sandbox

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// TestInstanceProfiles: the role and the instance profile are created once,
// found again (after a reopen too), hold what IAM would hold; an instance
// launched with the profile carries it and an unknown profile gets EC2's
// answer; the stack lists the profile before its role; the delete leaves
// nothing.
func TestInstanceProfiles(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	path := filepath.Join(t.TempDir(), "sandbox.json")
	a, err := Open(Options{Path: path, Clock: clk})
	mustNil(t, err)
	ids := lookup(t, a)
	tags := cloud.StackTags("prof", map[string]string{"team": "deck"})

	arn, created, err := a.EnsureInstanceProfile(ctx, "prof-ec2", tags)
	if err != nil || !created || arn != "arn:aws:iam::"+AccountID+":instance-profile/deckhand/prof-ec2" {
		t.Fatalf("EnsureInstanceProfile = %q, %v, %v", arn, created, err)
	}
	b, err := Open(Options{Path: path, Clock: clk})
	mustNil(t, err)
	if again, created, err := b.EnsureInstanceProfile(ctx, "prof-ec2", map[string]string{"other": "tags"}); err != nil || created || again != arn {
		t.Errorf("EnsureInstanceProfile after reopen = %q, %v, %v; want found", again, created, err)
	}
	mustNil(t, b.view(ctx, func(w *world, r *region) error {
		x, ip := w.role("prof-ec2"), w.profile("prof-ec2")
		if x == nil || ip == nil {
			t.Fatalf("role %v, profile %v", x, ip)
		}
		if x.Path != "/deckhand/" || x.Trust != cloud.InstanceRoleTrustPolicy || !slices.Equal(x.Policies, []string{cloud.InstanceRolePolicyARN}) ||
			!maps.Equal(x.Tags, tags) {
			t.Errorf("role = %+v", x)
		}
		if ip.Path != "/deckhand/" || !slices.Equal(ip.Roles, []string{"prof-ec2"}) || !maps.Equal(ip.Tags, tags) || !strings.HasPrefix(ip.ID, "AIPA") {
			t.Errorf("profile = %+v", ip)
		}
		if w.profile(arn) != ip || w.profile("PROF-EC2") != ip {
			t.Error("the profile is not found by its ARN or by its name in another case")
		}
		return nil
	}))

	// Launches: by name and by ARN the instance carries the profile; an
	// unknown one is EC2's InvalidParameterValue, and nothing is launched.
	for _, ref := range []string{"prof-ec2", arn} {
		in, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "prof", ImageID: ids.ami, InstanceType: "t3.micro", IAMInstanceProfile: ref})
		if err != nil || in.IAMInstanceProfile != arn {
			t.Errorf("RunInstance with %s = %+v, %v", ref, in, err)
		}
	}
	before, err := a.Instances(ctx)
	mustNil(t, err)
	for ref, want := range map[string]string{
		"nope": "Value (nope) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
		"arn:aws:iam::000000000000:instance-profile/nope": "Value (arn:aws:iam::000000000000:instance-profile/nope) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN",
	} {
		_, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "prof", ImageID: ids.ami, InstanceType: "t3.micro", IAMInstanceProfile: ref})
		var e *cloud.Error
		if !errors.As(err, &e) || e.Service != "ec2" || e.Operation != "RunInstances" || e.Code != "InvalidParameterValue" || e.Message != want {
			t.Errorf("RunInstance with the unknown profile %s: %v", ref, err)
		}
	}
	after, err := a.Instances(ctx)
	mustNil(t, err)
	if len(after) != len(before) {
		t.Errorf("refused launches made instances: %d → %d", len(before), len(after))
	}

	// The stack: the profile before its role (and after the instances).
	rs, err := a.StackResources(ctx, "prof")
	mustNil(t, err)
	var got []string
	for _, r := range rs {
		got = append(got, r.Type+" "+r.ID)
	}
	if !slices.Equal(got, []string{"iam:instance-profile prof-ec2", "iam:role prof-ec2"}) || rs[0].ARN != arn {
		t.Errorf("StackResources = %v", rs)
	}

	// Delete: both go, and the instances keep running (as on AWS, which
	// does not check them; they lose their credentials).
	mustNil(t, a.DeleteInstanceProfile(ctx, "prof-ec2"))
	mustNil(t, a.view(ctx, func(w *world, r *region) error {
		if w.role("prof-ec2") != nil || w.profile("prof-ec2") != nil {
			t.Error("the role or the profile is left")
		}
		return nil
	}))
	if rs, err := a.StackResources(ctx, "prof"); err != nil || len(rs) != 0 {
		t.Errorf("after the delete StackResources = %v, %v", rs, err)
	}
	err = a.DeleteInstanceProfile(ctx, "prof-ec2")
	if awsCode(err) != "NoSuchEntity" || !cloud.IsNotFound(err) {
		t.Errorf("deleting it again: %v, want NoSuchEntity", err)
	}
	clk.Advance(time.Minute)
	ins, err := a.Instances(ctx)
	mustNil(t, err)
	if i := slices.IndexFunc(ins, func(in resource.Instance) bool { return in.IAMInstanceProfile == arn }); i < 0 || ins[i].State != "running" {
		t.Errorf("the instances launched with the deleted profile: %+v", ins)
	}
}

// TestInstanceProfileErrorCodes: AWS's codes, including those the
// find-or-create calls never meet (checked on the internal calls).
func TestInstanceProfileErrorCodes(t *testing.T) {
	ctx := context.Background()
	a := open(t, newClock())
	_, _, err := a.EnsureInstanceProfile(ctx, "held", nil)
	mustNil(t, err)
	internal := func(f func(w *world, r *region) error) error { return a.update(ctx, f) }
	cases := []struct {
		name, service, op, code string
		err                     error
	}{
		{"profile that holds its role", "iam", "DeleteInstanceProfile", "DeleteConflict", internal(func(w *world, r *region) error {
			return w.deleteProfile("DeleteInstanceProfile", w.profile("held"))
		})},
		{"role in a profile", "iam", "DeleteRole", "DeleteConflict", internal(func(w *world, r *region) error {
			return w.deleteRole("DeleteRole", w.role("held"))
		})},
		{"role twice", "iam", "CreateRole", "EntityAlreadyExists", internal(func(w *world, r *region) error {
			_, err := w.createRole("HELD", "/", "{}", nil)
			return err
		})},
		{"unknown profile", "iam", "DeleteInstanceProfile", "NoSuchEntity", a.DeleteInstanceProfile(ctx, "nope")},
		{"role EC2 cannot assume", "iam", "GetRole", cloud.CodeRoleNotAssumableByEC2, func() error {
			_, _, err := a.EnsureTaskExecutionRole(ctx, "ecs-role", nil)
			mustNil(t, err)
			_, _, err = a.EnsureInstanceProfile(ctx, "ecs-role", nil)
			return err
		}()},
		{"profile holding another role", "iam", "AddRoleToInstanceProfile", "LimitExceeded", func() error {
			mustNil(t, internal(func(w *world, r *region) error {
				w.profile("held").Roles = []string{"someone-else"}
				return nil
			}))
			_, _, err := a.EnsureInstanceProfile(ctx, "held", nil)
			return err
		}()},
		{"invalid name", "iam", "CreateInstanceProfile", "ValidationError", func() error {
			_, _, err := a.EnsureInstanceProfile(ctx, "my profile", nil)
			return err
		}()},
	}
	for _, c := range cases {
		var e *cloud.Error
		if !errors.As(c.err, &e) || e.Service != c.service || e.Operation != c.op || e.Code != c.code {
			t.Errorf("%s: %v, want %s:%s %s", c.name, c.err, c.service, c.op, c.code)
		}
	}
	// The refused calls changed nothing: no profile for the ECS role.
	mustNil(t, a.view(ctx, func(w *world, r *region) error {
		if w.profile("ecs-role") != nil || w.profile("held") == nil || w.role("held") == nil {
			t.Error("a refused call changed the account")
		}
		return nil
	}))
	// DeleteRole takes the role out of the profile that holds it, as the
	// SDK adapter does.
	mustNil(t, a.DeleteRole(ctx, "held"))
	mustNil(t, a.view(ctx, func(w *world, r *region) error {
		if ip := w.profile("held"); ip == nil || slices.Contains(ip.Roles, "held") {
			t.Errorf("profile after DeleteRole = %+v", ip)
		}
		return nil
	}))
	// The profile is still there without the role: DeleteInstanceProfile
	// removes it.
	mustNil(t, a.DeleteInstanceProfile(ctx, "held"))

	// Someone's role that EC2 may assume is found and put in a new
	// profile; deleting the profile leaves their role.
	mustNil(t, internal(func(w *world, r *region) error {
		_, err := w.createRole("theirs", "/", cloud.InstanceRoleTrustPolicy, nil)
		return err
	}))
	if _, created, err := a.EnsureInstanceProfile(ctx, "theirs", cloud.StackTags("prof", nil)); err != nil || !created {
		t.Fatalf("EnsureInstanceProfile with their role = %v, %v", created, err)
	}
	mustNil(t, a.DeleteInstanceProfile(ctx, "theirs"))
	mustNil(t, a.view(ctx, func(w *world, r *region) error {
		if w.profile("theirs") != nil || w.role("theirs") == nil {
			t.Errorf("after the delete: profile %v, role %v; want their role only", w.profile("theirs"), w.role("theirs"))
		}
		return nil
	}))
	if err := a.DeleteInstanceProfile(ctx, "theirs"); awsCode(err) != "NoSuchEntity" {
		t.Errorf("deleting it again (their role stays) = %v, want NoSuchEntity", err)
	}
}
