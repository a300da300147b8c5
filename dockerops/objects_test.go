package dockerops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/internal/resource"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// dkrName is a name for something this test creates on the shared engine:
// the dkr-test- prefix says whose it is.
func dkrName(t *testing.T, what string) string {
	b := make([]byte, 4)
	rand.Read(b)
	return "dkr-test-" + what + "-" + hex.EncodeToString(b)
}

// dkrImage builds a FROM-scratch image holding the fixture server, with
// extra Dockerfile lines (a LABEL makes a distinct image) and build
// labels, tagged ref; it is removed when the test ends.
func dkrImage(t *testing.T, e *Engine, c *client.Client, ref, extra string, labels map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	copyFixture(t, dir)
	df := "FROM scratch\nCOPY app /app\n" + extra + "\nENTRYPOINT [\"/app\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id, err := e.Build(ctx, BuildOptions{Dir: dir, Tags: []string{ref}, Labels: labels}, nil)
	if err != nil {
		t.Fatalf("building %s: %v", ref, err)
	}
	t.Cleanup(func() {
		c.ImageRemove(context.Background(), ref, imageRemoveOpts)
		c.ImageRemove(context.Background(), id, imageRemoveOpts) // if it went dangling
	})
	return id
}

// createContainer creates (and with start, starts) a container of image,
// removed when the test ends.
func createContainer(t *testing.T, c *client.Client, opts client.ContainerCreateOptions, start bool) string {
	t.Helper()
	ctx := context.Background()
	res, err := c.ContainerCreate(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	removeLater(t, c, res.ID)
	if start {
		if _, err := c.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return res.ID
}

func findImage(list []resource.DockerImage, repo, tag string) (resource.DockerImage, bool) {
	for _, im := range list {
		if im.Repository == repo && im.Tag == tag {
			return im, true
		}
	}
	return resource.DockerImage{}, false
}

// TestObjectsCountUsers: one container that uses an image, a volume and
// a network and carries a compose label shows up as the user of each, and
// as its project; removing what is in use is refused with the reason.
func TestObjectsCountUsers(t *testing.T) {
	e, c := newEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	repo := dkrName(t, "img")
	dkrImage(t, e, c, repo+":v1", "", nil)
	vol, net, project := dkrName(t, "vol"), dkrName(t, "net"), dkrName(t, "proj")
	if _, err := c.VolumeCreate(ctx, client.VolumeCreateOptions{Name: vol}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.VolumeRemove(context.Background(), vol, client.VolumeRemoveOptions{Force: true}) })
	nres, err := c.NetworkCreate(ctx, net, client.NetworkCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.NetworkRemove(context.Background(), nres.ID, client.NetworkRemoveOptions{}) })
	cname := dkrName(t, "ctr")
	id := createContainer(t, c, client.ContainerCreateOptions{
		Name: cname,
		Config: &container.Config{Image: repo + ":v1", Labels: map[string]string{
			resource.ComposeProjectLabel: project, "com.docker.compose.service": "web"}},
		HostConfig:       &container.HostConfig{Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: vol, Target: "/data"}}},
		NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{net: {}}},
	}, false)

	set, err := e.Objects(ctx)
	if err != nil || len(set.Failed) > 0 {
		t.Fatalf("Objects: %v %v", err, set.Failed)
	}
	for _, k := range []resource.Kind{resource.KindDocker, resource.KindCompose, resource.KindImage, resource.KindVolume, resource.KindNetwork} {
		if !set.Owns(k) {
			t.Errorf("set does not own %s", k)
		}
	}
	im, ok := findImage(set.Images, repo, "v1")
	if !ok || !slices.Equal(im.Containers, []string{cname}) || im.Phase() != resource.PhaseInUse || im.Size <= 0 || im.Dangling {
		t.Errorf("image row %+v (found %v), want used by %s", im, ok, cname)
	}
	var v resource.DockerVolume
	for _, x := range set.Volumes {
		if x.Name == vol {
			v = x
		}
	}
	if !slices.Equal(v.Containers, []string{cname}) {
		t.Errorf("volume %s users %v, want [%s]", vol, v.Containers, cname)
	}
	var n resource.DockerNetwork
	for _, x := range set.Networks {
		if x.Name == net {
			n = x
		}
	}
	if n.ID != nres.ID || !slices.Equal(n.Containers, []string{cname}) || n.Builtin() {
		t.Errorf("network row %+v, want %s used by %s", n, nres.ID, cname)
	}
	var p resource.ComposeProject
	for _, x := range set.Compose {
		if x.Name == project {
			p = x
		}
	}
	if !slices.Equal(p.Containers, []string{id}) || !slices.Equal(p.Services, []string{"web"}) || p.Phase() != "exited" {
		t.Errorf("project %+v, want %s with service web, exited", p, id)
	}

	// In use: refused, naming the container, and nothing changed.
	var inUse *InUseError
	if err := e.DeleteImage(ctx, repo+":v1", false); !errors.As(err, &inUse) || !strings.Contains(err.Error(), cname) {
		t.Errorf("DeleteImage of an image in use: %v, want an InUseError naming %s", err, cname)
	}
	if err := e.RemoveVolume(ctx, vol); err == nil {
		t.Error("RemoveVolume of a mounted volume succeeded")
	}
	// Forced: the tag goes although a (stopped) container uses the image.
	if err := e.DeleteImage(ctx, repo+":v1", true); err != nil {
		t.Fatalf("forced DeleteImage: %v", err)
	}
	if _, err := c.ImageInspect(ctx, repo+":v1"); !IsNotFound(err) {
		t.Errorf("after a forced remove the tag still resolves (%v)", err)
	}
	if _, err := c.ContainerRemove(ctx, id, client.ContainerRemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.RemoveVolume(ctx, vol); err != nil {
		t.Errorf("RemoveVolume of an unused volume: %v", err)
	}
	if err := e.RemoveNetwork(ctx, nres.ID); err != nil {
		t.Errorf("RemoveNetwork of an unused network: %v", err)
	}
}

