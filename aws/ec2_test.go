package aws

import (
	"context"
	"slices"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"deckhand/internal/resource"
)

func TestInstancesFields(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, log := f.client(t)
	ami := f.ami(t)

	if _, err := f.ec2.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: sdkaws.String("deck-key")}); err != nil {
		t.Fatal(err)
	}
	run, err := f.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: sdkaws.String(ami), InstanceType: ec2types.InstanceTypeT3Small, KeyName: sdkaws.String("deck-key"),
		MinCount: sdkaws.Int32(1), MaxCount: sdkaws.Int32(1),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{
			{Key: sdkaws.String("Name"), Value: sdkaws.String("web")}, {Key: sdkaws.String("env"), Value: sdkaws.String("prod")},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	web := sdkaws.ToString(run.Instances[0].InstanceId)
	db := f.instances(t, ami, "db", 1)[0]
	unnamed := f.instances(t, ami, "", 2)

	before := time.Now().UTC().Truncate(time.Second)
	if _, err := f.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{db}}); err != nil {
		t.Fatal(err)
	}

	got, err := c.Instances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by Name then ID: the two unnamed ones (by ID), db, web.
	slices.Sort(unnamed)
	wantOrder := append(unnamed, db, web)
	var order []string
	for _, i := range got {
		order = append(order, i.ID)
	}
	if !slices.Equal(order, wantOrder) {
		t.Fatalf("order = %v, want %v", order, wantOrder)
	}

	byID := map[string]resource.Instance{}
	for _, i := range got {
		byID[i.ID] = i
	}
	w := byID[web]
	checks := []struct {
		field, got, want string
	}{
		{"Name", w.Name, "web"},
		{"State", w.State, "running"},
		{"Type", w.Type, "t3.small"},
		{"KeyName", w.KeyName, "deck-key"},
		{"ImageID", w.ImageID, ami},
		{"Tags[env]", w.Tags["env"], "prod"},
		{"Tags[Name]", w.Tags["Name"], "web"},
		{"StateReason", w.StateReason, ""},
		// moto reports both checks "ok" at once; AWS says "initializing"
		// for the first minutes (the sandbox follows AWS).
		{"StatusCheck", w.StatusCheck, "ok"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("web.%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if w.StateCode != 16 || w.AZ == "" || w.PrivateIP == "" || w.PublicIP == "" || w.VpcID == "" ||
		w.SubnetID == "" || w.LaunchTime.IsZero() || !w.StateChanged.IsZero() {
		t.Errorf("web = %+v", w)
	}

	d := byID[db]
	if d.StatusCheck != "" {
		t.Errorf("stopped instance has status check %q; checks are only reported while running", d.StatusCheck)
	}
	if d.State != "stopped" || d.StateCode != 80 || d.StateReason != "Client.UserInitiatedShutdown: User initiated shutdown" {
		t.Errorf("db state = %q %d %q", d.State, d.StateCode, d.StateReason)
	}
	// moto writes "User initiated (2026-01-02 15:04:05 UTC)" (AWS: "GMT").
	if d.StateChanged.Before(before) || d.StateChanged.After(time.Now().Add(time.Minute)) {
		t.Errorf("db StateChanged = %v, want about %v", d.StateChanged, before)
	}
	if u := byID[unnamed[0]]; u.Name != "" || u.Tags != nil || u.Label() != u.ID {
		t.Errorf("unnamed = %+v", u)
	}
	log.check(t)
}

// TestInstancesPagination makes moto page with a small MaxResults (moto
// pages by reservation, like AWS) and checks that every instance of every
// page arrives once.
func TestInstancesPagination(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, log := f.client(t)
	c.ec2PageSize = 5
	ami := f.ami(t)
	var want []string
	for range 12 { // 12 reservations of 2: pages of 5, 5, 2 reservations
		want = append(want, f.instances(t, ami, "", 2)...)
	}
	got, err := c.Instances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, instanceIDs(got), want)
	pages := log.ops("DescribeInstances")
	if len(pages) != 3 || pages[0].Page || !pages[1].Page || !pages[2].Page {
		t.Errorf("DescribeInstances calls = %+v, want 3 pages", pages)
	}
}

func instanceIDs(is []resource.Instance) []string {
	out := make([]string, len(is))
	for i, x := range is {
		out[i] = x.ID
	}
	return out
}

func TestParseTransitionTime(t *testing.T) {
	at := time.Date(2024, 1, 2, 15, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		reason string
		want   time.Time
	}{
		{"User initiated (2024-01-02 15:04:05 GMT)", at},
		{"User initiated (2024-01-02 15:04:05 UTC)", at}, // moto
		{"Server.SpotInstanceTermination (2024-01-02 15:04:05 GMT)", at},
		{"", time.Time{}},
		{"User initiated", time.Time{}},
		{"User initiated (2024-13-02 15:04:05 GMT)", time.Time{}}, // no month 13
	} {
		if got := parseTransitionTime(tc.reason); !got.Equal(tc.want) {
			t.Errorf("parseTransitionTime(%q) = %v, want %v", tc.reason, got, tc.want)
		}
	}
}

// TestToInstanceNilSafe converts an instance with every pointer nil.
func TestToInstanceNilSafe(t *testing.T) {
	got := toInstance(ec2types.Instance{})
	if got.ID != "" || got.State != "" || got.Tags != nil || !got.LaunchTime.IsZero() {
		t.Errorf("toInstance(empty) = %+v", got)
	}
	// The high byte of the state code is internal to AWS and ignored.
	got = toInstance(ec2types.Instance{State: &ec2types.InstanceState{Code: sdkaws.Int32(16 + 256), Name: "running"}})
	if got.StateCode != 16 {
		t.Errorf("StateCode = %d, want 16", got.StateCode)
	}
}
