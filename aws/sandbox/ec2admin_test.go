package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"deckhand/aws/contract"
	"deckhand/internal/cloud"
)

// TestContractEC2Admin runs the EC2 administration contract against the
// sandbox, each group on a fresh account with its own driven clock.
func TestContractEC2Admin(t *testing.T) {
	ro, err := Open(Options{Path: filepath.Join(t.TempDir(), "ro.json"), Clock: newClock(), Readonly: true})
	if err != nil {
		t.Fatal(err)
	}
	contract.RunEC2Admin(t, contract.Target{
		Name: "sandbox",
		New: func(t *testing.T) cloud.Backend {
			a, err := Open(Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Clock: newClock()})
			if err != nil {
				t.Fatal(err)
			}
			return a
		},
		Advance: func(t *testing.T, b cloud.Backend, d time.Duration) {
			b.(*Account).clock.(*clock).Advance(d)
		},
		Seeded: func(t *testing.T, b cloud.Backend) contract.Fixtures {
			var fx contract.Fixtures
			err := b.(*Account).view(context.Background(), func(w *world, r *region) error {
				fx = contract.Fixtures{
					ImageID: r.Images[0].ID, Subnets: []string{r.Subnets[0].ID},
					SecurityGroup: r.SecurityGroups[0].ID, KeyName: r.KeyPairs[0].Name,
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return fx
		},
	}, ro)
}

// instanceContainerIDs are the engine's containers of the instance.
func instanceContainerIDs(t *testing.T, a *Account, id string) []string {
	t.Helper()
	var out []string
	for _, c := range containers(t, a.runner.(*engineRunner).e, a) {
		if c.Labels[labelInstance] == id {
			out = append(out, c.ID)
		}
	}
	return out
}

// A reboot keeps the instance running, re-initializes its status checks
// and restarts its cloud-config containers for real (a new container that
// answers); the console shows the new boot's docker run.
func TestRealInstanceReboot(t *testing.T) {
	ctx := context.Background()
	e := engine(t)
	ref := ecrRef("ec2-reboot")
	fixtureImage(t, e, ref)
	clk := newClock()
	a := openDocker(t, clk, e)
	ids := lookup(t, a)
	in, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "web", ImageID: ids.ami, InstanceType: "t3.micro", UserData: cloudConfig(ref)})
	mustNil(t, err)
	untilInstance(t, clk, a, in.ID, "running")
	clk.Advance(3 * time.Minute) // past the first checks
	x := untilInstance(t, clk, a, in.ID, "running")
	if x.StatusCheck != "ok" || x.SystemCheck != "ok" || x.InstanceCheck != "ok" || x.EBSCheck != "ok" {
		t.Fatalf("checks %q (system %q, instance %q, ebs %q), want ok", x.StatusCheck, x.SystemCheck, x.InstanceCheck, x.EBSCheck)
	}
	httpGet(t, instanceURL(t, x))
	before := instanceContainerIDs(t, a, in.ID)
	if len(before) != 1 {
		t.Fatalf("%d containers before the reboot, want 1", len(before))
	}

	mustNil(t, a.RebootInstances(ctx, in.ID))
	x = untilInstance(t, clk, a, in.ID, "running")
	if x.StatusCheck != "initializing" {
		t.Errorf("right after the reboot: checks %q, want initializing", x.StatusCheck)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		after := instanceContainerIDs(t, a, in.ID)
		x = untilInstance(t, clk, a, in.ID, "running")
		if len(after) == 1 && after[0] != before[0] && len(x.LocalBindings) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the container was not restarted: before %v, now %v", before, after)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if body := httpGet(t, instanceURL(t, x)); !strings.HasPrefix(body, "ok ") {
		t.Errorf("after the reboot GET answered %q", body)
	}
	out, err := a.ConsoleOutput(ctx, in.ID)
	mustNil(t, err)
	if now := instanceContainerIDs(t, a, in.ID); !strings.Contains(out, now[0]) || !strings.Contains(out, "finished at") {
		t.Errorf("console lacks the new container %s or cloud-init's end:\n%s", now[0], out)
	}
	clk.Advance(time.Minute)
	if x = untilInstance(t, clk, a, in.ID, "running"); x.StatusCheck != "ok" {
		t.Errorf("a minute after the reboot: checks %q, want ok", x.StatusCheck)
	}
	mustNil(t, a.TerminateInstances(ctx, in.ID))
	untilInstance(t, clk, a, in.ID, "terminated")
}

// RebootInstances refuses an instance that is not running, as EC2 does,
// and changes none of the others named with it.
func TestRebootStates(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	launch := func() string {
		in, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "r", ImageID: ids.ami, InstanceType: "t3.micro"})
		mustNil(t, err)
		return in.ID
	}
	running, stopped := launch(), launch()
	untilInstance(t, clk, a, running, "running")
	untilInstance(t, clk, a, stopped, "running")
	clk.Advance(3 * time.Minute)
	mustNil(t, a.StopInstances(ctx, stopped))
	untilInstance(t, clk, a, stopped, "stopped")
	for _, tc := range []struct {
		name string
		ids  []string
		code string
	}{
		{"stopped", []string{stopped}, "IncorrectInstanceState"},
		{"running and stopped", []string{running, stopped}, "IncorrectInstanceState"},
		{"running", []string{running}, ""},
	} {
		err := a.RebootInstances(ctx, tc.ids...)
		if got := awsCode(err); got != tc.code || (tc.code == "") != (err == nil) {
			t.Errorf("%s: %v, want code %q", tc.name, err, tc.code)
		}
	}
	// Only the last call rebooted it: the failed ones changed nothing.
	x := untilInstance(t, clk, a, running, "running")
	if x.StatusCheck != "initializing" {
		t.Errorf("rebooted instance: checks %q, want initializing", x.StatusCheck)
	}
}

// The console shows the user data's commands and a docker run the engine
// could not start, so a user-data failure is visible there too.
func TestConsoleShowsUserDataFailure(t *testing.T) {
	e := engine(t)
	ref := ecrRef("ec2-console-broken")
	dir := t.TempDir()
	mustNil(t, os.WriteFile(filepath.Join(dir, "placeholder"), []byte("x"), 0o644))
	buildImage(t, e, ref, dir, "COPY placeholder /placeholder\nEXPOSE 8080\nENTRYPOINT [\"/no-such-binary\"]\n")
	clk := newClock()
	a := openDocker(t, clk, e)
	ids := lookup(t, a)
	ctx := context.Background()
	in, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "web", ImageID: ids.ami, InstanceType: "t3.micro", UserData: cloudConfig(ref)})
	mustNil(t, err)
	if out, err := a.ConsoleOutput(ctx, in.ID); err != nil || out != "" {
		t.Errorf("pending instance: console %q, %v; want nothing yet", out, err)
	}
	untilInstance(t, clk, a, in.ID, "running")
	deadline := time.Now().Add(time.Minute)
	for {
		out, err := a.ConsoleOutput(ctx, in.ID)
		mustNil(t, err)
		if strings.Contains(out, "docker: Error response from daemon") {
			for _, want := range []string{"+ [\"systemctl\", \"enable\"", "runcmd: docker run " + ref + " failed", "finished at"} {
				if !strings.Contains(out, want) {
					t.Errorf("console lacks %q:\n%s", want, out)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the failed docker run never showed in the console:\n%s", out)
		}
		clk.Advance(time.Second)
		time.Sleep(100 * time.Millisecond)
	}
}
