package dockerops

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"deckhand/internal/resource"

	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"
)

// usage says which containers use which image, volume and network. It is
// counted from one container list (stopped containers included, as they
// still pin their image and volumes), so the images, volumes and networks
// pages need no inspect call per row.
type usage struct {
	images, volumes, networks map[string][]string // image ID / volume name / network name → container names
}

// Objects lists the containers and what they use: images, volumes,
// networks and compose projects, in one pass. A failed secondary list is
// reported in failed rather than failing the whole call, so a broken
// volume plugin does not blank the containers.
func (e *Engine) Objects(ctx context.Context) (resource.Set, error) {
	res, err := e.cli.ContainerList(ctx, client.ContainerListOptions{All: true})
	if err != nil {
		return resource.Set{}, e.explain(err)
	}
	u := usage{images: map[string][]string{}, volumes: map[string][]string{}, networks: map[string][]string{}}
	projects := map[string]*resource.ComposeProject{}
	var containers []resource.DockerContainer
	for _, c := range res.Items {
		n := name(c.Names)
		containers = append(containers, summary(c))
		u.images[c.ImageID] = append(u.images[c.ImageID], n)
		for _, m := range c.Mounts {
			if m.Type == mount.TypeVolume && m.Name != "" {
				u.volumes[m.Name] = append(u.volumes[m.Name], n)
			}
		}
		if c.NetworkSettings != nil {
			// By network name: a created container's endpoints have no
			// network ID until it first starts.
			for nw := range c.NetworkSettings.Networks {
				u.networks[nw] = append(u.networks[nw], n)
			}
		}
		if p := c.Labels[resource.ComposeProjectLabel]; p != "" {
			cp := projects[p]
			if cp == nil {
				cp = &resource.ComposeProject{Name: p, WorkingDir: c.Labels["com.docker.compose.project.working_dir"]}
				projects[p] = cp
			}
			cp.Containers = append(cp.Containers, c.ID)
			cp.Names = append(cp.Names, n)
			if c.State == "running" {
				cp.Running++
			}
			if s := c.Labels["com.docker.compose.service"]; s != "" && !slices.Contains(cp.Services, s) {
				cp.Services = append(cp.Services, s)
			}
		}
	}
	sortContainers(containers)
	set := resource.Set{
		Kinds:  []resource.Kind{resource.KindDocker, resource.KindCompose},
		Docker: containers,
	}
	for _, p := range projects {
		sort.Strings(p.Services)
		set.Compose = append(set.Compose, *p)
	}
	slices.SortFunc(set.Compose, func(a, b resource.ComposeProject) int { return cmp.Compare(a.Name, b.Name) })
	failed := map[resource.Kind]error{}
	if set.Images, err = e.images(ctx, u); err != nil {
		failed[resource.KindImage] = err
	} else {
		set.Kinds = append(set.Kinds, resource.KindImage)
	}
	if set.Volumes, err = e.volumes(ctx, u); err != nil {
		failed[resource.KindVolume] = err
	} else {
		set.Kinds = append(set.Kinds, resource.KindVolume)
	}
	if set.Networks, err = e.networks(ctx, u); err != nil {
		failed[resource.KindNetwork] = err
	} else {
		set.Kinds = append(set.Kinds, resource.KindNetwork)
	}
	if len(failed) > 0 {
		set.Failed = failed
	}
	return set, nil
}

// Images lists the local images as `docker images` does: one row per
// repo:tag, a dangling image once under <none>.
func (e *Engine) Images(ctx context.Context) ([]resource.DockerImage, error) {
	set, err := e.Objects(ctx)
	if err != nil {
		return nil, err
	}
	if err := set.Failed[resource.KindImage]; err != nil {
		return nil, err
	}
	return set.Images, nil
}

func (e *Engine) images(ctx context.Context, u usage) ([]resource.DockerImage, error) {
	res, err := e.cli.ImageList(ctx, client.ImageListOptions{})
	if err != nil {
		return nil, fmt.Errorf("docker images: %w", e.explain(err))
	}
	var out []resource.DockerImage
	for _, im := range res.Items {
		base := resource.DockerImage{
			ID: im.ID, Size: im.Size, Created: time.Unix(im.Created, 0),
			Containers: u.images[im.ID], Labels: im.Labels,
		}
		tags := slices.DeleteFunc(slices.Clone(im.RepoTags), func(t string) bool { return t == "<none>:<none>" })
		if len(tags) == 0 {
			base.Repository, base.Tag, base.Dangling = "<none>", "<none>", true
			out = append(out, base)
			continue
		}
		for _, t := range tags {
			x := base
			x.Repository, x.Tag = splitRef(t)
			out = append(out, x)
		}
	}
	slices.SortFunc(out, func(a, b resource.DockerImage) int {
		return cmp.Or(cmp.Compare(a.Repository, b.Repository), cmp.Compare(a.Tag, b.Tag), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// splitRef splits "host:5000/repo:tag" at the tag's colon, not the port's.
func splitRef(ref string) (repo, tag string) {
	i := strings.LastIndex(ref, ":")
	if i < 0 || strings.Contains(ref[i:], "/") {
		return ref, "latest"
	}
	return ref[:i], ref[i+1:]
}

func (e *Engine) volumes(ctx context.Context, u usage) ([]resource.DockerVolume, error) {
	res, err := e.cli.VolumeList(ctx, client.VolumeListOptions{})
	if err != nil {
		return nil, fmt.Errorf("docker volume ls: %w", e.explain(err))
	}
	out := make([]resource.DockerVolume, 0, len(res.Items))
	for _, v := range res.Items {
		created, _ := time.Parse(time.RFC3339, v.CreatedAt)
		out = append(out, resource.DockerVolume{
			Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, Created: created,
			Containers: u.volumes[v.Name], Labels: v.Labels,
		})
	}
	slices.SortFunc(out, func(a, b resource.DockerVolume) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

func (e *Engine) networks(ctx context.Context, u usage) ([]resource.DockerNetwork, error) {
	res, err := e.cli.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		return nil, fmt.Errorf("docker network ls: %w", e.explain(err))
	}
	out := make([]resource.DockerNetwork, 0, len(res.Items))
	for _, n := range res.Items {
		out = append(out, resource.DockerNetwork{
			ID: n.ID, Name: n.Name, Driver: n.Driver, Scope: n.Scope, Internal: n.Internal,
			Created: n.Created, Containers: u.networks[n.Name], Labels: n.Labels,
		})
	}
	slices.SortFunc(out, func(a, b resource.DockerNetwork) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}
