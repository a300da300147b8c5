package tui

import (
	"context"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
	"deckhand/internal/watch"
)

// EC2 administration in the TUI (issue 9): reboot (r), the instance
// detail's security groups, key pair, ssh command and status checks, the
// console output page (V), the key pairs page (:keypairs) and the security
// groups page's create and rule keys (sg_edit.go).

// The :sg and :keypairs pages' kinds, which scope their keys in the keymap
// (+, - and I mean something there only).
const (
	kindSecurityGroups resource.Kind = "sg"
	kindKeyPairs       resource.Kind = "keypairs"
)

// EC2Tools is what those pages call; a nil field is not offered.
type EC2Tools struct {
	Admin    cloud.EC2Admin // reboot, console, key pair list, SG writes
	KeyPairs cloud.KeyPairs // create, import, delete key pairs
	// Network finds the default VPC for a new group; Images names an
	// instance's AMI (its family gives the ssh user).
	Network interface {
		DefaultVPC(ctx context.Context) (cloud.VPC, error)
	}
	Images interface {
		FindAMI(ctx context.Context, id string) (cloud.AMI, bool, error)
	}
	// SSHDir is where private keys are written and public keys offered
	// for import ("" = ~/.ssh).
	SSHDir string
	// MyIPURL answers this machine's public address as text ("" =
	// https://checkip.amazonaws.com). Asked only when the user chooses
	// "SSH from my address", never on the sandbox; tests point it at a
	// local server.
	MyIPURL string
}

func (t EC2Tools) sshDir() string {
	if t.SSHDir != "" {
		return t.SSHDir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".ssh"
	}
	return filepath.Join(home, ".ssh")
}

// ec2State is the model's EC2 administration state: what the instance
// detail shows beyond the store (read in a Cmd when a detail opens, again
// after ec2InfoTTL), and the instances being rebooted.
type ec2State struct {
	info      ec2Info
	infoAt    time.Time
	infoFor   string // the instance the info was read for
	loading   bool
	rebooting map[string]*reboot // by instance id
}

// ec2Info is the instance detail's extra reading.
type ec2Info struct {
	groups  map[string]cloud.SecurityGroup
	ami     cloud.AMI
	keyFile string // the private key deckhand knows for the key pair, "" = none
	err     error  // reading the groups failed
	at      time.Time
}

// ec2InfoTTL is how long the detail's groups are shown before being read
// again (they change when someone edits them; :sg shows them live).
const ec2InfoTTL = 30 * time.Second

// reboot is a reboot requested this session. AWS reports none (the state
// stays running), so deckhand shows "rebooting" from the request until the
// status checks, having left ok, pass again, or rebootShown has passed.
type reboot struct {
	at       time.Time
	label    string
	sawCheck bool // the checks left ok after the request
}

// rebootShown bounds how long an instance is shown rebooting when the
// checks never leave ok (on AWS a reboot usually takes under a minute).
const rebootShown = 90 * time.Second

type ec2InfoMsg struct {
	id   string
	info ec2Info
}

func (msg ec2InfoMsg) apply(m *Model) tea.Cmd {
	x := &m.ec2x
	x.loading = false
	if msg.id != x.infoFor {
		return nil
	}
	x.info, x.infoAt = msg.info, msg.info.at
	m.current().invalidate()
	m.current().refresh(m)
	return nil
}

// syncEC2 runs after every message (as syncStats does): it ends reboots
// whose instance is back, and reads the instance detail's extras when an
// instance's detail is shown and they are missing or old.
func (m *Model) syncEC2() tea.Cmd {
	m.endReboots()
	p, ok := m.current().(*detailPage)
	if !ok || p.ref.kind != resource.KindInstance {
		return nil
	}
	x := &m.ec2x
	it, _ := m.data.lookup(p.ref).(resource.Instance)
	now := m.now()
	if x.loading || (x.infoFor == p.ref.key && now.Sub(x.infoAt) < ec2InfoTTL) || it.ID == "" {
		return nil
	}
	x.loading, x.infoFor = true, it.ID
	groups, tools := m.cfg.SecurityGroups, m.cfg.EC2
	dir := tools.sshDir()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), taskDefsTimeout)
		defer cancel()
		info := ec2Info{at: now}
		if groups != nil {
			gs, err := groups.SecurityGroups(ctx)
			info.err = err
			info.groups = map[string]cloud.SecurityGroup{}
			for _, g := range gs {
				info.groups[g.ID] = g
			}
		}
		if tools.Images != nil && it.ImageID != "" {
			if ami, ok, err := tools.Images.FindAMI(ctx, it.ImageID); err == nil && ok {
				info.ami = ami
			}
		}
		if it.KeyName != "" {
			if f := filepath.Join(dir, it.KeyName+".pem"); fileExists(f) {
				info.keyFile = f
			}
		}
		return ec2InfoMsg{it.ID, info}
	}
}

