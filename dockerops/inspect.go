package dockerops

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// ContainerInfo is what the launch pipeline needs to know about one
// container: enough to wait for it, find it again and clean it up.
type ContainerInfo struct {
	ID       string
	Name     string
	Image    string // the image reference it was created from
	ImageID  string
	State    string // "created", "running", "exited", …
	ExitCode int
	// Health is "" when the container has no HEALTHCHECK, else "starting",
	// "healthy" or "unhealthy".
	Health string
	// HealthLog is the output of the last health probe, for explaining
	// "unhealthy".
	HealthLog string
	Labels    map[string]string
	// Ports maps container TCP ports to the host ports they are published
	// on (the first binding of each).
	Ports map[int]int
	// IP is the container's address on the default bridge network, or on
	// the first of its networks by name when it is not on "bridge"; ""
	// while it is not running or on host/none networking. Containers on
	// one network reach each other there (the sandbox's load balancer
	// proxy forwards to its targets' IPs), unlike at published ports.
	IP string
}

// ImageInfo describes a local image.
type ImageInfo struct {
	ID     string
	Tags   []string // "repo:tag"
	Labels map[string]string
	// ExposedPorts are the image's EXPOSEd TCP ports, sorted.
	ExposedPorts []int
	// HasHealthcheck is true when the image defines a HEALTHCHECK (and
	// does not disable it with NONE).
	HasHealthcheck bool
}

// IsNotFound reports whether err says the container or image does not
// exist.
func IsNotFound(err error) bool { return cerrdefs.IsNotFound(err) }

// InspectContainer returns a container's state, ports and labels.
func (e *Engine) InspectContainer(ctx context.Context, id string) (ContainerInfo, error) {
	res, err := e.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return ContainerInfo{}, fmt.Errorf("docker inspect %s: %w", short(id), e.explain(err))
	}
	c := res.Container
	info := ContainerInfo{ID: c.ID, Name: strings.TrimPrefix(c.Name, "/"), ImageID: c.Image, Ports: map[int]int{}}
	if c.Config != nil {
		info.Image, info.Labels = c.Config.Image, c.Config.Labels
	}
	if s := c.State; s != nil {
		info.State, info.ExitCode = string(s.Status), s.ExitCode
		if h := s.Health; h != nil && h.Status != "none" {
			info.Health = string(h.Status)
			if n := len(h.Log); n > 0 && h.Log[n-1] != nil {
				info.HealthLog = strings.TrimSpace(h.Log[n-1].Output)
			}
		}
	}
	if c.NetworkSettings != nil {
		for p, bs := range c.NetworkSettings.Ports {
			if p.Proto() != network.TCP || len(bs) == 0 {
				continue
			}
			if hp, err := strconv.Atoi(bs[0].HostPort); err == nil {
				info.Ports[int(p.Num())] = hp
			}
		}
		info.IP = networkIP(c.NetworkSettings.Networks)
	}
	return info, nil
}

// networkIP picks the bridge network's address, else the first valid
// one by network name, so the choice does not depend on map order.
func networkIP(nets map[string]*network.EndpointSettings) string {
	if ep := nets[network.NetworkBridge]; ep != nil && ep.IPAddress.IsValid() {
		return ep.IPAddress.String()
	}
	names := slices.Sorted(maps.Keys(nets))
	for _, n := range names {
		if ep := nets[n]; ep != nil && ep.IPAddress.IsValid() {
			return ep.IPAddress.String()
		}
	}
	return ""
}

// InspectImage returns a local image's ID, tags, labels, exposed ports and
// whether it has a HEALTHCHECK. It never pulls.
func (e *Engine) InspectImage(ctx context.Context, ref string) (ImageInfo, error) {
	res, err := e.cli.ImageInspect(ctx, ref)
	if err != nil {
		return ImageInfo{}, fmt.Errorf("docker image inspect %s: %w", ref, e.explain(err))
	}
	info := ImageInfo{ID: res.ID, Tags: res.RepoTags}
	if cfg := res.Config; cfg != nil {
		info.Labels = cfg.Labels
		for p := range cfg.ExposedPorts {
			num, proto, _ := strings.Cut(p, "/")
			if n, err := strconv.Atoi(num); err == nil && (proto == "" || proto == "tcp") {
				info.ExposedPorts = append(info.ExposedPorts, n)
			}
		}
		slices.Sort(info.ExposedPorts)
		if hc := cfg.Healthcheck; hc != nil && len(hc.Test) > 0 && hc.Test[0] != "NONE" {
			info.HasHealthcheck = true
		}
	}
	return info, nil
}

// ContainersByLabel lists the containers (stopped ones too) that carry the
// label key=value, sorted by name. Finding by label rather than by name is
// what lets destroy remove exactly what a launch created.
func (e *Engine) ContainersByLabel(ctx context.Context, key, value string) ([]ContainerInfo, error) {
	res, err := e.cli.ContainerList(ctx, client.ContainerListOptions{
		All: true, Filters: make(client.Filters).Add("label", key+"="+value),
	})
	if err != nil {
		return nil, fmt.Errorf("docker ps --filter label=%s=%s: %w", key, value, e.explain(err))
	}
	out := make([]ContainerInfo, 0, len(res.Items))
	for _, c := range res.Items {
		// The filter is the engine's; check again so a buggy or
		// unexpected engine can never make us touch someone else's.
		if c.Labels[key] != value {
			continue
		}
		out = append(out, ContainerInfo{
			ID: c.ID, Name: name(c.Names), Image: c.Image, ImageID: c.ImageID,
			State: string(c.State), Labels: c.Labels,
		})
	}
	slices.SortFunc(out, func(a, b ContainerInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// ImagesByLabel lists local images carrying the label key=value, untagged
// ones included, oldest first.
func (e *Engine) ImagesByLabel(ctx context.Context, key, value string) ([]ImageInfo, error) {
	res, err := e.cli.ImageList(ctx, client.ImageListOptions{
		Filters: make(client.Filters).Add("label", key+"="+value),
	})
	if err != nil {
		return nil, fmt.Errorf("docker images --filter label=%s=%s: %w", key, value, e.explain(err))
	}
	slices.SortFunc(res.Items, func(a, b image.Summary) int {
		return cmp.Or(cmp.Compare(a.Created, b.Created), strings.Compare(a.ID, b.ID))
	})
	var out []ImageInfo
	for _, im := range res.Items {
		if im.Labels[key] != value {
			continue
		}
		tags := slices.DeleteFunc(slices.Clone(im.RepoTags), func(t string) bool { return t == "<none>:<none>" })
		out = append(out, ImageInfo{ID: im.ID, Tags: tags, Labels: im.Labels})
	}
	return out, nil
}

// RemoveImage deletes a tag, or an image by ID, without force: an image
// still used by a container, or with other tags when given by ID, is left
// alone and the engine's refusal is returned.
func (e *Engine) RemoveImage(ctx context.Context, ref string) error {
	if e.readOnly {
		return ErrReadOnly
	}
	if _, err := e.cli.ImageRemove(ctx, ref, client.ImageRemoveOptions{PruneChildren: true}); err != nil {
		return fmt.Errorf("docker rmi %s: %w", short(ref), e.explain(err))
	}
	return nil
}
