package aws

import (
	"deckhand/internal/cloud"

	"context"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"

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
func (c *Client) EnsureTaskExecutionRole(ctx context.Context, name string, tags cloud.Tags) (string, bool, error) {
	if c.readonly {
		return "", false, cloud.ErrReadonly
	}
	if err := cloud.ValidateEnsureRole(name, tags); err != nil {
		return "", false, err
	}
	return c.ensureServiceRole(ctx, serviceRole{
		name: name, tags: tags, principal: "ecs-tasks.amazonaws.com", trust: cloud.TaskExecutionTrustPolicy,
		policy: cloud.TaskExecutionPolicyARN, notAssumable: cloud.CodeRoleNotAssumable, use: "ECS cannot use it as a task execution role",
		description: "ECS task execution role (pulls images, writes logs); created by deckhand",
	})
}

// serviceRole is a role an AWS service assumes, as deckhand creates it.
type serviceRole struct {
	name         string
	tags         cloud.Tags
	principal    string // the service that assumes it, e.g. "ec2.amazonaws.com"
	trust        string // the trust policy letting principal assume it
	policy       string // the managed policy it needs
	notAssumable string // the code of a found role principal cannot assume
	use          string // what principal could not do with such a role
	description  string
}

// ensureServiceRole finds the role or creates it under
// TaskExecutionRolePath, then attaches its policy unless it already is. It
// returns the role's ARN and whether it was created.
func (c *Client) ensureServiceRole(ctx context.Context, sr serviceRole) (string, bool, error) {
	name := sr.name
	role, err := c.getRole(ctx, name)
	if err != nil {
		return "", false, err
	}
	created := false
	if role == nil {
		out, err := c.deploy.iam.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 sdkaws.String(name),
			Path:                     sdkaws.String(cloud.TaskExecutionRolePath),
			AssumeRolePolicyDocument: sdkaws.String(sr.trust),
			Description:              sdkaws.String(sr.description),
			Tags:                     iamTags(sr.tags),
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
		return "", false, &cloud.Error{Service: "iam", Operation: "GetRole", Code: "NoSuchEntity", Message: "The role with name " + name + " cannot be found."}
	}
	arn := sdkaws.ToString(role.Arn)
	if !created && !trustsService(sdkaws.ToString(role.AssumeRolePolicyDocument), sr.principal) {
		return arn, false, &cloud.Error{Service: "iam", Operation: "GetRole", Code: sr.notAssumable,
			Message: "role " + name + " exists but does not trust " + sr.principal + ", so " + sr.use + "; choose another role name"}
	}
	attached, err := c.attachedPolicies(ctx, name)
	if err != nil {
		return arn, created, err
	}
	if !slices.Contains(attached, sr.policy) {
		_, err := c.deploy.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{
			RoleName: sdkaws.String(name), PolicyArn: sdkaws.String(sr.policy),
		})
		if err != nil {
			return arn, created, wrap("iam", "AttachRolePolicy", err)
		}
	}
	return arn, created, nil
}

// EnsureInstanceProfile finds or creates the role name (trusting
// ec2.amazonaws.com, with InstanceRolePolicyARN) and then the instance
// profile name holding it, both under TaskExecutionRolePath. See
// InstanceProfiles.
func (c *Client) EnsureInstanceProfile(ctx context.Context, name string, tags cloud.Tags) (string, bool, error) {
	if c.readonly {
		return "", false, cloud.ErrReadonly
	}
	if err := cloud.ValidateEnsureInstanceProfile(name, tags); err != nil {
		return "", false, err
	}
	_, _, err := c.ensureServiceRole(ctx, serviceRole{
		name: name, tags: tags, principal: "ec2.amazonaws.com", trust: cloud.InstanceRoleTrustPolicy,
		policy: cloud.InstanceRolePolicyARN, notAssumable: cloud.CodeRoleNotAssumableByEC2, use: "an EC2 instance profile cannot give it to instances",
		description: "EC2 instance role (logs in to ECR, pulls images); created by deckhand",
	})
	if err != nil {
		return "", false, err
	}
	profile, err := c.getInstanceProfile(ctx, name)
	if err != nil {
		return "", false, err
	}
	created := false
	if profile == nil {
		out, err := c.deploy.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{
			InstanceProfileName: sdkaws.String(name),
			Path:                sdkaws.String(cloud.TaskExecutionRolePath),
			Tags:                iamTags(tags),
		})
		switch {
		case hasCode(err, "EntityAlreadyExists"):
			if profile, err = c.getInstanceProfile(ctx, name); err != nil {
				return "", false, err
			}
		case err != nil:
			return "", false, wrap("iam", "CreateInstanceProfile", err)
		default:
			profile, created = out.InstanceProfile, true
		}
	}
	if profile == nil {
		return "", false, &cloud.Error{Service: "iam", Operation: "GetInstanceProfile", Code: "NoSuchEntity", Message: "Instance Profile " + name + " cannot be found."}
	}
	arn := sdkaws.ToString(profile.Arn)
	switch {
	case len(profile.Roles) == 0:
		_, err := c.deploy.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{
			InstanceProfileName: sdkaws.String(name), RoleName: sdkaws.String(name),
		})
		if err != nil {
			return arn, created, wrap("iam", "AddRoleToInstanceProfile", err)
		}
	case !strings.EqualFold(sdkaws.ToString(profile.Roles[0].RoleName), name):
		return arn, created, &cloud.Error{Service: "iam", Operation: "AddRoleToInstanceProfile", Code: "LimitExceeded",
			Message: "instance profile " + name + " already holds the role " + sdkaws.ToString(profile.Roles[0].RoleName) +
				" (a profile holds one role), which deckhand does not change; choose another name"}
	}
	return arn, created, nil
}

