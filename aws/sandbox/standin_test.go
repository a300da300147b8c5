package sandbox

import (
	"context"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/testbed"
)

// ssmUntil asks for the instance's session plan, letting the worker catch
// up between asks, until done accepts it (or fails after 30 asks).
func ssmUntil(t *testing.T, clk *clock, a *Account, id string, done func(cloud.SessionPlan) bool) cloud.SessionPlan {
	t.Helper()
	var p cloud.SessionPlan
	for i := 0; i < 30; i++ {
		var err error
		p, err = a.SSMPlan(context.Background(), cloud.SessionTarget{InstanceID: id})
		mustNil(t, err)
		if done(p) {
			return p
		}
		caughtUp(a)
		clk.Advance(time.Second)
	}
	t.Fatalf("instance %s: the plan never got there: %+v", id, p)
	return p
}

// On the real engine: a running instance whose user data runs nothing gets
// a stand-in container; the plan's docker exec answers from inside it with
// the instance's private DNS name as hostname; stopping the instance
// removes it; with none of the candidate images on the engine the plan says
// which were looked for and how to get one, and nothing is started.
func TestSSMStandIn(t *testing.T) {
	ctx := context.Background()
	e := engine(t)
	const base = "deckhand/python-base:bookworm"
	if _, err := e.InspectImage(ctx, base); err != nil {
		testbed.Missing(t, "the image "+base, "run scripts/python-base-image")
	}
	absent := "h-standin-absent-" + randHex() + ":1" // no engine has it: the next candidate is taken
	clk := newClock()
	a := openDocker(t, clk, e, func(o *Options) { o.StandInImages = []string{absent, base} })
	ids := lookup(t, a)
	in, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "bare", ImageID: ids.ami, InstanceType: "t3.micro"})
	mustNil(t, err)
	untilInstance(t, clk, a, in.ID, "running")

	p := ssmUntil(t, clk, a, in.ID, func(p cloud.SessionPlan) bool {
		if len(p.Missing) == 1 && !strings.Contains(p.Missing[0], "starting a stand-in") {
			t.Fatalf("missing %q, want the stand-in to start", p.Missing)
		}
		return len(p.Missing) == 0
	})
	i := slices.Index(p.Argv, "-it")
	if p.Argv[0] != "docker" || i < 0 {
		t.Fatalf("argv %q, want docker exec -it …", p.Argv)
	}
	args := slices.Clone(p.Argv[1:])
	args[i-1] = "-i"
	cmd := exec.Command("docker", args...)
	cmd.Stdin = strings.NewReader("echo hello-$$; hostname; exit\n")
	out, err := cmd.CombinedOutput()
	want := privateDNSName("us-east-1", in.PrivateIP)
	if err != nil || !regexp.MustCompile(`hello-[0-9]+\n`).Match(out) || !strings.Contains(string(out), want) {
		t.Fatalf("docker %q: %v\n%s\nwant hello-PID and hostname %s", args, err, out, want)
	}
	var standIns []string
	for _, c := range containers(t, e, a) {
		if c.Labels[labelInstance] == in.ID && c.Labels[labelStandIn] == "1" && c.State == "running" &&
			strings.Contains(c.Name, in.ID) && c.Image == base {
			standIns = append(standIns, c.ID)
		}
	}
	if len(standIns) != 1 || !slices.Contains(p.Argv, standIns[0]) {
		t.Fatalf("stand-ins of %s on the engine: %q, want the one container of %s the plan execs into (%q)", in.ID, standIns, base, p.Argv)
	}
	// A second ask reuses it.
	if p2 := ssmUntil(t, clk, a, in.ID, func(cloud.SessionPlan) bool { return true }); !slices.Equal(p2.Argv, p.Argv) {
		t.Fatalf("second plan %q, want the same %q", p2.Argv, p.Argv)
	}

	// A reboot restarts it, as it ends a session on the instance.
	mustNil(t, a.RebootInstances(ctx, in.ID))
	caughtUp(a)
	p3 := ssmUntil(t, clk, a, in.ID, func(p cloud.SessionPlan) bool { return len(p.Missing) == 0 })
	if slices.Equal(p3.Argv, p.Argv) || instanceContainers(t, a, in.ID) != 1 {
		t.Fatalf("after the reboot the plan execs into %q (before %q), %d containers: want one new stand-in",
			p3.Argv, p.Argv, instanceContainers(t, a, in.ID))
	}

	// A stand-in lives while its instance runs: stopping or terminating
	// it removes the container.
	for _, tc := range []struct {
		name, state string
		end         func(id string) error
	}{
		{"stop", "stopped", func(id string) error { return a.StopInstances(ctx, id) }},
		{"terminate", "terminated", func(id string) error { return a.TerminateInstances(ctx, id) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := in.ID
			if tc.name != "stop" { // the first instance is stopped already: a fresh one
				x, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "bare2", ImageID: ids.ami, InstanceType: "t3.micro"})
				mustNil(t, err)
				untilInstance(t, clk, a, x.ID, "running")
				ssmUntil(t, clk, a, x.ID, func(p cloud.SessionPlan) bool { return len(p.Missing) == 0 })
				id = x.ID
			}
			if n := instanceContainers(t, a, id); n != 1 {
				t.Fatalf("%d containers of %s before, want its stand-in", n, id)
			}
			mustNil(t, tc.end(id))
			untilInstance(t, clk, a, id, tc.state)
			caughtUp(a)
			if n := instanceContainers(t, a, id); n != 0 {
				t.Fatalf("%d containers of the %s instance remain, want its stand-in removed", n, tc.state)
			}
			if p := ssmUntil(t, clk, a, id, func(cloud.SessionPlan) bool { return true }); p.Argv != nil ||
				!strings.Contains(strings.Join(p.Missing, "\n"), "is "+tc.state) {
				t.Fatalf("plan on the %s instance %+v", tc.state, p)
			}
		})
	}

	// While another worker holds the engine (its round's lock), the plan
	// waits no longer than standInWait and says to press e again; reads
	// meanwhile do not wait at all.
	t.Run("engine busy", func(t *testing.T) {
		clk := newClock()
		a := openDocker(t, clk, e, func(o *Options) { o.StandInImages = []string{base} })
		ids := lookup(t, a)
		in, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "bare", ImageID: ids.ami, InstanceType: "t3.micro"})
		mustNil(t, err)
		untilInstance(t, clk, a, in.ID, "running")
		unlock, err := lockFile(ctx, a.Path()+".engine")
		mustNil(t, err)
		locked := true
		defer func() {
			if locked {
				unlock()
			}
		}()
		readTook := make(chan time.Duration, 1)
		go func() {
			time.Sleep(time.Second) // while the plan waits
			start := time.Now()
			_, err := a.Instances(ctx)
			if err != nil {
				t.Error(err)
			}
			readTook <- time.Since(start)
		}()
		start := time.Now()
		p, err := a.SSMPlan(ctx, cloud.SessionTarget{InstanceID: in.ID})
		took := time.Since(start)
		mustNil(t, err)
		if p.Argv != nil || !strings.Contains(strings.Join(p.Missing, "\n"), "starting a stand-in") || took < standInWait || took > standInWait+2*time.Second {
			t.Fatalf("plan %+v after %v, want \"starting a stand-in\" after about %v", p, took, standInWait)
		}
		if d := <-readTook; d > time.Second {
			t.Errorf("a read took %v while the engine was busy", d)
		}
		unlock()
		locked = false
		ssmUntil(t, clk, a, in.ID, func(p cloud.SessionPlan) bool { return len(p.Missing) == 0 })
	})

	t.Run("no image", func(t *testing.T) {
		none := []string{"h-standin-absent-" + randHex() + ":1", "h-standin-absent-" + randHex() + ":2"}
		clk := newClock()
		a := openDocker(t, clk, e, func(o *Options) { o.StandInImages = none })
		ids := lookup(t, a)
		in, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "bare", ImageID: ids.ami, InstanceType: "t3.micro"})
		mustNil(t, err)
		untilInstance(t, clk, a, in.ID, "running")
		p := ssmUntil(t, clk, a, in.ID, func(p cloud.SessionPlan) bool {
			return strings.Contains(strings.Join(p.Missing, "\n"), "could not start")
		})
		msg := strings.Join(p.Missing, "\n")
		for _, w := range []string{none[0], none[1], "docker pull " + none[0], "scripts/python-base-image"} {
			if !strings.Contains(msg, w) {
				t.Errorf("missing %q does not say %q", msg, w)
			}
		}
		if p.Argv != nil || instanceContainers(t, a, in.ID) != 0 {
			t.Errorf("plan %q, %d containers: want nothing run", p.Argv, instanceContainers(t, a, in.ID))
		}
	})
}

// The stand-in's image follows the AMI's family, then the local ones.
func TestStandInImages(t *testing.T) {
	a := open(t, newClock())
	r := &region{Name: "eu-west-1"}
	for _, tc := range []struct{ ami, want string }{
		{"al2023-ami-2023.6.20250115.0-kernel-6.1-x86_64", "amazonlinux:2023"},
		{"ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250115", "ubuntu:24.04"},
		{"debian-12-amd64-20250112-1990", "debian:12"},
		{"windows-2022", "deckhand/python-base:bookworm"},
	} {
		r.Images = []*image{{ID: "ami-1", Name: tc.ami}}
		got := a.standInImages(r, &instance{ImageID: "ami-1"})
		if got[0] != tc.want || !slices.Contains(got, "busybox:latest") || !slices.Contains(got, "deckhand/python-base:bookworm") {
			t.Errorf("%s: %q, want %s first, then the local ones", tc.ami, got, tc.want)
		}
	}
	if got := privateDNSName("eu-west-1", "172.31.4.5"); got != "ip-172-31-4-5.eu-west-1.compute.internal" {
		t.Errorf("privateDNSName = %s", got)
	}
}
