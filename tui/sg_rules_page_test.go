package tui

import (
	"context"
	"slices"
	"testing"

	"deckhand/internal/cloud"
)

// TestProgramDeleteRulePages: a group with more rules than the nine digits
// pages through them with 0, and a rule past the ninth is deleted.
func TestProgramDeleteRulePages(t *testing.T) {
	acct := ec2Sandbox(t)
	ctx := context.Background()
	vpc, err := acct.DefaultVPC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var rules []cloud.IngressRule
	for p := int32(1001); p <= 1011; p++ {
		rules = append(rules, cloud.IngressRule{Port: p, CIDR: "0.0.0.0/0"})
	}
	id, err := acct.CreateSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: "aaa-many", VpcID: vpc.ID, Ingress: rules})
	if err != nil {
		t.Fatal(err)
	}
	tm, p := startEC2(t, ec2Config(acct, t.TempDir(), true))
	runCommand(tm, "sg")
	waitScreen(t, p, "aaa-many", id)
	keys(tm, "g", "-")
	waitScreen(t, p, "Delete which inbound rule of aaa-many?", "9  tcp 1009 from anywhere", "0  rules 10–11 of 11")
	keys(tm, "0")
	waitScreen(t, p, "1  tcp 1010 from anywhere", "2  tcp 1011 from anywhere", "0  rules 1–9 of 11")
	keys(tm, "2")
	waitScreen(t, p, "Delete inbound rule?", "[ No ]", "--protocol tcp --port 1011 --cidr 0.0.0.0/0")
	keys(tm, "y")
	waitScreen(t, p, "deleted tcp 1011 from anywhere from aaa-many")
	finish(t, tm)
	if got := groupRules(t, acct, id); len(got) != 10 || slices.Contains(got, "tcp 1011 0.0.0.0/0") {
		t.Errorf("rules after deleting tcp 1011: %v", got)
	}
}
