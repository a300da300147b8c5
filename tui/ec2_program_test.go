package tui

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"golang.org/x/crypto/ssh"

	"deckhand/aws/sandbox"
	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// The EC2 administration flows through the running program (teatest)
// against a real sandbox account in a temporary directory.

func ec2Sandbox(t *testing.T) *sandbox.Account {
	t.Helper()
	acct, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Speed: 50})
	if err != nil {
		t.Fatal(err)
	}
	return acct
}

func ec2Config(acct *sandbox.Account, sshDir string, isSandbox bool) Config {
	cfg := testConfig()
	cfg.Now, cfg.Sandbox = nil, isSandbox
	cfg.SecurityGroups = acct
	cfg.Actions = Actions{Instances: acct}
	cfg.EC2 = EC2Tools{Admin: acct, KeyPairs: acct, Network: acct, Images: acct, SSHDir: sshDir}
	return cfg
}

func startEC2(t *testing.T, cfg Config) (*teatest.TestModel, *probe) {
	t.Helper()
	p := &probe{Model: New(cfg)}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(170, 36))
	return tm, p
}

func runCommand(tm *teatest.TestModel, line string) {
	keys(tm, ":")
	tm.Type(line)
	keys(tm, "enter")
}

func keyPairNames(t *testing.T, acct *sandbox.Account) []string {
	t.Helper()
	kps, err := acct.KeyPairList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range kps {
		out = append(out, k.Name)
	}
	return out
}

// TestProgramKeyPairCreate: c on :keypairs asks the name, shows where the
// private key goes and the aws command with No chosen; y creates the key
// pair and writes the key 0600; an existing file is never overwritten and
// nothing is created; --readonly refuses at the key.
func TestProgramKeyPairCreate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		readonly bool
		existing string // a file already at NAME.pem
		confirm  []string
		want     string // on screen at the end
		created  bool
	}{
		{name: "webkey", confirm: []string{"y"}, want: "created key pair webkey", created: true},
		{name: "nokey", confirm: []string{"enter"}, want: "create cancelled: nothing was changed"},
		{name: "taken", existing: "not a key\n", want: "exists and deckhand never overwrites a key file"},
		{name: "rokey", readonly: true, want: "read-only mode (--readonly)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acct, dir := ec2Sandbox(t), t.TempDir()
			path := filepath.Join(dir, tc.name+".pem")
			if tc.existing != "" {
				if err := os.WriteFile(path, []byte(tc.existing), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cfg := ec2Config(acct, dir, true)
			cfg.Readonly = tc.readonly
			tm, p := startEC2(t, cfg)
			runCommand(tm, "keypairs")
			waitScreen(t, p, "key pairs [1]", "sandbox-key", "not here")
			keys(tm, "c")
			if !tc.readonly {
				waitScreen(t, p, "Create key pair", "its private key goes to", "NAME.pem")
				tm.Type(tc.name)
				keys(tm, "enter")
			}
			if tc.confirm != nil {
				waitScreen(t, p, "Create key pair?", "The private key is written to", tc.name+".pem (mode", "[ No ]",
					"$ aws ec2 create-key-pair --key-name "+tc.name, "--key-type ed25519", "&& chmod")
				keys(tm, tc.confirm...)
			}
			waitScreen(t, p, tc.want)
			if tc.created {
				waitScreen(t, p, "key pairs [2]", path)
			}
			finish(t, tm)
			if got := slices.Contains(keyPairNames(t, acct), tc.name); got != tc.created {
				t.Errorf("key pair %s exists: %v, want %v", tc.name, got, tc.created)
			}
			data, err := os.ReadFile(path)
			switch {
			case tc.existing != "":
				if string(data) != tc.existing {
					t.Errorf("the existing file was changed: %q", data)
				}
			case tc.created:
				fi, serr := os.Stat(path)
				if err != nil || serr != nil || fi.Mode().Perm() != 0o600 || !strings.Contains(string(data), "OPENSSH PRIVATE KEY") {
					t.Errorf("key file: %v %v, mode %v, %.40q; want an OpenSSH private key with mode 0600", err, serr, fi.Mode(), data)
				}
			default:
				if err == nil {
					t.Errorf("%s was written", path)
				}
			}
		})
	}
}

