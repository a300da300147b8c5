package tui

import (
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// The instance detail's EC2 extras: the three status checks with what each
// tests, the security groups with their inbound rules, the key pair and
// the ssh command with an ~/.ssh/config snippet. The groups, the AMI's
// family and whether the private key is on this machine are read in a Cmd
// (syncEC2) when the detail opens.

// checkMeaning says what each status check tests (Status checks for
// Amazon EC2 instances, EC2 User Guide).
var checkMeaning = []struct{ name, what string }{
	{"System check", "AWS's side: the host's hardware, power and network reaching the instance"},
	{"Instance check", "the instance's side: its OS boots and answers on its network interface"},
	{"EBS check", "its attached EBS volumes answer I/O"},
}

func (m *Model) instanceExtras(x resource.Instance) []field {
	var fs []field
	for i, v := range []string{x.SystemCheck, x.InstanceCheck, x.EBSCheck} {
		if v == "" {
			v = "not reported"
			if x.State != "running" {
				v = "none while " + x.State
			}
		}
		fs = append(fs, field{checkMeaning[i].name + " status", v + " — " + checkMeaning[i].what})
	}
	fs = append(fs, m.groupFields(x)...)
	user, host := m.sshUser(x), cmpOr(x.PublicIP, x.PrivateIP)
	key := m.keyFile(x)
	switch {
	case x.KeyName == "":
		fs = append(fs, field{"SSH", "no key pair: launched without one, ssh needs another way in (EC2 Instance Connect, SSM)"})
	case host == "":
		fs = append(fs, field{"SSH", "no address yet (" + x.State + ")"})
	default:
		ssh := sshCommand(key, user, host)
		if m.cfg.Sandbox {
			ssh += "  (the sandbox's instances are simulated: nothing answers on " + host + ")"
		}
		fs = append(fs, field{"SSH", ssh})
		name := cmpOr(strings.Map(hostChar, x.Name), x.ID)
		fs = append(fs, field{"SSH config", "Host " + name}, field{"", "  HostName " + host}, field{"", "  User " + user},
			field{"", "  IdentityFile " + key})
	}
	if x.KeyName != "" && m.ec2x.infoFor == x.ID && m.ec2x.info.keyFile == "" && !m.ec2x.loading {
		fs = append(fs, field{"Private key", "not found at " + filepath.Join(m.cfg.EC2.sshDir(), x.KeyName+".pem") +
			" (AWS keeps no copy: use the file you saved when the key pair was made)"})
	}
	if m.cfg.EC2.Admin != nil {
		fs = append(fs, field{"Console", "V shows its console output"})
	}
	return fs
}

// groupFields are the instance's groups, each with its inbound rules.
func (m *Model) groupFields(x resource.Instance) []field {
	if len(x.SecurityGroupIDs) == 0 {
		return []field{{"Security groups", "none reported"}}
	}
	info := m.ec2x.info
	var fs []field
	for i, id := range x.SecurityGroupIDs {
		name := ""
		if i == 0 {
			name = "Security groups"
		}
		g, ok := info.groups[id]
		switch {
		case m.ec2x.infoFor != x.ID || (m.ec2x.loading && info.groups == nil):
			fs = append(fs, field{name, id + ": reading its rules…"})
		case info.err != nil:
			fs = append(fs, field{name, id + ": could not read the rules: " + info.err.Error() + " (read again in " + fmtAge(ec2InfoTTL) + ")"})
		case !ok:
			fs = append(fs, field{name, id + ": not listed by DescribeSecurityGroups"})
		default:
			fs = append(fs, field{name, id + " (" + g.Name + ") inbound: " + ingressText(g.Ingress)})
		}
	}
	return fs
}

// sshUser is the login of the instance's AMI family; ec2-user (Amazon
// Linux's) when the AMI cannot be named.
func (m *Model) sshUser(x resource.Instance) string {
	if m.ec2x.infoFor == x.ID {
		a := m.ec2x.info.ami
		if u := cmpOr(a.SSHUser, cloud.SSHUser(a.Name)); u != "" {
			return u
		}
	}
	return "ec2-user"
}

// keyFile is the private key deckhand wrote for the key pair, or where it
// would be.
func (m *Model) keyFile(x resource.Instance) string {
	if m.ec2x.infoFor == x.ID && m.ec2x.info.keyFile != "" {
		return m.ec2x.info.keyFile
	}
	return filepath.Join(m.cfg.EC2.sshDir(), x.KeyName+".pem")
}

func sshCommand(key, user, host string) string {
	return shellQuote([]string{"ssh", "-i", key, user + "@" + host})
}

// hostChar keeps the characters an ssh Host alias takes.
func hostChar(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		return r
	}
	return -1
}

// ec2Key handles C (console output) on an instance.
func (m *Model) ec2Key(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	a := &m.keys.Console
	kind, it := m.current().subject(m)
	if !a.hasKey(msg) || !a.offeredOn(kind) {
		return nil, false
	}
	x, ok := it.(resource.Instance)
	if !ok {
		m.warn("nothing selected to show the console of")
		return nil, true
	}
	if m.cfg.EC2.Admin == nil {
		m.fail("console output is not available: " + cmpOr(m.cfg.AWSProblem, "this backend does not offer it"))
		return nil, true
	}
	return m.openConsole(x), true
}

// ec2Hints are the EC2 keys the hint line offers on pk's pane, and the
// :sg and :keypairs pages' own keys.
func (m *Model) ec2Hints(pk resource.Kind) []*action {
	k := &m.keys
	if m.cfg.EC2.Admin == nil {
		return nil
	}
	switch m.current().(type) {
	case *sgPage:
		return []*action{&k.Create, &k.AddRule, &k.DeleteRule, &k.Delete}
	case *keyPairsPage:
		return []*action{&k.Create, &k.ImportKey, &k.Delete}
	}
	if c := &k.Console; c.offeredOn(pk) {
		return []*action{c}
	}
	return nil
}
