package aws

import (
	"context"
	"encoding/json"
	"maps"
	"net/url"
	"slices"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// IAM: the Roles capability.

// EnsureTaskExecutionRole finds the role (GetRole) or creates it under
// TaskExecutionRolePath with TaskExecutionTrustPolicy and tags, then
// attaches TaskExecutionPolicyARN unless it already is. A found role must
// trust ecs-tasks.amazonaws.com (else CodeRoleNotAssumable); its tags are
// left alone.
func (c *Client) EnsureTaskExecutionRole(ctx context.Context, name string, tags Tags) (string, bool, error) {
	if c.readonly {
		return "", false, ErrReadonly
	}
	if err := ValidateEnsureRole(name, tags); err != nil {
		return "", false, err
	}
	role, err := c.getRole(ctx, name)
	if err != nil {
		return "", false, err
	}
	created := false
	if role == nil {
		out, err := c.deploy.iam.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 sdkaws.String(name),
			Path:                     sdkaws.String(TaskExecutionRolePath),
			AssumeRolePolicyDocument: sdkaws.String(TaskExecutionTrustPolicy),
			Description:              sdkaws.String("ECS task execution role (pulls images, writes logs); created by deckhand"),
			Tags:                     iamTags(tags),
		})
		switch {
		case hasCode(err, "EntityAlreadyExists"):
			if role, err = c.getRole(ctx, name); err != nil {
				return "", false, err
			}
		case err != nil:
			return "", false, wrap("iam", "CreateRole", err)
		default:
			role, created = out.Role, true
		}
	}
	if role == nil {
		return "", false, &Error{Service: "iam", Operation: "GetRole", Code: "NoSuchEntity", Message: "The role with name " + name + " cannot be found."}
	}
	arn := sdkaws.ToString(role.Arn)
	if !created && !trustsECSTasks(sdkaws.ToString(role.AssumeRolePolicyDocument)) {
		return arn, false, &Error{Service: "iam", Operation: "GetRole", Code: CodeRoleNotAssumable,
			Message: "role " + name + " exists but does not trust ecs-tasks.amazonaws.com, so ECS cannot use it as a task execution role; choose another role name"}
	}
	attached, err := c.attachedPolicies(ctx, name)
	if err != nil {
		return arn, created, err
	}
	if !slices.Contains(attached, TaskExecutionPolicyARN) {
		_, err := c.deploy.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{
			RoleName: sdkaws.String(name), PolicyArn: sdkaws.String(TaskExecutionPolicyARN),
		})
		if err != nil {
			return arn, created, wrap("iam", "AttachRolePolicy", err)
		}
	}
	return arn, created, nil
}

// getRole returns the role, or nil when there is none of that name.
func (c *Client) getRole(ctx context.Context, name string) (*iamtypes.Role, error) {
	out, err := c.deploy.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String(name)})
	if hasCode(err, "NoSuchEntity") {
		return nil, nil
	}
	if err != nil {
		return nil, wrap("iam", "GetRole", err)
	}
	return out.Role, nil
}

func (c *Client) attachedPolicies(ctx context.Context, role string) ([]string, error) {
	var arns []string
	p := iam.NewListAttachedRolePoliciesPaginator(c.deploy.iam, &iam.ListAttachedRolePoliciesInput{RoleName: sdkaws.String(role)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("iam", "ListAttachedRolePolicies", err)
		}
		for _, a := range out.AttachedPolicies {
			arns = append(arns, sdkaws.ToString(a.PolicyArn))
		}
	}
	return arns, nil
}

// trustsECSTasks reports whether a trust policy (as IAM returns it,
// URL-encoded JSON) lets ecs-tasks.amazonaws.com assume the role.
func trustsECSTasks(doc string) bool {
	if s, err := url.QueryUnescape(doc); err == nil {
		doc = s
	}
	var p struct {
		Statement oneOrMany[struct {
			Effect    string
			Principal struct{ Service oneOrMany[string] }
			Action    oneOrMany[string]
		}]
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	for _, st := range p.Statement {
		if st.Effect == "Allow" && slices.Contains(st.Principal.Service, "ecs-tasks.amazonaws.com") &&
			(slices.Contains(st.Action, "sts:AssumeRole") || slices.Contains(st.Action, "sts:*") || slices.Contains(st.Action, "*")) {
			return true
		}
	}
	return false
}

// oneOrMany is a policy element that may be a value or a list of them.
type oneOrMany[T any] []T

func (o *oneOrMany[T]) UnmarshalJSON(b []byte) error {
	var many []T
	if err := json.Unmarshal(b, &many); err == nil {
		*o = many
		return nil
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*o = []T{one}
	return nil
}

// DeleteRole detaches the role's managed policies, deletes its inline
// policies and removes it from instance profiles, then deletes it.
func (c *Client) DeleteRole(ctx context.Context, name string) error {
	if c.readonly {
		return ErrReadonly
	}
	if err := ValidateRoleName("DeleteRole", name); err != nil {
		return err
	}
	attached, err := c.attachedPolicies(ctx, name)
	if err != nil {
		return err
	}
	for _, arn := range attached {
		_, err := c.deploy.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: sdkaws.String(name), PolicyArn: sdkaws.String(arn)})
		if err != nil && !hasCode(err, "NoSuchEntity") {
			return wrap("iam", "DetachRolePolicy", err)
		}
	}
	inline := iam.NewListRolePoliciesPaginator(c.deploy.iam, &iam.ListRolePoliciesInput{RoleName: sdkaws.String(name)})
	for inline.HasMorePages() {
		out, err := inline.NextPage(ctx)
		if err != nil {
			return wrap("iam", "ListRolePolicies", err)
		}
		for _, p := range out.PolicyNames {
			_, err := c.deploy.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: sdkaws.String(name), PolicyName: sdkaws.String(p)})
			if err != nil && !hasCode(err, "NoSuchEntity") {
				return wrap("iam", "DeleteRolePolicy", err)
			}
		}
	}
	profiles := iam.NewListInstanceProfilesForRolePaginator(c.deploy.iam, &iam.ListInstanceProfilesForRoleInput{RoleName: sdkaws.String(name)})
	for profiles.HasMorePages() {
		out, err := profiles.NextPage(ctx)
		if err != nil {
			return wrap("iam", "ListInstanceProfilesForRole", err)
		}
		for _, p := range out.InstanceProfiles {
			_, err := c.deploy.iam.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{
				RoleName: sdkaws.String(name), InstanceProfileName: p.InstanceProfileName,
			})
			if err != nil && !hasCode(err, "NoSuchEntity") {
				return wrap("iam", "RemoveRoleFromInstanceProfile", err)
			}
		}
	}
	_, err = c.deploy.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: sdkaws.String(name)})
	return wrap("iam", "DeleteRole", err)
}

func iamTags(tags Tags) []iamtypes.Tag {
	out := make([]iamtypes.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, iamtypes.Tag{Key: sdkaws.String(k), Value: sdkaws.String(tags[k])})
	}
	return out
}