// TestProgramSSHFromMyAddress: + on :sg, "SSH from my address" asks the
// configured what-is-my-IP endpoint (a local server here) only once it is
// chosen, shows the address and the aws command with No chosen, and y adds
// the rule; - deletes it again. On the sandbox nothing is asked and the
// rule is from 127.0.0.1/32.
func TestProgramSSHFromMyAddress(t *testing.T) {
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		w.Write([]byte("198.51.100.23\n"))
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name      string
		sandbox   bool
		cidr, why string
		asks      int32
	}{
		{"aws", false, "198.51.100.23/32", "is your public address", 1},
		{"sandbox", true, "127.0.0.1/32", "is this machine (the sandbox looks no", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asked.Store(0)
			acct := ec2Sandbox(t)
			ctx := context.Background()
			vpc, err := acct.DefaultVPC(ctx)
			if err != nil {
				t.Fatal(err)
			}
			id, err := acct.CreateSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: "aaa-web", VpcID: vpc.ID})
			if err != nil {
				t.Fatal(err)
			}
			cfg := ec2Config(acct, t.TempDir(), tc.sandbox)
			cfg.EC2.MyIPURL = srv.URL
			tm, p := startEC2(t, cfg)
			runCommand(tm, "sg")
			waitScreen(t, p, "aaa-web", id)
			keys(tm, "g", "+")
			waitScreen(t, p, "Add an inbound rule to aaa-web", "1  SSH (tcp 22) from")
			if n := asked.Load(); n != 0 {
				t.Fatalf("the address was asked %d times before it was chosen", n)
			}
			keys(tm, "1")
			waitScreen(t, p, "Add inbound rule?", "Allow tcp 22 from "+tc.cidr, tc.why, "[ No ]",
				"$ aws ec2 authorize-security-group-ingress --group-id", id, "--protocol tcp --port 22 --cidr "+tc.cidr)
			if n := asked.Load(); n != tc.asks {
				t.Errorf("the address was asked %d times, want %d", n, tc.asks)
			}
			keys(tm, "y")
			waitScreen(t, p, "added tcp 22 from "+tc.cidr+" to aaa-web")
			waitScreen(t, p, "tcp 22 from "+tc.cidr)
			if rules := groupRules(t, acct, id); !slices.Equal(rules, []string{"tcp 22 " + tc.cidr}) {
				t.Fatalf("rules %v after adding", rules)
			}
			keys(tm, "-")
			waitScreen(t, p, "Delete which inbound rule of aaa-web?", "1  tcp 22 from "+tc.cidr)
			keys(tm, "1")
			waitScreen(t, p, "Delete inbound rule?", "[ No ]",
				"$ aws ec2 revoke-security-group-ingress --group-id", id, "--protocol tcp --port 22 --cidr "+tc.cidr)
			keys(tm, "y")
			waitScreen(t, p, "deleted tcp 22 from "+tc.cidr+" from aaa-web")
			finish(t, tm)
			if rules := groupRules(t, acct, id); len(rules) != 0 {
				t.Errorf("rules %v after deleting", rules)
			}
		})
	}
}

func groupRules(t *testing.T, acct *sandbox.Account, id string) []string {
	t.Helper()
	gs, err := acct.SecurityGroups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, g := range gs {
		if g.ID == id {
			for _, r := range g.Ingress {
				out = append(out, r.Key().Protocol+" "+itoa(r.Port)+" "+r.CIDR)
			}
		}
	}
	return out
}

// TestProgramRebootAndConsole: r on a running instance asks (No chosen,
// the aws command shown); y reboots it, shown as rebooting and filed as an
// event; V shows its console output; the detail shows its groups with
// their rules, the ssh command and the three checks.
func TestProgramRebootAndConsole(t *testing.T) {
	acct := ec2Sandbox(t)
	ctx := context.Background()
	amis, err := acct.LatestAMI(ctx, cloud.DistroUbuntu2404)
	if err != nil {
		t.Fatal(err)
	}
	in, err := acct.RunInstance(ctx, cloud.InstanceSpec{Name: "zz-reboot", ImageID: amis.ID, InstanceType: "t3.micro", KeyName: "sandbox-key"})
	if err != nil {
		t.Fatal(err)
	}
	var x resource.Instance
	for deadline := time.Now().Add(20 * time.Second); x.State != "running"; time.Sleep(50 * time.Millisecond) {
		xs, err := acct.Instances(ctx)
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("instance not running: %v %+v", err, x)
		}
		for _, y := range xs {
			if y.ID == in.ID {
				x = y
			}
		}
	}
	f := &feed{source: "ec2"}
	snapshot := func() resource.Set {
		xs, err := acct.Instances(ctx)
		if err != nil {
			t.Error(err)
		}
		return ec2Set(xs...)
	}
	var tm *teatest.TestModel
	cfg := ec2Config(acct, t.TempDir(), true)
	cfg.Refresh = func(string) { tm.Send(f.update(snapshot(), time.Now())) }
	tm, p := startEC2(t, cfg)
	tm.Send(f.update(snapshot(), time.Now()))
	waitScreen(t, p, "zz-reboot", "running")
	keys(tm, "G")
	keys(tm, "r")
	waitScreen(t, p, "Reboot instance?", "[ No ]", "$ aws ec2 reboot-instances --instance-ids "+in.ID)
	keys(tm, "enter")
	waitScreen(t, p, "reboot cancelled: nothing was changed")
	keys(tm, "r", "y")
	waitScreen(t, p, "reboot requested for zz-reboot", "rebooting")
	keys(tm, "V")
	waitScreen(t, p, "Console output of zz-reboot", "Linux version", "Cloud-init v. 23.4")
	keys(tm, "esc", "d")
	waitScreen(t, p, "running → rebooting", "System check status", "Instance check status", "EBS check status",
		"(default) inbound:", "ssh -i", "ubuntu@", "Host zz-reboot")
	finish(t, tm)
}

