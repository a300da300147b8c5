package sandbox

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/explain"
	"deckhand/internal/resource"
)

// TestInstanceLifecycle watches one instance through every EC2 state, as the
// watcher would see it, polling every second on the driven clock.
func TestInstanceLifecycle(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	w := watchAll(t, clk, a)

	launched := clk.Now()
	in, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "learner", ImageID: ids.ami, InstanceType: "t3.micro", KeyName: "sandbox-key"})
	mustNil(t, err)
	if in.State != "pending" || in.StateCode != 0 || in.PublicIP != "" || in.PrivateIP == "" || in.Name != "learner" {
		t.Fatalf("RunInstance returned %+v, want a pending instance with a private IP only", in)
	}
	w.poll()
	w.run(time.Minute, time.Second)
	ph := w.phases(in.ID)
	if got := w.path(in.ID); !slices.Equal(got, []string{"pending", "running"}) {
		t.Fatalf("launch path %v, want pending, running", got)
	}
	within(t, "pending → running", ph[1].at.Sub(launched), ec2Pending.lo, ec2Pending.hi)
	running := get(t, a, in.ID)
	if running.StateCode != 16 || running.PublicIP == "" || running.StateReason != "" {
		t.Errorf("running instance %+v, want code 16 with a public IP", running)
	}
	// Status checks initialize for a minute or two after running, then pass.
	if running.StatusCheck != "initializing" && clk.Now().Sub(ph[1].at) < ec2Checks.lo {
		t.Errorf("status check %q right after running, want initializing", running.StatusCheck)
	}
	w.run(ec2Checks.hi, time.Second)
	if got := get(t, a, in.ID); got.StatusCheck != "ok" {
		t.Errorf("status check %q %v after running, want ok", got.StatusCheck, ec2Checks.hi)
	}

	stopped := clk.Now()
	mustNil(t, a.StopInstances(ctx, in.ID))
	w.poll()
	w.run(time.Minute, time.Second)
	ph = w.phases(in.ID)[2:]
	if got := w.path(in.ID)[2:]; !slices.Equal(got, []string{"stopping", "stopped"}) {
		t.Fatalf("stop path %v, want stopping, stopped", got)
	}
	within(t, "stopping → stopped", ph[1].at.Sub(stopped), ec2Stopping.lo, ec2Stopping.hi)
	got := get(t, a, in.ID)
	if got.StateCode != 80 || got.StateReason != userShutdown || !got.StateChanged.Equal(stopped) || got.PublicIP != "" || got.StatusCheck != "" {
		t.Errorf("stopped instance %+v, want code 80, %q at %v, no public IP", got, userShutdown, stopped)
	}

	mustNil(t, a.StartInstances(ctx, in.ID))
	w.poll()
	w.run(time.Minute, time.Second)
	if got := w.path(in.ID)[4:]; !slices.Equal(got, []string{"pending", "running"}) {
		t.Fatalf("start path %v, want pending, running", got)
	}
	got = get(t, a, in.ID)
	if got.StateReason != "" || !got.StateChanged.IsZero() || got.PublicIP == "" || got.PrivateIP != in.PrivateIP {
		t.Errorf("restarted instance %+v: want the reason cleared, a new public IP, the same private IP", got)
	}

	terminated := clk.Now()
	mustNil(t, a.TerminateInstances(ctx, in.ID))
	w.poll()
	w.run(time.Minute, time.Second)
	ph = w.phases(in.ID)[6:]
	if got := w.path(in.ID)[6:]; !slices.Equal(got, []string{"shutting-down", "terminated"}) {
		t.Fatalf("terminate path %v, want shutting-down, terminated", got)
	}
	within(t, "shutting-down → terminated", ph[1].at.Sub(terminated), ec2ShuttingDown.lo, ec2ShuttingDown.hi)
	if got := get(t, a, in.ID); got.StateCode != 48 || got.StateReason != userShutdown {
		t.Errorf("terminated instance %+v, want code 48 and %q", got, userShutdown)
	}
	w.run(time.Hour, 10*time.Second)
	ph = w.phases(in.ID)
	if last := ph[len(ph)-1]; last.to != "" {
		t.Fatalf("terminated instance still listed an hour later: %v", w.path(in.ID))
	} else {
		within(t, "terminated instance retention", last.at.Sub(ph[len(ph)-2].at), ec2Retention.lo, ec2Retention.hi+10*time.Second)
	}
}

func get(t *testing.T, a *Account, id string) resource.Instance {
	t.Helper()
	ins, err := a.Instances(context.Background())
	mustNil(t, err)
	for _, in := range ins {
		if in.ID == id {
			return in
		}
	}
	t.Fatalf("instance %s not listed", id)
	return resource.Instance{}
}

func TestSpeed(t *testing.T) {
	clk := newClock()
	a := open(t, clk, func(o *Options) { o.Speed = 10 })
	ids := lookup(t, a)
	web2 := ids.instances["web-2"]
	if web2.State != "pending" {
		t.Fatalf("seeded web-2 is %s, want pending", web2.State)
	}
	w := watchAll(t, clk, a)
	w.run(5*time.Second, 100*time.Millisecond)
	ph := w.phases(web2.ID)
	if len(ph) != 1 || ph[0].to != "running" {
		t.Fatalf("web-2 at speed 10: %v, want running within 5 s", w.path(web2.ID))
	}
	if d := ph[0].at.Sub(web2.LaunchTime); d < ec2Pending.lo/10 || d > ec2Pending.hi/10+100*time.Millisecond {
		t.Errorf("pending → running took %v at speed 10, want %v–%v", d, ec2Pending.lo/10, ec2Pending.hi/10)
	}
}

