package tui

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/cloud"
)

// The security groups page (:sg): the region's groups with who may reach
// which port, and ctrl+k to delete one (typing its name to confirm; EC2
// answers DependencyViolation while an instance, task, load balancer or
// another group's rule uses it, and the error says so). Groups change
// rarely, so they are read when the page opens and on ctrl+r, not polled.

// SecurityGroups is what the page reads and deletes through.
type SecurityGroups interface {
	cloud.SecurityGroupReader
	DeleteSecurityGroup(ctx context.Context, id string) error
}

type sgPage struct {
	fetched
	groups map[string]cloud.SecurityGroup // by id
}

type sgMsg struct {
	p      *sgPage
	groups []cloud.SecurityGroup
	err    error
}

func (msg sgMsg) apply(m *Model) tea.Cmd {
	p := msg.p
	if !m.onStack(p) {
		return nil
	}
	p.loading, p.err = false, msg.err
	if msg.err != nil {
		return nil
	}
	p.groups = map[string]cloud.SecurityGroup{}
	rows := make([]row, len(msg.groups))
	for i, g := range msg.groups {
		p.groups[g.ID] = g
		rows[i] = row{key: g.ID, cells: []string{clean(g.Name), g.ID, g.VpcID, clean(ingressText(g.Ingress)), clean(g.Description)},
			tones: []tone{3: ingressTone(g.Ingress)}}
	}
	p.tbl.setRows([]column{
		{title: "NAME", min: 8, soft: 24, max: 64},
		{title: "ID", min: 11, max: 20},
		{title: "VPC", min: 8, max: 21, prio: 2},
		{title: "INGRESS", min: 12, soft: 40, max: 200},
		{title: "DESCRIPTION", min: 12, soft: 30, max: 255, prio: 3},
	}, rows)
	return nil
}

// sgDeletedMsg is a delete's answer and the listing made after it.
type sgDeletedMsg struct {
	done tea.Msg // the job's jobDoneMsg
	list sgMsg
}

func (msg sgDeletedMsg) apply(m *Model) tea.Cmd {
	cmd := m.update(msg.done)
	return tea.Batch(cmd, msg.list.apply(m))
}

// ingressText sums the rules up: "tcp 22 from 203.0.113.7/32, tcp 80 from anywhere".
func ingressText(rules []cloud.IngressRule) string {
	if len(rules) == 0 {
		return "nothing"
	}
	parts := make([]string, len(rules))
	for i, r := range rules {
		proto, from := r.PortText(), r.CIDR
		switch {
		case r.SourceGroupID != "":
			from = "group " + r.SourceGroupID
		case from == "0.0.0.0/0" || from == "::/0":
			from = "anywhere"
		}
		parts[i] = proto + " from " + from
	}
	return strings.Join(parts, ", ")
}

// ingressTone warns of SSH or everything open to the whole internet.
func ingressTone(rules []cloud.IngressRule) tone {
	for _, r := range rules {
		if (r.CIDR == "0.0.0.0/0" || r.CIDR == "::/0") && r.Allows("tcp", 22) {
			return toneWarn
		}
	}
	return toneNone
}

// openSecurityGroups is :sg.
func (m *Model) openSecurityGroups(_ []string) tea.Cmd {
	if m.cfg.SecurityGroups == nil {
		m.fail("security groups are not available: " + cmpOr(m.cfg.AWSProblem, "this backend does not list them"))
		return nil
	}
	p := &sgPage{fetched: fetched{pageBase: pageBase{"security groups"}}}
	m.push(p)
	return p.reload(m)
}

func (p *sgPage) source(*Model) string { return srcEC2 }

func (p *sgPage) reload(m *Model) tea.Cmd {
	p.loading = true
	api := m.cfg.SecurityGroups
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), taskDefsTimeout)
		defer cancel()
		gs, err := api.SecurityGroups(ctx)
		return sgMsg{p, gs, err}
	}
}

func (p *sgPage) view(m *Model, now time.Time, w, h int) []string {
	return p.render(m, now, w, h, "security groups", "No security groups in "+m.region()+".")
}

func (p *sgPage) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	k, t := &m.keys, &p.tbl
	if cmd, ok := p.editKey(m, msg); ok { // sg_edit.go
		return cmd
	}
	switch {
	case k.Delete.hasKey(msg):
		r, ok := t.selected()
		if !ok {
			return nil
		}
		if !k.Delete.Enabled() {
			m.fail("read-only mode (--readonly): delete is disabled")
			return nil
		}
		g := p.groups[r.key]
		if g.Name == "default" {
			m.warn("cannot delete security group default: every VPC keeps its default group")
			return nil
		}
		if why := m.groupInUse(g.ID); why != "" { // sg_edit.go
			m.warn("cannot delete security group " + clean(g.Name) + ": " + why)
			return nil
		}
		api, refresh := m.cfg.SecurityGroups, p.reload
		j := job{verb: "delete", label: "security group " + clean(g.Name) + " (" + g.ID + ")", source: srcEC2,
			cli: m.awsCLI("ec2", "delete-security-group", "--group-id", g.ID),
			run: func(ctx context.Context) error { return api.DeleteSecurityGroup(ctx, g.ID) }}
		d := m.typedConfirm(j, "Delete security group?", g.Name, "in "+g.VpcID+": "+ingressText(g.Ingress))
		submit := d.submit
		d.submit = func(text string) (tea.Cmd, string) {
			cmd, problem := submit(text)
			if cmd == nil {
				return nil, problem
			}
			// List again once the delete has answered, so the row goes.
			list := refresh(m)
			return func() tea.Msg { return sgDeletedMsg{done: cmd(), list: list().(sgMsg)} }, ""
		}
		m.dlg = d
		return nil
	}
	cmd, _ := p.listKey(m, msg)
	return cmd
}