// TestProgramWizardKeyPair: in the instance wizard, ctrl+n on the Key pair
// field creates a key pair (confirmed, private key 0600) or imports
// ~/.ssh/id_ed25519.pub, and fills the field in.
func TestProgramWizardKeyPair(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		pick  string
		typed string // the name typed (import: after clearing the suggestion)
		check string // on the confirmation
	}{
		{"create", "1", "tutorial", "The private key is written to"},
		{"import", "2", "laptop", "from "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acct, dir := ec2Sandbox(t), t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "id_ed25519.pub"), ssh.MarshalAuthorizedKey(sp), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg := ec2Config(acct, dir, true)
			cfg.Create = acct
			tm, p := startEC2(t, cfg)
			runCommand(tm, "create instance")
			waitScreen(t, p, "Key pair", "ctrl+n makes one")
			for range 4 { // Name, AMI id, Latest AMI of, Instance type
				keys(tm, "tab")
			}
			tm.Send(tea.KeyPressMsg{Code: 'n', Mod: tea.ModCtrl})
			waitScreen(t, p, "A key pair for this instance", "1  create a new key pair", "2  import a public key")
			keys(tm, tc.pick)
			if tc.pick == "2" {
				waitScreen(t, p, "Import which public key?", "id_ed25519.pub")
				keys(tm, "1")
				waitScreen(t, p, "Key pair name")
				keys(tm, "ctrl+u")
			} else {
				waitScreen(t, p, "Create key pair", "NAME.pem")
			}
			tm.Type(tc.typed)
			keys(tm, "enter")
			waitScreen(t, p, tc.check, "[ No ]")
			keys(tm, "y")
			waitScreen(t, p, "key pair "+tc.typed, "Key pair        "+tc.typed)
			keys(tm, "esc") // leave the wizard: q there is a letter
			finish(t, tm)
			if !slices.Contains(keyPairNames(t, acct), tc.typed) {
				t.Errorf("key pair %s was not made", tc.typed)
			}
			if tc.pick == "1" {
				if fi, err := os.Stat(filepath.Join(dir, tc.typed+".pem")); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("private key: %v %v", fi, err)
				}
			}
		})
	}
}