func TestInstanceErrors(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	web1, web2, old := ids.instances["web-1"].ID, ids.instances["web-2"].ID, ids.instances["old-worker"].ID
	var otherVPCGroup string
	mustNil(t, a.update(ctx, func(w *world, r *region) error {
		otherVPCGroup = w.ec2ID("sg")
		r.SecurityGroups = append(r.SecurityGroups, &securityGroup{ID: otherVPCGroup, Name: "elsewhere", VpcID: w.ec2ID("vpc")})
		return nil
	}))
	spec := func(mod func(*cloud.InstanceSpec)) cloud.InstanceSpec {
		s := cloud.InstanceSpec{Name: "x", ImageID: ids.ami, InstanceType: "t3.micro"}
		mod(&s)
		return s
	}
	run := func(mod func(*cloud.InstanceSpec)) error {
		_, err := a.RunInstance(ctx, spec(mod))
		return err
	}
	tests := []struct {
		name, code, msg string
		err             error
	}{
		{"malformed id", "InvalidInstanceID.Malformed", "", a.StartInstances(ctx, "web-1")},
		{"unknown id", "InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist",
			a.StopInstances(ctx, "i-0123456789abcdef0")},
		{"unknown ids", "InvalidInstanceID.NotFound", "The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist",
			a.TerminateInstances(ctx, "i-0123456789abcdef0", web1, "i-0123456789abcdef1")},
		{"start shutting-down", "IncorrectInstanceState", "The instance '" + old + "' is not in a state from which it can be started.",
			a.StartInstances(ctx, old)},
		{"stop pending (with a running one)", "IncorrectInstanceState", "The instance '" + web2 + "' is not in a state from which it can be stopped.",
			a.StopInstances(ctx, web1, web2)},
		{"unknown AMI", "InvalidAMIID.NotFound", "The image id '[ami-0123456789abcdef0]' does not exist",
			run(func(s *cloud.InstanceSpec) { s.ImageID = "ami-0123456789abcdef0" })},
		{"malformed AMI", "InvalidAMIID.Malformed", "", run(func(s *cloud.InstanceSpec) { s.ImageID = "ubuntu" })},
		{"unknown type", "InvalidParameterValue", "Invalid value 't9.mega' for InstanceType.",
			run(func(s *cloud.InstanceSpec) { s.InstanceType = "t9.mega" })},
		{"unknown key pair", "InvalidKeyPair.NotFound", "The key pair 'nope' does not exist",
			run(func(s *cloud.InstanceSpec) { s.KeyName = "nope" })},
		{"unknown subnet", "InvalidSubnetID.NotFound", "The subnet ID 'subnet-0123456789abcdef0' does not exist",
			run(func(s *cloud.InstanceSpec) { s.SubnetID = "subnet-0123456789abcdef0" })},
		{"unknown group", "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist",
			run(func(s *cloud.InstanceSpec) { s.SecurityGroupIDs = []string{"sg-0123456789abcdef0"} })},
		{"group of another VPC", "InvalidParameter", "belong to different networks",
			run(func(s *cloud.InstanceSpec) { s.SecurityGroupIDs = []string{otherVPCGroup} })},
		{"no name", "MissingParameter", "", run(func(s *cloud.InstanceSpec) { s.Name = "" })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e *cloud.Error
			if !errors.As(tc.err, &e) || e.Code != tc.code || !strings.Contains(e.Message, tc.msg) {
				t.Fatalf("got %v, want %s: %s", tc.err, tc.code, tc.msg)
			}
		})
	}
	// A refused call changes nothing: web-1 is still running.
	if got := get(t, a, web1); got.State != "running" {
		t.Errorf("web-1 is %s after a refused StopInstances, want running", got.State)
	}
	// Idempotent calls succeed without a change.
	mustNil(t, a.StartInstances(ctx, web1))
	mustNil(t, a.StopInstances(ctx, ids.instances["batch"].ID))
	mustNil(t, a.TerminateInstances(ctx, old))
}

// TestLaunchFailure: an AMI whose snapshot is gone is accepted, then the
// instance goes from pending straight to terminated with EC2's StateReason.
func TestLaunchFailure(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	var broken string
	mustNil(t, a.view(ctx, func(w *world, r *region) error {
		broken = find(r.Images, func(im *image) bool { return im.BrokenSnapshot }).ID
		return nil
	}))
	w := watchAll(t, clk, a)
	in, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "doomed", ImageID: broken, InstanceType: "t3.micro"})
	mustNil(t, err)
	w.poll()
	w.run(time.Minute, time.Second)
	if got := w.path(in.ID); !slices.Equal(got, []string{"pending", "terminated"}) {
		t.Fatalf("launch path %v, want pending, terminated", got)
	}
	got := get(t, a, in.ID)
	if got.StateCode != 48 || got.StateReason != launchFailure || got.PublicIP != "" || got.StatusCheck != "" {
		t.Errorf("failed launch %+v, want code 48 with %q", got, launchFailure)
	}
	if why := explain.Reason(got.StateReason); !strings.Contains(why, "snapshot") {
		t.Errorf("explanation %q does not mention the snapshot", why)
	}
}