// TestPruneOldTags: of one repository's tags, the kept one and one a
// container uses stay; the others go. Other repositories are not touched.
func TestPruneOldTags(t *testing.T) {
	e, c := newEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	repo := dkrName(t, "proxy")
	other := dkrName(t, "other")
	dkrImage(t, e, c, repo+":current", "", nil)
	dkrImage(t, e, c, repo+":old1", "LABEL dkr-test.n=1", nil)
	dkrImage(t, e, c, repo+":old2", "LABEL dkr-test.n=2", nil)
	dkrImage(t, e, c, repo+":used", "LABEL dkr-test.n=3", nil)
	dkrImage(t, e, c, other+":old", "LABEL dkr-test.n=4", nil)
	createContainer(t, c, client.ContainerCreateOptions{Name: dkrName(t, "user"), Config: &container.Config{Image: repo + ":used"}}, false)

	if removed, err := e.PruneOldTags(ctx, repo, "current", time.Hour); err != nil || len(removed) > 0 {
		t.Fatalf("images built just now were pruned (%v, %v): minAge must spare them", removed, err)
	}
	removed, err := e.PruneOldTags(ctx, repo, "current", 0)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	if want := []string{repo + ":old1", repo + ":old2"}; !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	for _, ref := range []string{repo + ":current", repo + ":used", other + ":old"} {
		if _, err := c.ImageInspect(ctx, ref); err != nil {
			t.Errorf("%s was removed: %v", ref, err)
		}
	}
}

// TestPruneDanglingScoped: an image left without a tag by a rebuild is
// dangling and pruned; the prune is scoped to this test's label, so the
// shared engine's other dangling images stay.
func TestPruneDanglingScoped(t *testing.T) {
	e, c := newEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ref := dkrName(t, "dangle") + ":x"
	label := dkrName(t, "label")
	first := dkrImage(t, e, c, ref, "LABEL dkr-test.n=1", map[string]string{"dkr-test.prune": label})
	dkrImage(t, e, c, ref, "LABEL dkr-test.n=2", map[string]string{"dkr-test.prune": label})
	set, err := e.Objects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var dangling bool
	for _, im := range set.Images {
		if im.ID == first {
			dangling = im.Dangling && im.Repository == "<none>" && im.Phase() == resource.PhaseDangling && im.Ref() == first
		}
	}
	if !dangling {
		t.Fatalf("the replaced image %s is not listed as dangling", first)
	}
	rep, err := e.PruneDangling(ctx, "dkr-test.prune="+label)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rep.Removed, first) {
		t.Errorf("prune removed %v, want %s among them", rep.Removed, first)
	}
	if _, err := c.ImageInspect(ctx, ref); err != nil {
		t.Errorf("the tagged image went too: %v", err)
	}
}

