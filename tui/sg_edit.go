package tui

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

// The security groups page's edits: c creates a group (name, description,
// VPC: the default VPC offered), + adds an inbound rule to the selected
// group ("SSH from my address" asks the what-is-my-IP endpoint only when
// chosen, and shows the address before anything is added; the sandbox
// asks nothing and uses 127.0.0.1/32), - deletes one of its rules. Each is
// confirmed with No chosen and shows its aws command.

// myIPTimeout bounds the address lookup, as the launch's address step.
const myIPTimeout = 3 * time.Second

// editKey handles c, + and - on :sg; ok is false for other keys.
func (p *sgPage) editKey(m *Model, msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := &m.keys
	var a *action
	for _, x := range []*action{&k.Create, &k.AddRule, &k.DeleteRule} {
		if x.hasKey(msg) {
			a = x
		}
	}
	if a == nil {
		return nil, false
	}
	if !a.Enabled() {
		m.fail("read-only mode (--readonly): changing security groups is disabled")
		return nil, true
	}
	if m.cfg.EC2.Admin == nil {
		m.fail("changing security groups is not available: this backend does not offer it")
		return nil, true
	}
	if a == &k.Create {
		m.dlg = m.groupNameDialog(p)
		return nil, true
	}
	r, ok := p.tbl.selected()
	if !ok {
		m.warn("no security group selected")
		return nil, true
	}
	g := p.groups[r.key]
	if a == &k.AddRule {
		m.dlg = m.addRuleDialog(p, g)
	} else {
		m.dlg = m.deleteRuleDialog(p, g)
	}
	return nil, true
}

func (m *Model) groupNameDialog(p *sgPage) *dialog {
	d := &dialog{title: "Create security group", verb: "create security group", field: "Name (unique in its VPC)",
		input: &lineInput{kind: inputPrompt}}
	d.submit = func(text string) (tea.Cmd, string) {
		name := strings.TrimSpace(text)
		if err := cloud.ValidateSecurityGroupSpec(cloud.SecurityGroupSpec{Name: name, VpcID: "vpc-00000000"}); err != nil {
			return nil, problemText(err)
		}
		desc := &dialog{title: "Create security group " + name, verb: "create security group", field: "Description (EC2 cannot change it later)",
			input: ptr(newLineInput(inputPrompt, "deckhand: "+name))}
		desc.submit = func(text string) (tea.Cmd, string) {
			spec := cloud.SecurityGroupSpec{Name: name, Description: strings.TrimSpace(text), VpcID: "vpc-00000000"}
			if err := cloud.ValidateSecurityGroupSpec(spec); err != nil {
				return nil, problemText(err)
			}
			return m.vpcDialog(p, spec), ""
		}
		return func() tea.Msg { return ec2DialogMsg{d: desc} }, ""
	}
	return d
}

// vpcDialog looks the default VPC up (in a Cmd) and offers it.
func (m *Model) vpcDialog(p *sgPage, spec cloud.SecurityGroupSpec) tea.Cmd {
	net := m.cfg.EC2.Network
	return func() tea.Msg {
		def := ""
		if net != nil {
			ctx, cancel := context.WithTimeout(context.Background(), taskDefsTimeout)
			v, err := net.DefaultVPC(ctx)
			cancel()
			if err == nil {
				def = v.ID
			}
		}
		d := &dialog{title: "Create security group " + spec.Name, verb: "create security group",
			field: "VPC (the default VPC is offered)", input: ptr(newLineInput(inputPrompt, def))}
		d.submit = func(text string) (tea.Cmd, string) {
			s := spec
			s.VpcID = strings.TrimSpace(text)
			if err := cloud.ValidateSecurityGroupSpec(s); err != nil {
				return nil, problemText(err)
			}
			where := s.VpcID
			if where == def {
				where += " (the default VPC)"
			}
			api := m.cfg.EC2.Admin
			j := job{verb: "create", label: "security group " + s.Name, source: srcEC2,
				cli: m.awsCLI("ec2", "create-security-group", "--group-name", s.Name, "--description", cloud.SecurityGroupDescription(s), "--vpc-id", s.VpcID),
				run: func(ctx context.Context) error {
					_, err := api.CreateSecurityGroup(ctx, s)
					return err
				}}
			c := m.confirmJob(j, "Create security group?", "in "+where+": no inbound rule (+ adds one); all outbound traffic allowed")
			return func() tea.Msg { return ec2DialogMsg{d: thenReload(m, c, p.reload)} }, ""
		}
		return ec2DialogMsg{d: d}
	}
}

