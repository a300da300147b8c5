package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/launch"
	"deckhand/internal/testbed"
	"deckhand/scaffold"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// baseImage is the Python base image scripts/python-base-image builds (no
// registry can be pulled from on the test machines).
const baseImage = "deckhand/python-base:bookworm"

// engine returns an Engine on the test engine, and a plain client for
// checking behind its back; it skips (fails under CI=true) without one.
func engine(t *testing.T) (*dockerops.Engine, *client.Client) {
	t.Helper()
	c := testbed.Docker(t)
	e, err := dockerops.New(dockerops.Options{Host: c.DaemonHost()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, c
}

// needBase skips (fails under CI=true) when the Python base image is missing.
func needBase(t *testing.T, c *client.Client) {
	t.Helper()
	if _, err := c.ImageInspect(context.Background(), baseImage); err != nil {
		testbed.Missing(t, "the image "+baseImage, "build it with scripts/python-base-image (the README's test command does so as root)")
	}
}

// stack returns a fresh stack name, and destroys whatever the test left of
// it when the test ends.
func stack(t *testing.T, e *dockerops.Engine) string {
	b := make([]byte, 4)
	rand.Read(b)
	name := "t" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if steps, err := Destroy(ctx, e, name); err == nil {
			launch.Execute(ctx, steps, nil)
		}
	})
	return name
}

// events records a launch's events for assertions.
type events struct {
	mu  sync.Mutex
	all []launch.Event
}

func (ev *events) report(e launch.Event) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	ev.all = append(ev.all, e)
}

// final maps each step to its last state.
func (ev *events) final() map[string]launch.State {
	m := map[string]launch.State{}
	for _, e := range ev.all {
		m[e.Step] = e.State
	}
	return m
}

func (ev *events) detail(step string, st launch.State) string {
	for _, e := range ev.all {
		if e.Step == step && e.State == st {
			return e.Detail
		}
	}
	return ""
}

// run plans and executes a launch.
func run(t *testing.T, e *dockerops.Engine, o Options) (*Result, *events, error) {
	t.Helper()
	steps, res, err := Launch(e, o)
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	ev := &events{}
	err = launch.Execute(ctx, steps, ev.report)
	return res, ev, err
}

