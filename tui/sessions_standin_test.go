package tui

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"deckhand/aws/sandbox"
	"deckhand/dockerops"
	"deckhand/internal/resource"
	"deckhand/internal/testbed"
)

// e on a running sandbox instance whose user data runs nothing: the key's
// Cmd plans an SSM session, the sandbox starts a stand-in container on the
// real engine, and the command the TUI would hand the terminal to runs a
// shell in it (here without a terminal: commands on stdin).
func TestShellOnSandboxInstanceStandIn(t *testing.T) {
	c := testbed.Docker(t)
	e, err := dockerops.New(dockerops.Options{Host: c.DaemonHost()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	const base = "deckhand/python-base:bookworm"
	if _, err := e.InspectImage(context.Background(), base); err != nil {
		testbed.Missing(t, "the image "+base, "run scripts/python-base-image")
	}
	path := filepath.Join(t.TempDir(), "sandbox.json")
	acct, err := sandbox.Open(sandbox.Options{Path: path, Docker: e, StandInImages: []string{base}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		acct.Close()
		cs, _ := e.ContainersByLabel(context.Background(), "deckhand.sandbox.account", path)
		for _, c := range cs {
			e.Remove(context.Background(), c.ID, true)
		}
	})
	ins, err := acct.Instances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ins, func(x resource.Instance) bool { return x.Name == "web-1" && x.State == "running" })
	if i < 0 {
		t.Fatalf("no running web-1 in the seeded sandbox: %+v", ins)
	}
	cfg := testConfig()
	cfg.Sessions = acct
	m := loadedWith(t, cfg, 160, 30)
	send(m, (&feed{source: "ec2"}).update(ec2Set(ins[i]), t0))
	press(m, "1")
	cmd := press(m, "e")
	if cmd == nil {
		t.Fatalf("e returned no Cmd:\n%s", screen(m))
	}
	msg, ok := cmd().(sessionReadyMsg)
	if !ok || msg.err != nil || msg.cmd == nil {
		t.Fatalf("e planned %+v, want a docker exec to run", msg)
	}
	send(m, msg)
	mustContain(t, screen(m), "a shell in instance web-1")
	if !strings.HasPrefix(m.lastCLI, "docker ") || !strings.Contains(m.lastCLI, " exec -it ") {
		t.Errorf("y would copy %q, want the docker exec", m.lastCLI)
	}
	args := slices.Clone(msg.cmd.Args[1:])
	args[slices.Index(args, "-it")] = "-i"
	run := exec.Command(msg.cmd.Path, args...)
	run.Stdin = strings.NewReader("echo hello-$$; exit\n")
	out, err := run.CombinedOutput()
	if err != nil || !regexp.MustCompile(`hello-[0-9]+`).Match(out) {
		t.Fatalf("%s %q: %v\n%s", msg.cmd.Path, args, err, out)
	}
}