// addRuleDialog offers the kinds of rule.
func (m *Model) addRuleDialog(p *sgPage, g cloud.SecurityGroup) *dialog {
	mine := "1  SSH (tcp 22) from my address (asks " + cmpOr(m.cfg.EC2.MyIPURL, launch.CheckIPURL) + ", then shows it)"
	if m.cfg.Sandbox {
		mine = "1  SSH (tcp 22) from 127.0.0.1/32 (the sandbox looks no address up)"
	}
	d := &dialog{title: "Add an inbound rule to " + clean(g.Name), verb: "add rule", lines: []string{
		mine, "2  SSH (tcp 22) from a CIDR I give", "3  another port: PROTOCOL PORT CIDR, e.g. tcp 80 0.0.0.0/0"}}
	d.pick = func(i int) tea.Cmd {
		switch i {
		case 0:
			m.dlg = nil
			if m.cfg.Sandbox {
				m.dlg = m.confirmRule(p, g, cloud.IngressRule{Protocol: "tcp", Port: 22, CIDR: "127.0.0.1/32"}, "this machine (the sandbox looks no address up)")
				return nil
			}
			url := cmpOr(m.cfg.EC2.MyIPURL, launch.CheckIPURL)
			m.info("asking " + url + " for this machine's public address…")
			return func() tea.Msg {
				ctx, cancel := context.WithTimeout(context.Background(), myIPTimeout)
				defer cancel()
				ip, err := launch.LookupPublicIP(ctx, url)
				if err != nil {
					return ec2DialogMsg{problem: "could not find this machine's public address: " + err.Error() + " — use + and 2 to give a CIDR"}
				}
				addr, _ := netip.ParseAddr(ip)
				cidr := netip.PrefixFrom(addr, addr.BitLen()).String()
				return ec2DialogMsg{d: m.confirmRule(p, g, cloud.IngressRule{Protocol: "tcp", Port: 22, CIDR: cidr}, "your public address, as "+url+" sees it")}
			}
		case 1, 2:
			m.dlg = m.ruleTextDialog(p, g, i == 1)
		}
		return nil
	}
	return d
}

// ruleTextDialog asks for a CIDR (ssh) or a whole rule.
func (m *Model) ruleTextDialog(p *sgPage, g cloud.SecurityGroup, ssh bool) *dialog {
	field := "PROTOCOL PORT CIDR (e.g. tcp 80 0.0.0.0/0)"
	if ssh {
		field = "CIDR allowed to SSH in (e.g. 203.0.113.7/32)"
	}
	d := &dialog{title: "Add an inbound rule to " + clean(g.Name), verb: "add rule", field: field, input: &lineInput{kind: inputPrompt}}
	d.submit = func(text string) (tea.Cmd, string) {
		words := strings.Fields(text)
		if ssh {
			words = append([]string{"tcp", "22"}, words...)
		}
		r, problem := parseRule(words)
		if problem != "" {
			return nil, problem
		}
		if err := cloud.ValidateIngressRule("AuthorizeSecurityGroupIngress", g.ID, r); err != nil {
			return nil, problemText(err)
		}
		c := m.confirmRule(p, g, r, "")
		return func() tea.Msg { return ec2DialogMsg{d: c} }, ""
	}
	return d
}

// parseRule reads "PROTOCOL PORT CIDR".
func parseRule(w []string) (cloud.IngressRule, string) {
	if len(w) != 3 {
		return cloud.IngressRule{}, "rule: write PROTOCOL PORT CIDR, e.g. tcp 80 0.0.0.0/0"
	}
	port, err := strconv.Atoi(w[1])
	if err != nil || port < 1 || port > 65535 {
		return cloud.IngressRule{}, "port: " + strconv.Quote(w[1]) + " is not a port; use 1–65535"
	}
	return cloud.IngressRule{Protocol: strings.ToLower(w[0]), Port: int32(port), CIDR: w[2]}, ""
}

// ruleCLI is the rule's part of an authorize or revoke command.
func ruleCLI(r cloud.IngressRule) []string {
	k := r.Key()
	out := []string{"--protocol", k.Protocol}
	switch {
	case k.Protocol == "-1": // all traffic: no port
	case k.ToPort != 0 && (k.Protocol == "tcp" || k.Protocol == "udp"):
		out = append(out, "--port", strconv.Itoa(int(k.Port))+"-"+strconv.Itoa(int(k.ToPort)))
	case k.Protocol == "tcp" || k.Protocol == "udp":
		out = append(out, "--port", strconv.Itoa(int(k.Port)))
	default: // ICMP: the type and code as --port TYPE-CODE, as the CLI takes them
		out = append(out, "--port", strconv.Itoa(int(k.Port))+"-"+strconv.Itoa(int(k.ToPort)))
	}
	if r.SourceGroupID != "" {
		return append(out, "--source-group", r.SourceGroupID)
	}
	return append(out, "--cidr", r.CIDR)
}

