package aws

import (
	"deckhand/internal/cloud"

	"context"
	"encoding/base64"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"
)

// ECR: the Registry capability.

// EnsureRepository finds the repository (DescribeRepositories) or creates
// it with tags, mutable image tags and scan on push. A repository created
// by someone else between the two calls is found, not an error.
func (c *Client) EnsureRepository(ctx context.Context, name string, tags cloud.Tags) (cloud.Repository, bool, error) {
	if c.readonly {
		return cloud.Repository{}, false, cloud.ErrReadonly
	}
	if err := cloud.ValidateEnsureRepository(name, tags); err != nil {
		return cloud.Repository{}, false, err
	}
	repo, found, err := c.findRepository(ctx, name)
	if err != nil || found {
		return repo, false, err
	}
	out, err := c.deploy.ecr.CreateRepository(ctx, &ecr.CreateRepositoryInput{
		RepositoryName:             sdkaws.String(name),
		ImageTagMutability:         ecrtypes.ImageTagMutabilityMutable,
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true},
		Tags:                       ecrTags(tags),
	})
	if hasCode(err, "RepositoryAlreadyExistsException") {
		repo, _, err := c.findRepository(ctx, name)
		return repo, false, err
	}
	if err != nil {
		return cloud.Repository{}, false, wrap("ecr", "CreateRepository", err)
	}
	if out.Repository == nil {
		return cloud.Repository{}, false, &cloud.Error{Service: "ecr", Operation: "CreateRepository", Message: "ECR returned no repository"}
	}
	repo = toRepository(*out.Repository)
	repo.Tags = maps.Clone(tags)
	return repo, true, nil
}

// findRepository describes one repository and reads its tags; found is
// false when it does not exist.
func (c *Client) findRepository(ctx context.Context, name string) (cloud.Repository, bool, error) {
	out, err := c.deploy.ecr.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
	if hasCode(err, "RepositoryNotFoundException") {
		return cloud.Repository{}, false, nil
	}
	if err != nil {
		return cloud.Repository{}, false, wrap("ecr", "DescribeRepositories", err)
	}
	if len(out.Repositories) == 0 {
		return cloud.Repository{}, false, nil
	}
	repo := toRepository(out.Repositories[0])
	tags, err := c.deploy.ecr.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: sdkaws.String(repo.ARN)})
	if err != nil {
		return cloud.Repository{}, false, wrap("ecr", "ListTagsForResource", err)
	}
	repo.Tags = cloud.Tags{}
	for _, t := range tags.Tags {
		repo.Tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
	}
	return repo, true, nil
}

func toRepository(r ecrtypes.Repository) cloud.Repository {
	return cloud.Repository{
		Name: sdkaws.ToString(r.RepositoryName),
		URI:  sdkaws.ToString(r.RepositoryUri),
		ARN:  sdkaws.ToString(r.RepositoryArn),
	}
}

// DeleteRepository deletes a repository; with force, its images too.
func (c *Client) DeleteRepository(ctx context.Context, name string, force bool) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateRepositoryName("DeleteRepository", name); err != nil {
		return err
	}
	_, err := c.deploy.ecr.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{
		RepositoryName: sdkaws.String(name), Force: force,
	})
	return wrap("ecr", "DeleteRepository", err)
}

// RegistryLogin gets a registry credential from GetAuthorizationToken: the
// token is base64 of "AWS:PASSWORD", valid for 12 hours. It is a read: a
// read-only deckhand may log in (pushing is what changes the account).
func (c *Client) RegistryLogin(ctx context.Context) (cloud.RegistryAuth, error) {
	out, err := c.deploy.ecr.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return cloud.RegistryAuth{}, wrap("ecr", "GetAuthorizationToken", err)
	}
	if len(out.AuthorizationData) == 0 {
		return cloud.RegistryAuth{}, &cloud.Error{Service: "ecr", Operation: "GetAuthorizationToken", Message: "ECR returned no authorization data"}
	}
	d := out.AuthorizationData[0]
	return decodeRegistryAuth(sdkaws.ToString(d.AuthorizationToken), sdkaws.ToString(d.ProxyEndpoint), sdkaws.ToTime(d.ExpiresAt))
}

func decodeRegistryAuth(token, endpoint string, expires time.Time) (cloud.RegistryAuth, error) {
	bad := &cloud.Error{Service: "ecr", Operation: "GetAuthorizationToken", Message: "ECR returned an authorization token that is not base64 of USER:PASSWORD"}
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return cloud.RegistryAuth{}, bad // never echo the token
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || pass == "" {
		return cloud.RegistryAuth{}, bad
	}
	return cloud.RegistryAuth{Username: user, Password: pass, ServerAddress: endpoint, ExpiresAt: expires}, nil
}

// ecrTags converts tags, sorted by key so requests are reproducible.
func ecrTags(tags cloud.Tags) []ecrtypes.Tag {
	out := make([]ecrtypes.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, ecrtypes.Tag{Key: sdkaws.String(k), Value: sdkaws.String(tags[k])})
	}
	return out
}

// hasCode reports whether err is an AWS API error with that code.
func hasCode(err error, code string) bool {
	var api smithy.APIError
	return err != nil && errors.As(err, &api) && api.ErrorCode() == code
}
