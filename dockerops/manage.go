package dockerops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"deckhand/internal/resource"

	"github.com/moby/moby/client"
)

// Restart stops and starts a container, as `docker restart -t N`.
func (e *Engine) Restart(ctx context.Context, id string, timeout time.Duration) error {
	if e.readOnly {
		return ErrReadOnly
	}
	var opts client.ContainerRestartOptions
	if timeout >= 0 {
		secs := int((timeout + time.Second - 1) / time.Second)
		opts.Timeout = &secs
	}
	if _, err := e.cli.ContainerRestart(ctx, id, opts); err != nil {
		return fmt.Errorf("docker restart %s: %w", short(id), e.explain(err))
	}
	return nil
}

// InUseError says why an image, volume or network was not removed: these
// containers use it.
type InUseError struct {
	What       string // "image deckhand/x:1"
	Containers []string
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("%s is in use by %s", e.What, strings.Join(e.Containers, ", "))
}

// DeleteImage removes one repo:tag (or a dangling image by ID). Without
// force an image any container uses, running or not, is refused with an
// *InUseError naming them, before asking the engine (whose own refusal
// names one container by ID only). With force it is `docker rmi -f`: the
// tag goes even if stopped containers use the image; the engine still
// refuses while a running container does.
func (e *Engine) DeleteImage(ctx context.Context, ref string, force bool) error {
	if e.readOnly {
		return ErrReadOnly
	}
	if !force {
		in, err := e.cli.ImageInspect(ctx, ref)
		if err != nil {
			return fmt.Errorf("docker rmi %s: %w", short(ref), e.explain(err))
		}
		set, err := e.Objects(ctx)
		if err != nil {
			return fmt.Errorf("docker rmi %s: %w", short(ref), err)
		}
		for _, im := range set.Images {
			if im.ID == in.ID && len(im.Containers) > 0 {
				return fmt.Errorf("docker rmi %s: %w", short(ref), &InUseError{What: "image " + ref, Containers: im.Containers})
			}
		}
	}
	if _, err := e.cli.ImageRemove(ctx, ref, client.ImageRemoveOptions{Force: force, PruneChildren: true}); err != nil {
		return fmt.Errorf("docker rmi %s: %w", short(ref), e.explain(err))
	}
	return nil
}

// PruneReport is what a prune removed.
type PruneReport struct {
	Removed   []string // image IDs (deleted) or tags (untagged)
	Reclaimed uint64   // bytes
}

// PruneDangling removes the dangling images no container uses, as `docker
// image prune`. With labels ("key" or "key=value") only images carrying
// them are pruned (docker image prune --filter label=…).
func (e *Engine) PruneDangling(ctx context.Context, labels ...string) (PruneReport, error) {
	if e.readOnly {
		return PruneReport{}, ErrReadOnly
	}
	f := make(client.Filters).Add("dangling", "true")
	if len(labels) > 0 {
		f = f.Add("label", labels...)
	}
	res, err := e.cli.ImagePrune(ctx, client.ImagePruneOptions{Filters: f})
	if err != nil {
		return PruneReport{}, fmt.Errorf("docker image prune: %w", e.explain(err))
	}
	var r PruneReport
	for _, d := range res.Report.ImagesDeleted {
		r.Removed = append(r.Removed, d.Deleted+d.Untagged)
	}
	r.Reclaimed = res.Report.SpaceReclaimed
	return r, nil
}

// PruneOldTags removes every tag of repository except keep that no
// container (in any state) uses and that was built more than minAge ago:
// deckhand's own deckhand/elb-proxy:<hash> images, one per deckhand build,
// which nothing else would remove. minAge spares the image of another
// deckhand build running at the same time, which may be about to start a
// proxy from the image it just built. It returns the refs removed; a tag
// that fails to go is skipped and the errors returned after trying the
// rest.
func (e *Engine) PruneOldTags(ctx context.Context, repository, keep string, minAge time.Duration) ([]string, error) {
	if e.readOnly {
		return nil, ErrReadOnly
	}
	set, err := e.Objects(ctx)
	if err != nil {
		return nil, err
	}
	if err := set.Failed[resource.KindImage]; err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, im := range set.Images {
		if im.Repository != repository || im.Tag == keep || len(im.Containers) > 0 || time.Since(im.Created) < minAge {
			continue
		}
		ref := im.Ref()
		if _, err := e.cli.ImageRemove(ctx, ref, client.ImageRemoveOptions{PruneChildren: true}); err != nil {
			errs = append(errs, fmt.Errorf("docker rmi %s: %w", ref, e.explain(err)))
			continue
		}
		removed = append(removed, ref)
	}
	return removed, errors.Join(errs...)
}