// fileExists reports whether anything is at path, a dangling symlink
// included (a key is never written through one).
func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// startReboot marks an instance rebooting and files the transition.
func (m *Model) startReboot(id, label string) {
	if m.ec2x.rebooting == nil {
		m.ec2x.rebooting = map[string]*reboot{}
	}
	now := m.now()
	m.ec2x.rebooting[id] = &reboot{at: now, label: label}
	m.recordTransitions([]watch.Transition{{At: now, Kind: resource.KindInstance, Key: id, Label: label, From: "running", To: "rebooting"}})
	m.invalidateKind(resource.KindInstance)
}

// endReboots ends the reboots whose instance is back (see reboot).
func (m *Model) endReboots() {
	if len(m.ec2x.rebooting) == 0 {
		return
	}
	now := m.now()
	byID := map[string]*resource.Instance{}
	for i := range m.data.Instances {
		if _, ok := m.ec2x.rebooting[m.data.Instances[i].ID]; ok {
			byID[m.data.Instances[i].ID] = &m.data.Instances[i]
		}
	}
	var ended []watch.Transition
	for id, r := range m.ec2x.rebooting {
		x := byID[id]
		switch {
		case x == nil || x.State != "running":
			delete(m.ec2x.rebooting, id) // its own transition shows
			continue
		case x.StatusCheck != "ok" && x.StatusCheck != "":
			r.sawCheck = true
			continue
		case !r.sawCheck && now.Sub(r.at) < rebootShown:
			continue
		}
		delete(m.ec2x.rebooting, id)
		ended = append(ended, watch.Transition{At: now, Kind: resource.KindInstance, Key: id, Label: r.label, From: "rebooting", To: "running"})
	}
	if len(ended) > 0 {
		m.recordTransitions(ended)
		m.invalidateKind(resource.KindInstance)
	}
}

// instanceState is the STATE an instance shows: "rebooting" while a reboot
// this session is not over, else AWS's state.
func (m *Model) instanceState(x *resource.Instance) string {
	if _, ok := m.ec2x.rebooting[x.ID]; ok && x.State == "running" {
		return "rebooting"
	}
	return x.State
}

// invalidateKind rebuilds what shows k or the events (a reboot's
// transitions are filed there too), the page on screen at once.
func (m *Model) invalidateKind(k resource.Kind) {
	for _, p := range m.allPages() {
		if p.uses(k) || p.uses(kindEvents) {
			p.invalidate()
		}
	}
	m.current().refresh(m)
}

// planReboot: reboot a running instance (asks, No chosen).
func (m *Model) planReboot(j job, x resource.Instance) (job, *dialog, string) {
	api, ok := m.cfg.Actions.Instances.(cloud.InstanceRebooter)
	j.cli = m.awsCLI("ec2", "reboot-instances", "--instance-ids", x.ID)
	if !ok {
		return j, nil, "this backend cannot reboot instances"
	}
	j.run = func(ctx context.Context) error { return api.RebootInstances(ctx, x.ID) }
	id, label := x.ID, clean(x.Label())
	j.after = func(m *Model) { m.startReboot(id, label) }
	if x.State != "running" {
		return j, nil, "it is " + x.State + "; only a running instance can be rebooted"
	}
	return j, m.confirm(j, "Reboot instance?",
		"The operating system restarts; the instance stays running (AWS reports no state change), keeps its addresses and volumes, and its status checks may re-initialize."), ""
}