// TestProgramCreateGroupAndDeleteKey: c on :sg asks name, description and
// VPC (the default VPC offered), then confirms with the aws command; ctrl+k
// on :keypairs deletes a key pair after a yes/no with No chosen.
func TestProgramCreateGroupAndDeleteKey(t *testing.T) {
	acct := ec2Sandbox(t)
	ctx := context.Background()
	vpc, err := acct.DefaultVPC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tm, p := startEC2(t, ec2Config(acct, t.TempDir(), true))
	runCommand(tm, "sg")
	waitScreen(t, p, "security groups [")
	keys(tm, "c")
	waitScreen(t, p, "Create security group", "Name (unique in its VPC)")
	tm.Type("sg-bad")
	keys(tm, "enter")
	waitScreen(t, p, `Name: "sg-bad" starts with "sg-", which EC2 does not allow`)
	keys(tm, "ctrl+u")
	tm.Type("aaa-tutorial")
	keys(tm, "enter")
	waitScreen(t, p, "Description (EC2 cannot change it later)", "deckhand: aaa-tutorial")
	keys(tm, "enter")
	waitScreen(t, p, "VPC (the default VPC is offered)", vpc.ID)
	keys(tm, "enter")
	waitScreen(t, p, "Create security group?", "(the default VPC): no inbound rule", "[ No ]",
		"$ aws ec2 create-security-group --group-name aaa-tutorial", "--vpc-id "+vpc.ID)
	keys(tm, "y")
	waitScreen(t, p, "create requested for security group aaa-tutorial", "aaa-tutorial", "nothing")

	runCommand(tm, "keypairs")
	waitScreen(t, p, "key pairs [1]", "sandbox-key")
	keys(tm, "ctrl+k")
	waitScreen(t, p, "Delete key pair?", "[ No ]", "$ aws ec2 delete-key-pair --key-name sandbox-key")
	keys(tm, "y")
	waitScreen(t, p, "delete requested for key pair sandbox-key", "key pairs [0]", "No key pairs in us-east-1")
	finish(t, tm)
	gs, err := acct.SecurityGroups(ctx)
	if err != nil || !slices.ContainsFunc(gs, func(g cloud.SecurityGroup) bool { return g.Name == "aaa-tutorial" && g.VpcID == vpc.ID }) {
		t.Errorf("the group was not created: %v %v", gs, err)
	}
	if names := keyPairNames(t, acct); len(names) != 0 {
		t.Errorf("key pairs %v after the delete", names)
	}
}

// TestDeleteGroupInUse: ctrl+k on a group an instance uses is refused with
// the instance named, before any call.
func TestDeleteGroupInUse(t *testing.T) {
	for _, tc := range []struct {
		state string
		want  string
	}{
		{"running", "cannot delete security group aaa-used: instance web-1 (i-0aaa1111bbbb2222c) uses it"},
		{"terminated", "Delete security group?"},
	} {
		t.Run(tc.state, func(t *testing.T) {
			acct := ec2Sandbox(t)
			ctx := context.Background()
			vpc, err := acct.DefaultVPC(ctx)
			if err != nil {
				t.Fatal(err)
			}
			id, err := acct.CreateSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: "aaa-used", VpcID: vpc.ID})
			if err != nil {
				t.Fatal(err)
			}
			m, feeds := newLoaded(t, 160, 40)
			x := instance("i-0aaa1111bbbb2222c", "web-1", tc.state)
			x.SecurityGroupIDs = []string{id}
			send(m, feeds["ec2"].update(ec2Set(x), t0))
			m.cfg.SecurityGroups = acct
			do(m, openCmd(m, "sg"))
			press(m, "g", "ctrl+k")
			mustContain(t, screen(m), tc.want)
		})
	}
}

// TestProgramRebootMarked: r on two marked running instances asks once (No
// chosen) and reboots both, each shown rebooting.
func TestProgramRebootMarked(t *testing.T) {
	acct := ec2Sandbox(t)
	ctx := context.Background()
	ami, err := acct.LatestAMI(ctx, cloud.DistroAL2023)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, name := range []string{"mrk-a", "mrk-b"} {
		in, err := acct.RunInstance(ctx, cloud.InstanceSpec{Name: name, ImageID: ami.ID, InstanceType: "t3.micro"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, in.ID)
	}
	snapshot := func() resource.Set {
		xs, err := acct.Instances(ctx)
		if err != nil {
			t.Error(err)
		}
		return ec2Set(xs...)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		n := 0
		for _, x := range snapshot().Instances {
			if slices.Contains(ids, x.ID) && x.State == "running" {
				n++
			}
		}
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the instances are not running")
		}
	}
	f := &feed{source: "ec2"}
	var tm *teatest.TestModel
	cfg := ec2Config(acct, t.TempDir(), true)
	cfg.Refresh = func(string) { tm.Send(f.update(snapshot(), time.Now())) }
	tm, p := startEC2(t, cfg)
	tm.Send(f.update(snapshot(), time.Now()))
	keys(tm, "/")
	tm.Type("mrk")
	keys(tm, "enter")
	waitScreen(t, p, "instances [2/")
	keys(tm, "space", "space", "r")
	waitScreen(t, p, "Reboot 2 instances?", "mrk-a", "mrk-b", "[ No ]", "aws ec2 reboot-instances --instance-ids "+ids[0])
	keys(tm, "y")
	waitScreen(t, p, "reboot: 2 of 2 requested")
	waitScreen(t, p, "mrk-a", "mrk-b", "rebooting")
	if frame, _ := p.frame.Load().(string); strings.Count(frame, "rebooting") < 2 {
		t.Errorf("both instances should show rebooting:\n%s", frame)
	}
	finish(t, tm)
}
