package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"deckhand/aws/sandbox"
	"deckhand/dockerops"
	"deckhand/internal/cloud"
	"deckhand/internal/testbed"
)

// tmuxPane is the built binary in a tmux of its own (a private socket), as
// a user runs it: shells need a real terminal (docker exec -it refuses
// anything else), which teatest does not give.
type tmuxPane struct {
	t            *testing.T
	socket, name string
}

func startTmux(t *testing.T, env []string, argv ...string) *tmuxPane {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		testbed.Missing(t, "tmux", "install tmux")
	}
	p := &tmuxPane{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock"), name: "h-exec"}
	cmd := append([]string{"env"}, env...)
	args := append([]string{"-S", p.socket, "new-session", "-d", "-s", p.name, "-x", "160", "-y", "40"}, append(cmd, argv...)...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-S", p.socket, "kill-server").Run() })
	return p
}

// keys sends tmux key names (Enter, Escape) or, with literal, text.
func (p *tmuxPane) keys(literal bool, ks ...string) {
	p.t.Helper()
	args := []string{"-S", p.socket, "send-keys", "-t", p.name}
	if literal {
		args = append(args, "-l")
	}
	if out, err := exec.Command("tmux", append(args, ks...)...).CombinedOutput(); err != nil {
		p.t.Fatalf("tmux send-keys %q: %v\n%s", ks, err, out)
	}
}

func (p *tmuxPane) screen() string {
	out, _ := exec.Command("tmux", "-S", p.socket, "capture-pane", "-p", "-t", p.name).Output()
	return string(out)
}

// wait polls the screen until it holds every want.
func (p *tmuxPane) wait(what string, wants ...string) string {
	p.t.Helper()
	var s string
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		s = p.screen()
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return s
		}
	}
	p.t.Fatalf("%s: the screen never showed %q:\n%s", what, wants, s)
	return ""
}

// TestSessionsInTmux runs deckhand --sandbox in tmux: e on a task that
// runs on the engine opens a shell in its container (a command's output is
// read back: the shell evaluated it), exit comes back to the tasks page; F
// shows the task's published address on :forwards and it answers HTTP; e
// on a Docker container does the same through docker exec (issue 10).
func TestSessionsInTmux(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := testbed.Docker(t)
	e, err := dockerops.New(dockerops.Options{Host: c.DaemonHost()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	const base = "deckhand/python-base:bookworm"
	if _, err := e.InspectImage(ctx, base); err != nil {
		testbed.Missing(t, "the image "+base, "run scripts/python-base-image")
	}
	b := make([]byte, 4)
	rand.Read(b)
	rnd := hex.EncodeToString(b)

	// An image with a shell that serves its page on 8080.
	ref := sandbox.AccountID + ".dkr.ecr.us-east-1.amazonaws.com/h-exec-shell-" + rnd + ":v1"
	dir := t.TempDir()
	df := "FROM " + base + "\nLABEL h-exec.test=" + rnd + "\nEXPOSE 8080\nWORKDIR /srv\n" +
		"RUN echo served-by-the-task > index.html\nCMD [\"python3\", \"-m\", \"http.server\", \"8080\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Build(ctx, dockerops.BuildOptions{Dir: dir, Tags: []string{ref}}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.RemoveImage(context.Background(), ref) })

	// The sandbox account the binary will open, with the task running.
	data := t.TempDir()
	state := filepath.Join(data, "deckhand", "sandbox.json")
	t.Cleanup(func() {
		cs, _ := e.ContainersByLabel(context.Background(), "deckhand.sandbox.account", state)
		for _, x := range cs {
			e.Remove(context.Background(), x.ID, true)
		}
	})
	a, err := sandbox.Open(sandbox.Options{Path: state, Speed: 30, Docker: e})
	if err != nil {
		t.Fatal(err)
	}
	vpc, err := a.DefaultVPC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	subnets, err := a.Subnets(ctx, vpc.ID)
	if err != nil || len(subnets) == 0 {
		t.Fatalf("subnets %v %v", subnets, err)
	}
	td, err := a.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{Family: "h-exec-shell", CPU: "256", Memory: "512", Fargate: true,
		Containers: []cloud.ContainerSpec{{Name: "app", Image: ref, Port: 8080, Essential: true}}})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := a.RunTask(ctx, cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: td, Count: 1, LaunchType: "FARGATE", Subnets: []string{subnets[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	taskID := ts[0].ID
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		tasks, err := a.Tasks(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		running := false
		for _, x := range tasks {
			running = running || (x.ID == taskID && x.LastStatus == "RUNNING" && x.Containers[0].RuntimeID != "")
		}
		if running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s never ran on the engine: %+v", taskID, tasks)
		}
		a.Flush(ctx)
	}
	a.Flush(ctx)
	a.Close()

	// A plain container for the Docker pane's e.
	dk := "h-exec-dk-" + rnd
	id, err := e.Run(ctx, dockerops.RunOptions{Image: base, Name: dk, Cmd: []string{"sleep", "600"}})
	if id != "" {
		t.Cleanup(func() { e.Remove(context.Background(), id, true) })
	}
	if err != nil {
		t.Fatal(err)
	}

	bin := testbed.DeckhandBinary(t)
	p := startTmux(t, []string{"HOME=" + t.TempDir(), "XDG_DATA_HOME=" + data, "DOCKER_HOST=" + c.DaemonHost(),
		"DECKHAND_KEEP_PROXY_IMAGES=1", "TERM=xterm-256color", "PATH=" + os.Getenv("PATH")},
		bin, "--sandbox", "--sandbox-speed", "30")
	p.wait("start", "SANDBOX")

	// ECS Exec on the sandbox: a shell in the task's container.
	p.keys(false, "4")
	p.keys(false, "/")
	p.keys(true, taskID[:12])
	p.keys(false, "Enter")
	p.wait("the task listed", taskID[:12], "RUNNING")
	p.keys(false, "e")
	p.wait("a shell prompt in the container", ":/srv#")
	p.keys(true, "echo hello-$((6*7))-from-$(cat index.html)")
	p.keys(false, "Enter")
	p.wait("the command's output", "hello-42-from-served-by-the-task")
	p.keys(true, "exit")
	p.keys(false, "Enter")
	p.wait("back on the tasks page", "the shell in task "+taskID, "ended", taskID[:12], "RUNNING")

	// F: the published address, listed on :forwards, answers HTTP.
	p.keys(false, "F")
	s := p.wait("the forward listed", "forwards", "published", "127.0.0.1:")
	addr := regexp.MustCompile(`127\.0\.0\.1:\d+`).FindString(s)
	res, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("GET http://%s/: %v\n%s", addr, err, s)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "served-by-the-task") {
		t.Fatalf("http://%s/ answered %d %q", addr, res.StatusCode, body)
	}

	// Docker: e on the container opens docker exec -it, and comes back.
	p.keys(false, "5")
	p.keys(false, "/")
	p.keys(true, dk)
	p.keys(false, "Enter")
	p.wait("the container listed", dk, "running")
	p.keys(false, "e")
	p.wait("a shell prompt in the container", ":/#")
	p.keys(true, "echo docker-$((6*7))-$HOSTNAME")
	p.keys(false, "Enter")
	p.wait("the command's output", "docker-42-"+id[:12])
	p.keys(true, "exit")
	p.keys(false, "Enter")
	p.wait("back on the docker pane", "the shell in "+dk+" ended", dk)
	p.keys(false, "q")
}