// stackContainers lists the stack's containers as the engine sees them.
func stackContainers(t *testing.T, c *client.Client, name string) []string {
	t.Helper()
	res, err := c.ContainerList(context.Background(), client.ContainerListOptions{
		All: true, Filters: make(client.Filters).Add("label", launch.LabelStack+"="+name),
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range res.Items {
		ids = append(ids, it.ID)
	}
	return ids
}

func body(t *testing.T, url string) string {
	t.Helper()
	status, b, err := launch.Get(context.Background(), url)
	if err != nil || status != 200 {
		t.Fatalf("GET %s: %d %v", url, status, err)
	}
	return b
}

// TestRelaunchReplacesAndDestroyKeepsForeign: launching a scaffolded
// project, changing it and launching again gives one container (same name
// and port) serving the new code, and the first build is pruned. Destroy
// then removes the stack's container and image, except an image someone
// else also tagged, which it keeps and says so.
func TestRelaunchReplacesAndDestroyKeepsForeign(t *testing.T) {
	t.Parallel()
	e, c := engine(t)
	needBase(t, c)
	name := stack(t, e)
	dir := filepath.Join(t.TempDir(), "app")

	res1, ev, err := run(t, e, Options{Stack: name, Dir: dir, Scaffold: true, BaseImage: baseImage})
	if err != nil {
		t.Fatalf("first launch: %v", err)
	}
	if got := body(t, res1.URL); got != scaffold.WelcomeText(name) {
		t.Errorf("body %q, want the welcome text", got)
	}
	if st := ev.final(); st["scaffold"] != launch.Done || st["wait"] != launch.Done || st["check"] != launch.Done {
		t.Errorf("final states %v", st)
	}

	// Change the app: the check must now expect, and find, the new text.
	app := filepath.Join(dir, "app.py")
	src, _ := os.ReadFile(app)
	newWelcome := name + ": second edition"
	src = []byte(strings.Replace(string(src), scaffold.WelcomeText(name), newWelcome, 1))
	if err := os.WriteFile(app, src, 0o644); err != nil {
		t.Fatal(err)
	}
	res2, ev, err := run(t, e, Options{Stack: name, Dir: dir, BaseImage: baseImage})
	if err != nil {
		t.Fatalf("second launch: %v", err)
	}
	if res2.URL != res1.URL {
		t.Errorf("URL changed from %s to %s; a re-launch keeps the port", res1.URL, res2.URL)
	}
	if res2.ImageID == res1.ImageID || res2.ContainerID == res1.ContainerID {
		t.Errorf("image %s→%s container %s→%s: want both new", res1.ImageID, res2.ImageID, res1.ContainerID, res2.ContainerID)
	}
	if got := body(t, res2.URL); got != newWelcome {
		t.Errorf("body %q, want %q", got, newWelcome)
	}
	if ids := stackContainers(t, c, name); !slices.Equal(ids, []string{res2.ContainerID}) {
		t.Errorf("stack containers %v, want only %s", ids, res2.ContainerID)
	}
	if _, err := c.ImageInspect(context.Background(), res1.ImageID); err == nil {
		t.Errorf("first build %s still exists; prune should have removed it (prune: %s)", res1.ImageID, ev.detail("prune", launch.Done))
	}

	// --no-wait on a chosen port: the wait and check steps are skipped.
	port := freePort(t)
	res3, ev, err := run(t, e, Options{Stack: name, Dir: dir, BaseImage: baseImage, HostPort: port, NoWait: true})
	if err != nil {
		t.Fatalf("third launch: %v", err)
	}
	if st := ev.final(); st["wait"] != launch.Skipped || st["check"] != launch.Skipped || ev.detail("wait", launch.Skipped) != "--no-wait" {
		t.Errorf("final states %v, want wait and check skipped", st)
	}
	if !strings.HasSuffix(res3.URL, ":"+itoa(port)+"/") {
		t.Errorf("URL %s, want port %d", res3.URL, port)
	}

	// A push to ECR tagged the image under the registry: that tag is
	// deckhand's own, so destroy plans to remove the image.
	ctx := context.Background()
	ecrTag := "123456789012.dkr.ecr.us-east-1.amazonaws.com/deckhand/" + name + ":abc123"
	if _, err := c.ImageTag(ctx, client.ImageTagOptions{Source: launch.ImageName(name), Target: ecrTag}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ImageRemove(ctx, ecrTag, client.ImageRemoveOptions{}) })
	if steps, err := Destroy(ctx, e, name); err != nil || len(steps) != 2 || !strings.HasPrefix(steps[1].Summary, "Remove image") {
		t.Errorf("with the push's ECR tag, destroy plans %v (%v); want the image removed", summaries(steps), err)
	}

	// Someone tags the stack's image for their own use: destroy keeps it.
	keep := "deckhand-test-keep-" + name + ":1"
	if _, err := c.ImageTag(ctx, client.ImageTagOptions{Source: launch.ImageName(name), Target: keep}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ImageRemove(ctx, keep, client.ImageRemoveOptions{}) })
	steps, err := Destroy(ctx, e, name)
	if err != nil {
		t.Fatal(err)
	}
	ev = &events{}
	if err := launch.Execute(ctx, steps, ev.report); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if len(steps) != 2 || ev.final()["rm "+ContainerName(name)] != launch.Done || !strings.HasPrefix(steps[1].Summary, "Keep image") {
		t.Errorf("destroy steps %v, final %v; want rm done and the image kept", names(steps), ev.final())
	}
	if ids := stackContainers(t, c, name); len(ids) != 0 {
		t.Errorf("containers left: %v", ids)
	}
	if _, err := c.ImageInspect(ctx, keep); err != nil {
		t.Errorf("the foreign tag %s is gone: %v", keep, err)
	}
}