// getInstanceProfile returns the profile, or nil when there is none of
// that name.
func (c *Client) getInstanceProfile(ctx context.Context, name string) (*iamtypes.InstanceProfile, error) {
	out, err := c.deploy.iam.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: sdkaws.String(name)})
	if hasCode(err, "NoSuchEntity") {
		return nil, nil
	}
	if err != nil {
		return nil, wrap("iam", "GetInstanceProfile", err)
	}
	return out.InstanceProfile, nil
}

// DeleteInstanceProfile removes the profile's roles, deletes it, then
// deletes the role of the same name with DeleteRole when that role was made
// with it (it carries the profile's StackTag value; with the profile
// already gone, any StackTag): a role someone else made and
// EnsureInstanceProfile found is left. NoSuchEntity when neither exists.
func (c *Client) DeleteInstanceProfile(ctx context.Context, name string) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateInstanceProfileName("DeleteInstanceProfile", name); err != nil {
		return err
	}
	profile, err := c.getInstanceProfile(ctx, name)
	if err != nil {
		return err
	}
	if profile != nil {
		for _, r := range profile.Roles {
			_, err := c.deploy.iam.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{
				InstanceProfileName: sdkaws.String(name), RoleName: r.RoleName,
			})
			if err != nil && !hasCode(err, "NoSuchEntity") {
				return wrap("iam", "RemoveRoleFromInstanceProfile", err)
			}
		}
		_, err := c.deploy.iam.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: sdkaws.String(name)})
		if err != nil && !hasCode(err, "NoSuchEntity") {
			return wrap("iam", "DeleteInstanceProfile", err)
		}
	}
	gone := &cloud.Error{Service: "iam", Operation: "DeleteInstanceProfile", Code: "NoSuchEntity", Message: "Instance Profile " + name + " cannot be found."}
	rt, err := c.deploy.iam.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: sdkaws.String(name)})
	switch {
	case hasCode(err, "NoSuchEntity") && profile != nil:
		return nil // the profile was there; its role was already gone
	case hasCode(err, "NoSuchEntity"):
		return gone
	case err != nil:
		return wrap("iam", "ListRoleTags", err)
	}
	roleStack := tagValue(rt.Tags, cloud.StackTag)
	if roleStack == "" || (profile != nil && roleStack != tagValue(profile.Tags, cloud.StackTag)) {
		if profile == nil {
			return gone
		}
		return nil // not made with the profile: left as it is
	}
	err = c.DeleteRole(ctx, name)
	if cloud.IsNotFound(err) {
		if profile != nil {
			return nil
		}
		return gone
	}
	return err
}

// tagValue is the value of key among IAM tags, "" when absent.
func tagValue(tags []iamtypes.Tag, key string) string {
	for _, t := range tags {
		if sdkaws.ToString(t.Key) == key {
			return sdkaws.ToString(t.Value)
		}
	}
	return ""
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
func trustsECSTasks(doc string) bool { return trustsService(doc, "ecs-tasks.amazonaws.com") }

// trustsService reports whether a trust policy (as IAM returns it,
// URL-encoded JSON) lets the service principal assume the role.
func trustsService(doc, principal string) bool {
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
		if st.Effect == "Allow" && slices.Contains(st.Principal.Service, principal) &&
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
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateRoleName("DeleteRole", name); err != nil {
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

func iamTags(tags cloud.Tags) []iamtypes.Tag {
	out := make([]iamtypes.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, iamtypes.Tag{Key: sdkaws.String(k), Value: sdkaws.String(tags[k])})
	}
	return out
}
