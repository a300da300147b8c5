package tui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"deckhand/aws/sandbox"
	"deckhand/internal/launch"
	launchaws "deckhand/internal/launch/aws"
)

// ec2Planner plans EC2 launches of an existing image with the real EC2
// target on a sandbox account, recording what the wizard asked for.
type ec2Planner struct {
	acct *sandbox.Account
	reqs []launch.Request
}

func (p *ec2Planner) PlanLaunch(req launch.Request) ([]launch.Step, func() string, error) {
	p.reqs = append(p.reqs, req)
	steps, res, err := launchaws.EC2(p.acct, nil, launchaws.EC2Options{Stack: req.Stack, Image: req.Image,
		SSHCIDR: req.SSHCIDR, Sandbox: true})
	if err != nil {
		return nil, nil, err
	}
	return steps, func() string { return res.URL }, nil
}

func (p *ec2Planner) PlanDestroy(context.Context, string, string) ([]launch.Step, error) {
	return nil, nil
}

// TestWizardSSHCIDR: on the ec2 target the wizard asks who may SSH in —
// this machine's address (looked up when the launch runs) or a CIDR the
// user gives, checked at the field; a CIDR the EC2 target refuses (the
// whole internet) comes back under the field, and a good one reaches the
// plan.
func TestWizardSSHCIDR(t *testing.T) {
	acct, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Speed: 50})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := newLoaded(t, 120, 40)
	p := &ec2Planner{acct: acct}
	m.cfg.Launcher = p
	fillWizard(m, "box")
	w := m.wiz
	mustNotContain(t, screen(m), "SSH from") // local: no SSH
	w.focus = fTarget
	press(m, "right", "right") // ec2
	w.focus = fSource
	press(m, "right") // an existing image
	w.focus = fImage
	typeText(m, "deckhand/web:latest")
	mustContain(t, screen(m), "SSH from", "[my public address]")
	mustNotContain(t, screen(m), "SSH CIDR")

	w.focus = fSSHFrom
	press(m, "right")
	w.focus = fSSHCIDR
	typeText(m, "nope")
	do(m, press(m, "enter"))
	mustContain(t, screen(m), `SSH CIDR "nope" is not a CIDR block or an address`)
	if len(p.reqs) != 0 {
		t.Fatal("a bad CIDR reached the planner")
	}

	press(m, "ctrl+u")
	typeText(m, "0.0.0.0/0")
	do(m, press(m, "enter"))
	if f := w.field(fSSHCIDR); !strings.Contains(f.err, "whole internet") || w.focus != fSSHCIDR {
		t.Fatalf("the planner's refusal is not under the field: %q (focus %s)\n%s", f.err, w.focus, screen(m))
	}

	press(m, "ctrl+u")
	typeText(m, "203.0.113.7")
	do(m, press(m, "enter"))
	s := screen(m)
	mustContain(t, s, "Plan: launch box on ec2", "SSH is let in from 203.0.113.7/32 only")
	if last := p.reqs[len(p.reqs)-1]; last.SSHCIDR != "203.0.113.7" {
		t.Fatalf("request SSHCIDR %q", last.SSHCIDR)
	}
}