func (m *Model) confirmRule(p *sgPage, g cloud.SecurityGroup, r cloud.IngressRule, whose string) *dialog {
	api := m.cfg.EC2.Admin
	what := ingressText([]cloud.IngressRule{r})
	j := job{verb: "add rule", label: "security group " + clean(g.Name) + " (" + g.ID + ")", source: srcEC2,
		cli:  m.awsCLI(append([]string{"ec2", "authorize-security-group-ingress", "--group-id", g.ID}, ruleCLI(r)...)...),
		done: "added " + what + " to " + clean(g.Name),
		run:  func(ctx context.Context) error { return api.AuthorizeIngress(ctx, g.ID, r) }}
	lines := []string{"Allow " + what}
	if whose != "" {
		lines = append(lines, r.CIDR+" is "+whose+".")
	}
	if r.CIDR == "0.0.0.0/0" || r.CIDR == "::/0" {
		lines = append(lines, "Anyone on the internet can connect to this port.")
	}
	return thenReload(m, m.confirmJob(j, "Add inbound rule?", lines...), p.reload)
}

// deleteRuleDialog offers the group's rules, nine at a time (0 shows the
// next nine): any rule the group holds, "all traffic" and ranges too.
func (m *Model) deleteRuleDialog(p *sgPage, g cloud.SecurityGroup) *dialog {
	if len(g.Ingress) == 0 {
		m.warn(clean(g.Name) + " has no inbound rule to delete")
		return nil
	}
	return m.deleteRuleFrom(p, g, 0)
}

func (m *Model) deleteRuleFrom(p *sgPage, g cloud.SecurityGroup, from int) *dialog {
	d := &dialog{title: "Delete which inbound rule of " + clean(g.Name) + "?", verb: "delete rule"}
	rules := g.Ingress[from:min(len(g.Ingress), from+9)]
	for i, r := range rules {
		d.lines = append(d.lines, itoa(int32(i+1))+"  "+clean(ingressText([]cloud.IngressRule{r})))
	}
	more, next := len(g.Ingress) > 9, from+9
	if next >= len(g.Ingress) {
		next = 0 // after the last rules, round to the first nine
	}
	if more {
		d.lines = append(d.lines, "0  rules "+itoa(int32(next+1))+"–"+itoa(int32(min(len(g.Ingress), next+9)))+" of "+itoa(int32(len(g.Ingress))))
	}
	d.pick = func(i int) tea.Cmd {
		if i == 9 && more { // the 0 key: the next nine
			m.dlg = m.deleteRuleFrom(p, g, next)
			return nil
		}
		if i >= len(rules) {
			return nil
		}
		r := rules[i]
		if err := cloud.ValidateRevokeRule("RevokeSecurityGroupIngress", g.ID, r); err != nil {
			m.dlg = nil
			m.warn(err.Error())
			return nil
		}
		api := m.cfg.EC2.Admin
		what := ingressText([]cloud.IngressRule{r})
		j := job{verb: "delete rule", label: "security group " + clean(g.Name) + " (" + g.ID + ")", source: srcEC2,
			cli:  m.awsCLI(append([]string{"ec2", "revoke-security-group-ingress", "--group-id", g.ID}, ruleCLI(r)...)...),
			done: "deleted " + what + " from " + clean(g.Name),
			run:  func(ctx context.Context) error { return api.RevokeIngress(ctx, g.ID, r) }}
		m.dlg = thenReload(m, m.confirmJob(j, "Delete inbound rule?", "Stop allowing "+what, "Connections it allowed that are open now stay open until they close."), p.reload)
		return nil
	}
	return d
}

// groupInUse says which instances deckhand lists (not terminated) use the
// group: EC2 would refuse the delete with DependencyViolation, which does
// not say what depends on it. "" when none is known (a task or a load
// balancer may still use it: EC2's answer then says so).
func (m *Model) groupInUse(id string) string {
	var users []string
	for i := range m.data.Instances {
		x := &m.data.Instances[i]
		if x.State != "terminated" && slices.Contains(x.SecurityGroupIDs, id) {
			users = append(users, clean(x.Label()))
		}
	}
	if len(users) == 0 {
		return ""
	}
	return "instance " + strings.Join(users, ", ") + " uses it (EC2 refuses with DependencyViolation); terminate it or change its groups first"
}
