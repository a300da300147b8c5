package sandbox

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"deckhand/internal/cloud"
)

// The sandbox's ECR (aws.Registry). The registry is the local Docker
// engine: RegistryLogin answers with RegistryAuth.Local, and "pushing" an
// image means tagging it under the repository URI in the local engine,
// where the task runner (runner.go) finds it. The sandbox keeps the
// repositories, not the images, so it never refuses a delete with
// RepositoryNotEmptyException.

// The deploy capabilities are all there, as in the SDK adapter.
var _ cloud.Deployer = (*Account)(nil)

type repository struct {
	Name    string            `json:"name"`
	ARN     string            `json:"arn"`
	URI     string            `json:"uri"`
	Tags    map[string]string `json:"tags,omitempty"`
	Created time.Time         `json:"created"`
}

func ecrError(op, code, format string, args ...any) error {
	return &cloud.Error{Service: "ecr", Operation: op, Code: code, Message: fmt.Sprintf(format, args...)}
}

// registryHost is the account's registry in r.
func (w *world) registryHost(r *region) string {
	return w.Account + ".dkr.ecr." + r.Name + ".amazonaws.com"
}

func (r *region) repository(name string) *repository {
	return find(r.Repositories, func(x *repository) bool { return x.Name == name })
}

func (x *repository) resource() cloud.Repository {
	return cloud.Repository{Name: x.Name, URI: x.URI, ARN: x.ARN, Tags: maps.Clone(x.Tags)}
}

// EnsureRepository finds the repository or creates it with tags.
func (a *Account) EnsureRepository(ctx context.Context, name string, tags cloud.Tags) (cloud.Repository, bool, error) {
	var out cloud.Repository
	created := false
	err := a.updateCall(ctx, apiCall{"ecr", "CreateRepository"}, func(w *world, r *region) error {
		if err := cloud.ValidateEnsureRepository(name, tags); err != nil {
			return err
		}
		x := r.repository(name)
		if x == nil {
			var err error
			if x, err = w.createRepository(r, name, tags); err != nil {
				return err
			}
			created = true
		}
		out = x.resource()
		return nil
	})
	return out, created, err
}

func (w *world) createRepository(r *region, name string, tags cloud.Tags) (*repository, error) {
	if r.repository(name) != nil {
		return nil, ecrError("CreateRepository", "RepositoryAlreadyExistsException",
			"The repository with name '%s' already exists in the registry with id '%s'", name, w.Account)
	}
	x := &repository{
		Name: name, ARN: "arn:aws:ecr:" + r.Name + ":" + w.Account + ":repository/" + name,
		URI: w.registryHost(r) + "/" + name, Tags: maps.Clone(tags), Created: w.now,
	}
	r.Repositories = append(r.Repositories, x)
	return x, nil
}

// DeleteRepository deletes a repository (force makes no difference: the
// images are in the local engine, which the sandbox leaves alone).
func (a *Account) DeleteRepository(ctx context.Context, name string, force bool) error {
	return a.updateCall(ctx, apiCall{"ecr", "DeleteRepository"}, func(w *world, r *region) error {
		const op = "DeleteRepository"
		if err := cloud.ValidateRepositoryName(op, name); err != nil {
			return err
		}
		x := r.repository(name)
		if x == nil {
			return ecrError(op, "RepositoryNotFoundException",
				"The repository with name '%s' does not exist in the registry with id '%s'", name, w.Account)
		}
		r.Repositories = slices.DeleteFunc(r.Repositories, func(y *repository) bool { return y == x })
		return nil
	})
}

// RegistryLogin answers with the local engine as the registry
// (RegistryAuth.Local): no login is needed, and Username and Password are
// placeholders. Like GetAuthorizationToken, it is valid for 12 hours.
func (a *Account) RegistryLogin(ctx context.Context) (cloud.RegistryAuth, error) {
	var out cloud.RegistryAuth
	err := a.viewCall(ctx, apiCall{"ecr", "GetAuthorizationToken"}, func(w *world, r *region) error {
		out = cloud.RegistryAuth{
			Username: "AWS", Password: "sandbox-local-engine", ServerAddress: "https://" + w.registryHost(r),
			ExpiresAt: w.now.Add(12 * time.Hour), Local: true,
		}
		return nil
	})
	return out, err
}