// TestBrokenAppFailsAtTheStep: a failing Dockerfile step fails the build
// step with the Dockerfile step named; an app that crashes on start fails
// the wait step early with its traceback. Both say what was created.
func TestBrokenAppFailsAtTheStep(t *testing.T) {
	t.Parallel()
	e, c := engine(t)
	needBase(t, c)
	tests := []struct {
		name    string
		breakIt func(t *testing.T, dir string)
		step    string
		want    []string // in the error
		created []string // kinds created so far
	}{
		{
			name: "syntax error in app.py",
			breakIt: func(t *testing.T, dir string) {
				appendFile(t, filepath.Join(dir, "app.py"), "\ndef broken(:\n")
			},
			step:    "wait",
			want:    []string{"exited with code", "SyntaxError", "why: the app stopped on start"},
			created: []string{"docker image", "docker container"},
		},
		{
			name: "failing Dockerfile step",
			breakIt: func(t *testing.T, dir string) {
				appendFile(t, filepath.Join(dir, "Dockerfile"), "\nRUN python3 -c 'import no_such_module'\n")
			},
			step:    "build",
			want:    []string{"(RUN python3 -c 'import no_such_module')", "ModuleNotFoundError", "why: a Dockerfile step failed"},
			created: nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			name := stack(t, e)
			dir := t.TempDir()
			if _, err := scaffold.Generate(dir, scaffold.Options{Name: name}); err != nil {
				t.Fatal(err)
			}
			tc.breakIt(t, dir)
			start := time.Now()
			_, ev, err := run(t, e, Options{Stack: name, Dir: dir, BaseImage: baseImage})
			removeIntermediates(t, c, ev)
			var se *launch.StepError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *launch.StepError", err)
			}
			if se.Step != tc.step || ev.final()[tc.step] != launch.Failed {
				t.Errorf("failed step %q (states %v), want %q", se.Step, ev.final(), tc.step)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			var kinds []string
			for _, r := range se.Created {
				kinds = append(kinds, r.Kind)
			}
			if !slices.Equal(kinds, tc.created) {
				t.Errorf("created %v, want %v", kinds, tc.created)
			}
			// "Fails fast" is asserted by the cause, not a clock: the wait
			// ends on the container's exit ("exited with code"), not on its
			// timeout. (A 30 s bound flaked: gunicorn's master itself waits
			// its 30 s graceful timeout after the worker dies.)
			t.Logf("took %v: %v", time.Since(start), err)
		})
	}
}

// TestForeignContainerWithOurNameIsLeftAlone: a container named like the
// stack's but without its label stops the launch before anything changes,
// and destroy does not list it.
func TestForeignContainerWithOurNameIsLeftAlone(t *testing.T) {
	t.Parallel()
	e, c := engine(t)
	needBase(t, c)
	name := stack(t, e)
	ctx := context.Background()
	created, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{Name: ContainerName(name), Image: baseImage})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ContainerRemove(ctx, created.ID, client.ContainerRemoveOptions{Force: true}) })

	_, _, err = run(t, e, Options{Stack: name, Image: baseImage})
	var se *launch.StepError
	if !errors.As(err, &se) || se.Step != "run" || !strings.Contains(err.Error(), "this stack did not create") {
		t.Fatalf("err = %v, want the run step to refuse the foreign container", err)
	}
	if _, err := c.ContainerInspect(ctx, created.ID, client.ContainerInspectOptions{}); err != nil {
		t.Errorf("the foreign container is gone: %v", err)
	}
	steps, err := Destroy(ctx, e, name)
	if err != nil || len(steps) != 0 {
		t.Errorf("destroy steps %v (%v), want none", names(steps), err)
	}
}

// TestDestroyLeavesSandboxContainers: a sandbox task runs an image a
// launch built, so its container inherits the stack's label; it belongs
// to the sandbox account, and a local destroy leaves it.
func TestDestroyLeavesSandboxContainers(t *testing.T) {
	t.Parallel()
	e, c := engine(t)
	needBase(t, c)
	name := stack(t, e)
	ctx := context.Background()
	created, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{Name: "sandbox-" + name,
		Config: &container.Config{Image: baseImage, Labels: map[string]string{launch.LabelStack: name, "deckhand.sandbox.account": "/tmp/x.json"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ContainerRemove(ctx, created.ID, client.ContainerRemoveOptions{Force: true}) })
	steps, err := Destroy(ctx, e, name)
	if err != nil || len(steps) != 0 {
		t.Errorf("destroy steps %v (%v), want none", names(steps), err)
	}
}

func names(steps []launch.Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Name)
	}
	return out
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// removeIntermediates deletes, when the test ends, the layer images a
// failed build left behind (the classic builder keeps them as cache, as
// `docker build` does; they carry no stack label since LABEL is the last
// step). Images still used as parents refuse, which is fine.
func removeIntermediates(t *testing.T, c *client.Client, ev *events) {
	var ids []string
	for _, e := range ev.all {
		if id, ok := strings.CutPrefix(e.Detail, " ---> "); ok && e.Step == "build" && !strings.Contains(id, " ") {
			ids = append(ids, id)
		}
	}
	t.Cleanup(func() {
		for _, id := range slices.Backward(ids) {
			c.ImageRemove(context.Background(), id, client.ImageRemoveOptions{})
		}
	})
}

func summaries(steps []launch.Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Summary)
	}
	return out
}
