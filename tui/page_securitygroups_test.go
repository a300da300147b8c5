package tui

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"deckhand/aws/sandbox"
	"deckhand/internal/cloud"
)

// TestSecurityGroupsPage: on a sandbox account, :sg lists the groups with
// their rules (SSH from anywhere stands out), and ctrl+k deletes one after
// its name is typed, the list read again without it.
func TestSecurityGroupsPage(t *testing.T) {
	ctx := context.Background()
	acct, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Speed: 50})
	if err != nil {
		t.Fatal(err)
	}
	vpc, err := acct.DefaultVPC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := acct.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: "aaa-open-ssh", VpcID: vpc.ID, Description: "for the test",
		Ingress: []cloud.IngressRule{{Port: 22, CIDR: "0.0.0.0/0"}, {Port: 80, CIDR: "203.0.113.0/24"}}})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := newLoaded(t, 160, 40)
	m.cfg.SecurityGroups = acct
	do(m, openCmd(m, "sg"))
	mustContain(t, screen(m), "security groups [", "aaa-open-ssh", id, "tcp 22 from anywhere, tcp 80 from 203.0.113.0/24")
	press(m, "g", "ctrl+k")
	mustContain(t, screen(m), "Delete security group?", "Type aaa-open-ssh to confirm", "$ aws ec2 delete-security-group --group-id "+id)
	typeText(m, "aaa-open-ssh")
	do(m, press(m, "enter"))
	mustContain(t, status(m), "delete requested for security group aaa-open-ssh")
	if slices.Contains(firstCells(m), "aaa-open-ssh") {
		t.Fatalf("the deleted group is still listed: %v", firstCells(m))
	}
	gs, err := acct.SecurityGroups(ctx)
	if err != nil || slices.ContainsFunc(gs, func(g cloud.SecurityGroup) bool { return g.ID == id }) {
		t.Fatalf("the group is still there: %v %v", gs, err)
	}
}