// RemoveVolume removes a volume the engine considers unused (`docker
// volume rm`); one a container mounts is refused by the engine.
func (e *Engine) RemoveVolume(ctx context.Context, name string) error {
	if e.readOnly {
		return ErrReadOnly
	}
	if _, err := e.cli.VolumeRemove(ctx, name, client.VolumeRemoveOptions{}); err != nil {
		return fmt.Errorf("docker volume rm %s: %w", short(name), e.explain(err))
	}
	return nil
}

// RemoveNetwork removes a network no container is attached to (`docker
// network rm`).
func (e *Engine) RemoveNetwork(ctx context.Context, id string) error {
	if e.readOnly {
		return ErrReadOnly
	}
	if _, err := e.cli.NetworkRemove(ctx, id, client.NetworkRemoveOptions{}); err != nil {
		return fmt.Errorf("docker network rm %s: %w", short(id), e.explain(err))
	}
	return nil
}

// ProjectAction starts, stops or restarts every container of a compose
// project (verb "start", "stop" or "restart"), as `docker compose -p NAME
// VERB` does for the containers that exist. It goes on after a failure
// and returns every error.
func (e *Engine) ProjectAction(ctx context.Context, project, verb string, timeout time.Duration) error {
	if e.readOnly {
		return ErrReadOnly
	}
	res, err := e.cli.ContainerList(ctx, client.ContainerListOptions{
		All: true, Filters: make(client.Filters).Add("label", resource.ComposeProjectLabel+"="+project),
	})
	if err != nil {
		return fmt.Errorf("docker compose -p %s %s: %w", project, verb, e.explain(err))
	}
	if len(res.Items) == 0 {
		return fmt.Errorf("docker compose -p %s %s: the project has no containers", project, verb)
	}
	var errs []error
	for _, c := range res.Items {
		switch verb {
		case "start":
			err = e.Start(ctx, c.ID)
		case "stop":
			err = e.Stop(ctx, c.ID, timeout)
		case "restart":
			err = e.Restart(ctx, c.ID, timeout)
		default:
			return fmt.Errorf("docker compose: unknown action %q", verb)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Inspect returns the engine's JSON for a container, image, volume or
// network (kind "docker", "image", "volume", "network"), indented as
// `docker inspect` prints it.
func (e *Engine) Inspect(ctx context.Context, kind resource.Kind, id string) (string, error) {
	var raw json.RawMessage
	var err error
	switch kind {
	case resource.KindDocker:
		var r client.ContainerInspectResult
		r, err = e.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
		raw = r.Raw
	case resource.KindImage:
		var buf bytes.Buffer
		_, err = e.cli.ImageInspect(ctx, id, client.ImageInspectWithRawResponse(&buf))
		raw = buf.Bytes()
	case resource.KindVolume:
		var r client.VolumeInspectResult
		r, err = e.cli.VolumeInspect(ctx, id, client.VolumeInspectOptions{})
		raw = r.Raw
	case resource.KindNetwork:
		var r client.NetworkInspectResult
		r, err = e.cli.NetworkInspect(ctx, id, client.NetworkInspectOptions{})
		raw = r.Raw
	default:
		return "", fmt.Errorf("docker inspect: cannot inspect a %s", kind)
	}
	if err != nil {
		return "", fmt.Errorf("docker inspect %s: %w", short(id), e.explain(err))
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "    "); err != nil {
		return string(raw), nil
	}
	return b.String(), nil
}
