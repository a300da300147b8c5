package contract

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"strings"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// EC2 state codes (the low byte of State.Code).
var stateCodes = map[string]int32{
	"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80,
}

var reInstanceID = regexp.MustCompile(`^i-[0-9a-f]{8,17}$`)

// instances launches an instance and takes it through stop, start and
// terminate.
func (r *run) instances() {
	t, ctx := r.t, context.Background()
	name := "contract-" + r.tag
	spec := cloud.InstanceSpec{
		Name:             name,
		ImageID:          r.fx.ImageID,
		InstanceType:     r.fx.InstanceType,
		KeyName:          r.fx.KeyName,
		SubnetID:         r.fx.Subnets[0],
		SecurityGroupIDs: []string{r.fx.SecurityGroup},
		UserData:         "#!/bin/sh\necho contract\n",
		Tags:             map[string]string{"deckhand:stack": name, "team": "contract"},
	}
	launched, err := r.b.RunInstance(ctx, spec)
	if err != nil {
		t.Fatalf("RunInstance: %v", err)
	}
	if !reInstanceID.MatchString(launched.ID) {
		t.Fatalf("RunInstance returned id %q", launched.ID)
	}
	// AWS: RunInstances reports every new instance as pending (code 0).
	r.wantState(launched, "pending")
	r.wantLaunched(launched, spec)

	id := launched.ID
	got := r.instance(id)
	r.wantLaunched(got, spec)
	// AWS: an instance is pending for tens of seconds before running.
	if !r.quirk(r.tg.Quirks.InstantInstanceStates, "InstantInstanceStates", "listed as pending right after the launch") {
		r.wantState(got, "pending")
	}
	r.waitState(id, "running")

	// Stop: stopping, then stopped with the user-initiated reason and the
	// time in StateTransitionReason.
	if err := r.b.StopInstances(ctx, id); err != nil {
		t.Fatalf("StopInstances: %v", err)
	}
	if !r.quirk(r.tg.Quirks.InstantInstanceStates, "InstantInstanceStates", "listed as stopping right after StopInstances") {
		r.wantState(r.instance(id), "stopping")
	}
	stopped := r.waitState(id, "stopped")
	if !strings.Contains(stopped.StateReason, "Client.UserInitiatedShutdown") {
		t.Errorf("stopped: StateReason = %q, want Client.UserInitiatedShutdown: …", stopped.StateReason)
	}
	if stopped.StateChanged.IsZero() {
		t.Errorf("stopped: no time in StateTransitionReason (AWS: \"User initiated (YYYY-MM-DD hh:mm:ss GMT)\")")
	}

	// Start again: pending, then running.
	if err := r.b.StartInstances(ctx, id); err != nil {
		t.Fatalf("StartInstances: %v", err)
	}
	if !r.quirk(r.tg.Quirks.InstantInstanceStates, "InstantInstanceStates", "listed as pending right after StartInstances") {
		r.wantState(r.instance(id), "pending")
	}
	r.waitState(id, "running")

	// Terminate: shutting-down, then terminated, and still listed.
	if err := r.b.TerminateInstances(ctx, id); err != nil {
		t.Fatalf("TerminateInstances: %v", err)
	}
	if !r.quirk(r.tg.Quirks.InstantInstanceStates, "InstantInstanceStates", "listed as shutting-down right after TerminateInstances") {
		r.wantState(r.instance(id), "shutting-down")
	}
	gone := r.waitState(id, "terminated")
	if gone.Name != name {
		t.Errorf("terminated instance lost its Name tag: %q", gone.Name)
	}

	// A terminated instance cannot be started again.
	if !r.quirk(r.tg.Quirks.NoInstanceStateChecks, "NoInstanceStateChecks", "StartInstances on a terminated instance is IncorrectInstanceState") {
		r.wantCode(r.b.StartInstances(ctx, id), "ec2", "StartInstances", "IncorrectInstanceState")
	}
}

// instance lists the instances and returns id's; it fails if id is not listed.
func (r *run) instance(id string) resource.Instance {
	r.t.Helper()
	i, ok := r.findInstance(id)
	if !ok {
		r.t.Fatalf("instance %s is not listed", id)
	}
	return i
}

func (r *run) findInstance(id string) (resource.Instance, bool) {
	r.t.Helper()
	all, err := r.b.Instances(context.Background())
	if err != nil {
		r.t.Fatalf("Instances: %v", err)
	}
	for _, i := range all {
		if i.ID == id {
			return i, true
		}
	}
	return resource.Instance{}, false
}

// waitState polls until id is listed in state.
func (r *run) waitState(id, state string) resource.Instance {
	r.t.Helper()
	var got resource.Instance
	r.eventually(id+" "+state, func() (bool, string) {
		var ok bool
		got, ok = r.findInstance(id)
		if !ok {
			return false, "not listed"
		}
		return got.State == state, fmt.Sprintf("%s (%d)", got.State, got.StateCode)
	})
	r.wantState(got, state)
	return got
}

func (r *run) wantState(i resource.Instance, state string) {
	r.t.Helper()
	if i.State != state || i.StateCode != stateCodes[state] {
		r.t.Errorf("%s: state %s (%d), want %s (%d)", i.ID, i.State, i.StateCode, state, stateCodes[state])
	}
}

// wantLaunched checks what the launch request set.
func (r *run) wantLaunched(i resource.Instance, spec cloud.InstanceSpec) {
	r.t.Helper()
	tags := maps.Clone(spec.Tags)
	tags["Name"] = spec.Name
	for _, c := range []struct{ field, got, want string }{
		{"Name", i.Name, spec.Name},
		{"Type", i.Type, spec.InstanceType},
		{"ImageID", i.ImageID, spec.ImageID},
		{"KeyName", i.KeyName, spec.KeyName},
		{"SubnetID", i.SubnetID, spec.SubnetID},
	} {
		if c.got != c.want {
			r.t.Errorf("%s: %s = %q, want %q", i.ID, c.field, c.got, c.want)
		}
	}
	for k, v := range tags {
		if i.Tags[k] != v {
			r.t.Errorf("%s: tag %s = %q, want %q (tags %v)", i.ID, k, i.Tags[k], v, i.Tags)
		}
	}
}