// TestRestartStatsInspect: restart keeps a container running with a new
// start time; the stats stream yields samples with a memory limit; inspect
// returns the engine's JSON for each kind.
func TestRestartStatsInspect(t *testing.T) {
	e, c := newEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	repo := dkrName(t, "img")
	imgID := dkrImage(t, e, c, repo+":v1", "", nil)
	name := dkrName(t, "ctr")
	id := createContainer(t, c, client.ContainerCreateOptions{Name: name, Config: &container.Config{Image: repo + ":v1"}}, true)
	before, _ := c.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err := e.Restart(ctx, id, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	after, _ := c.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if after.Container.State.Status != "running" || after.Container.State.StartedAt == before.Container.State.StartedAt {
		t.Errorf("after restart: %s started %s (before %s)", after.Container.State.Status, after.Container.State.StartedAt, before.Container.State.StartedAt)
	}

	sctx, stop := context.WithCancel(ctx)
	samples := make(chan Stats, 16)
	done := make(chan error, 1)
	go func() {
		done <- e.StreamStats(sctx, id, func(s Stats) {
			select {
			case samples <- s:
			default:
			}
		})
	}()
	var got []Stats
	for len(got) < 2 {
		select {
		case s := <-samples:
			got = append(got, s)
		case <-time.After(20 * time.Second):
			t.Fatalf("only %d stats samples within 20s", len(got))
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("StreamStats after cancel: %v, want nil", err)
	}
	if s := got[1]; s.MemLimit == 0 || s.MemUsed == 0 || s.MemUsed > s.MemLimit || s.CPUPercent < 0 || s.At.IsZero() {
		t.Errorf("sample %+v: want memory used within a limit", s)
	}

	for _, tc := range []struct {
		kind resource.Kind
		id   string
		want string
	}{
		{resource.KindDocker, id, `"Name": "/` + name + `"`},
		{resource.KindImage, repo + ":v1", `"Id": "` + imgID + `"`},
		{resource.KindNetwork, "bridge", `"Name": "bridge"`},
	} {
		js, err := e.Inspect(ctx, tc.kind, tc.id)
		if err != nil || !strings.Contains(js, tc.want) {
			t.Errorf("Inspect %s %s: %v; want %s in\n%.300s", tc.kind, tc.id, err, tc.want, js)
		}
	}
}

// TestProjectAction: the containers of one compose project start, stop
// and restart together; another project's container is not touched.
func TestProjectAction(t *testing.T) {
	e, c := newEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	repo := dkrName(t, "img")
	dkrImage(t, e, c, repo+":v1", "", nil)
	project, other := dkrName(t, "proj"), dkrName(t, "other")
	mk := func(p string) string {
		return createContainer(t, c, client.ContainerCreateOptions{Name: dkrName(t, "ctr"),
			Config: &container.Config{Image: repo + ":v1", Labels: map[string]string{resource.ComposeProjectLabel: p}}}, false)
	}
	a, b, o := mk(project), mk(project), mk(other)
	for _, step := range []struct{ verb, want string }{{"start", "running"}, {"restart", "running"}, {"stop", "exited"}} {
		if err := e.ProjectAction(ctx, project, step.verb, 5*time.Second); err != nil {
			t.Fatalf("%s: %v", step.verb, err)
		}
		for _, id := range []string{a, b} {
			if s := state(t, c, id); s != step.want {
				t.Errorf("after %s: %s is %s, want %s", step.verb, short(id), s, step.want)
			}
		}
		if s := state(t, c, o); s != "created" {
			t.Errorf("after %s: the other project's container is %s", step.verb, s)
		}
	}
	if err := e.ProjectAction(ctx, dkrName(t, "none"), "start", time.Second); err == nil || !strings.Contains(err.Error(), "no containers") {
		t.Errorf("a project without containers: %v", err)
	}
}

// TestExecCommand: the shell runs through the docker CLI on the same
// engine; without the CLI the error says so plainly.
func TestExecCommand(t *testing.T) {
	e, err := New(Options{Host: "unix:///var/run/docker.sock"})
	if err != nil {
		t.Fatal(err)
	}
	args := e.ExecArgs("abc")
	if want := []string{"docker", "-H", "unix:///var/run/docker.sock", "exec", "-it", "abc", "sh", "-c", shellScript}; !slices.Equal(args, want) {
		t.Errorf("ExecArgs = %q, want %q", args, want)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := e.ExecCommand("abc"); !errors.Is(err, ErrNoDockerCLI) || !strings.Contains(err.Error(), "docker CLI is not installed") {
		t.Errorf("without docker on PATH: %v", err)
	}
}

// TestReadOnlyRefusesObjectChanges: every new mutation is refused before
// reaching the engine.
func TestReadOnlyRefusesObjectChanges(t *testing.T) {
	ro, err := New(Options{Host: "unix:///nonexistent.sock", ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, prune := ro.PruneDangling(ctx)
	_, old := ro.PruneOldTags(ctx, "r", "t", 0)
	for name, err := range map[string]error{
		"Restart": ro.Restart(ctx, "x", 0), "DeleteImage": ro.DeleteImage(ctx, "x", true),
		"PruneDangling": prune, "PruneOldTags": old, "RemoveVolume": ro.RemoveVolume(ctx, "x"),
		"RemoveNetwork": ro.RemoveNetwork(ctx, "x"), "ProjectAction": ro.ProjectAction(ctx, "p", "stop", 0),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: %v, want ErrReadOnly", name, err)
		}
	}
}
