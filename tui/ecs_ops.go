package tui

import (
	"context"
	"errors"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// The on-call actions on a service beyond scale, roll back and delete:
// F forces a new deployment, U moves the service to a revision picked from
// its family's (revpick.go), I registers a copy of its revision with one
// container's image changed and deploys it. Each is confirmed in a dialog
// that starts on No and shows the aws commands; --readonly disables the
// keys, and the backends refuse the calls too (cloud.ErrReadonly).

func init() {
	gerunds["redeploy"], gerunds["update"], gerunds["register"] = "redeploying", "updating", "registering"
}

// ecsDeployer is the backend's cloud.ServiceDeployer, or nil.
func (m *Model) ecsDeployer() cloud.ServiceDeployer {
	d, _ := m.cfg.Actions.ECS.(cloud.ServiceDeployer)
	return d
}

// ecsOpsHints are F, U and I on a service pane whose backend offers them.
func (m *Model) ecsOpsHints(pk resource.Kind) []*action {
	if pk != resource.KindService || m.ecsDeployer() == nil {
		return nil
	}
	k := &m.keys
	return []*action{&k.ForceDeploy, &k.UpdateRevision, &k.NewImage}
}

// ecsOpsKey handles F, U and I on a service list or detail; ok is false
// when msg is none of them there.
func (m *Model) ecsOpsKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	pk, it := m.current().subject(m)
	if pk != resource.KindService {
		return nil, false
	}
	k := &m.keys
	var a *action
	for _, x := range []*action{&k.ForceDeploy, &k.UpdateRevision, &k.NewImage} {
		if x.hasKey(msg) {
			a = x
		}
	}
	if a == nil {
		return nil, false
	}
	x, ok := it.(resource.Service)
	api := m.ecsDeployer()
	switch {
	case !a.Enabled():
		m.fail("read-only mode (--readonly): " + a.verb + " a service is disabled")
	case api == nil:
		m.fail(a.verb + " is not available here: the ECS backend does not offer it")
	case !ok:
		m.warn("nothing selected to " + a.verb)
	case x.Status != "ACTIVE":
		m.warn("cannot " + a.verb + " service " + clean(x.Name) + ": it is " + x.Status)
	case a == &k.ForceDeploy:
		d := m.planForceDeploy(x, api)
		d.verb = "redeploy"
		m.dlg = d
	case a == &k.UpdateRevision:
		return m.openRevisionPicker(x), true
	default:
		return m.newImageFor(lastSegment(x.TaskDefinition), &x), true
	}
	return nil, true
}

// planForceDeploy is F: UpdateService --force-new-deployment.
func (m *Model) planForceDeploy(x resource.Service, api cloud.ServiceDeployer) *dialog {
	cluster := m.data.clusterName(x.ClusterARN)
	cur := lastSegment(x.TaskDefinition)
	j := job{verb: "redeploy", label: "service " + clean(x.Name), source: srcECS,
		cli:  m.awsCLI("ecs", "update-service", "--cluster", cluster, "--service", x.Name, "--force-new-deployment"),
		done: "new deployment of " + cur + " started for service " + clean(x.Name) + " (w shows its events)",
		run: func(ctx context.Context) error {
			_, err := api.ForceNewDeployment(ctx, x.ClusterARN, x.Name)
			return err
		}}
	return m.confirm(j, "Force a new deployment?", "in cluster "+clean(cluster)+": a new deployment of "+cur+" (desired "+itoa(x.Desired)+")",
		"ECS starts new tasks of the same revision (pulling its image tag again) and stops the running ones as the new ones become healthy.")
}

// openRevisionPicker is U: the family's revisions, newest first, the one
// the service runs marked; enter asks to update the service to the pick.
func (m *Model) openRevisionPicker(x resource.Service) tea.Cmd {
	if m.cfg.TaskDefs == nil {
		m.fail("update is not available here: this backend does not list task definitions")
		return nil
	}
	cur := lastSegment(x.TaskDefinition)
	family, _, _ := strings.Cut(cur, ":")
	p := newRevPick("update "+clean(x.Name)+" to", family, cur, func(m *Model, rev string) tea.Cmd {
		if rev == cur {
			m.info(clean(x.Name) + " runs " + cur + " already (F forces a new deployment of it)")
			return nil
		}
		m.pop()
		d := m.planUpdateRevision(x, rev)
		d.verb = "update"
		m.dlg = d
		return nil
	})
	m.push(p)
	return p.reload(m)
}

// planUpdateRevision is the dialog of U once a revision is picked.
func (m *Model) planUpdateRevision(x resource.Service, rev string) *dialog {
	api := m.cfg.Actions.ECS
	cluster := m.data.clusterName(x.ClusterARN)
	cur := lastSegment(x.TaskDefinition)
	j := job{verb: "update", label: "service " + clean(x.Name), source: srcECS,
		cli:  m.awsCLI("ecs", "update-service", "--cluster", cluster, "--service", x.Name, "--task-definition", rev),
		done: "update requested for service " + clean(x.Name) + ": " + cur + " → " + rev + " (a new deployment; w shows its events)",
		run: func(ctx context.Context) error {
			_, err := api.UpdateService(ctx, x.ClusterARN, x.Name, x.Desired, rev)
			return err
		}}
	return m.confirm(j, "Update service?", "in cluster "+clean(cluster)+": "+cur+" → "+rev,
		"ECS starts a deployment of "+rev+" and stops the tasks of "+cur+" as the new ones become healthy.")
}

// dialogMsg opens a dialog from a Cmd's answer, or after another dialog
// closed (submitDialog clears the dialog after its submit ran).
type dialogMsg struct{ d *dialog }

func (msg dialogMsg) apply(m *Model) tea.Cmd {
	m.dlg = msg.d
	return nil
}

// newImageMsg is a described revision for I.
type newImageMsg struct {
	ref string
	td  resource.TaskDefinition
	svc *resource.Service
	err error
}

func (msg newImageMsg) apply(m *Model) tea.Cmd {
	if msg.err != nil {
		m.fail("cannot register a new image: describe " + msg.ref + ": " + clean(msg.err.Error()))
		return nil
	}
	m.chooseContainer(msg.td, msg.svc)
	return nil
}

// newImageFor describes ref (in a Cmd) and goes on with chooseContainer.
func (m *Model) newImageFor(ref string, svc *resource.Service) tea.Cmd {
	api := m.cfg.TaskDefs
	if api == nil {
		m.fail("register a new image is not available here: this backend does not read task definitions")
		return nil
	}
	m.info("describing " + ref + "…")
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), taskDefsTimeout)
		defer cancel()
		td, err := api.DescribeTaskDefinition(ctx, ref)
		return newImageMsg{ref: ref, td: td, svc: svc, err: err}
	}
}

// chooseContainer asks which container's image changes when there are
// several, then for the image.
func (m *Model) chooseContainer(td resource.TaskDefinition, svc *resource.Service) {
	cs := td.Containers
	switch len(cs) {
	case 0:
		m.fail(td.Label() + " has no containers")
		return
	case 1:
		m.dlg = m.imagePrompt(td, cs[0], svc)
		return
	}
	cs = cs[:min(len(cs), 9)]
	d := &dialog{title: "Which container's image?", verb: "register", closed: "nothing registered"}
	for i, c := range cs {
		d.lines = append(d.lines, strconv.Itoa(i+1)+"  "+clean(c.Name)+": "+fit(clean(c.Image), 50))
	}
	d.lines = append(d.lines, "", "A digit picks; esc closes.")
	d.pick = func(i int) tea.Cmd {
		if i < 0 || i >= len(cs) {
			return nil
		}
		m.dlg = m.imagePrompt(td, cs[i], svc)
		return nil
	}
	m.dlg = d
}

// imagePrompt asks for the new image, the current one offered for editing
// (usually only its tag changes); it is checked as ECS would before the
// confirmation opens.
func (m *Model) imagePrompt(td resource.TaskDefinition, c resource.ContainerDef, svc *resource.Service) *dialog {
	d := &dialog{title: "New image for " + clean(c.Name) + "?", yes: "Next", verb: "register",
		lines: []string{td.Label() + ", container " + clean(c.Name), "runs " + clean(c.Image),
			"A new revision of " + td.Family + " is registered with this image; everything else is copied."},
		field: "Image", input: ptr(newLineInput(inputPrompt, c.Image))}
	d.submit = func(text string) (tea.Cmd, string) {
		img := strings.TrimSpace(text)
		if err := cloud.ValidateImageRevision(td.ARN, c.Name, img); err != nil {
			var ce *cloud.Error
			if errors.As(err, &ce) {
				return nil, ce.Message
			}
			return nil, err.Error()
		}
		if img == c.Image {
			return nil, "Image: " + clean(c.Name) + " runs " + clean(img) + " already; change the tag or digest"
		}
		if svc == nil {
			return func() tea.Msg { return dialogMsg{m.planNewImage(td, c, img, nil)} }, ""
		}
		s := *svc
		return func() tea.Msg { return dialogMsg{m.deployChoice(td, c, img, s)} }, ""
	}
	return d
}

// deployChoice asks, from a service, whether the new revision is deployed
// to it as well.
func (m *Model) deployChoice(td resource.TaskDefinition, c resource.ContainerDef, img string, svc resource.Service) *dialog {
	d := &dialog{title: "Deploy the new revision?", verb: "register", closed: "nothing registered",
		lines: []string{"1  register it and deploy it to service " + clean(svc.Name),
			"2  register it only (U deploys it later)", "", "A digit picks; esc closes."}}
	d.pick = func(i int) tea.Cmd {
		switch i {
		case 0:
			m.dlg = m.planNewImage(td, c, img, &svc)
		case 1:
			m.dlg = m.planNewImage(td, c, img, nil)
		}
		return nil
	}
	return d
}

// planNewImage is the confirmation of I: the register command (and the
// deploy's, from a service), one a line.
func (m *Model) planNewImage(td resource.TaskDefinition, c resource.ContainerDef, img string, svc *resource.Service) *dialog {
	api, ecs := m.ecsDeployer(), m.cfg.Actions.ECS
	cmds := []string{m.registerCLI(td, c.Name, img)}
	j := job{verb: "register", label: "a new revision of " + td.Family, source: srcECS,
		done: "registered a new revision of " + td.Family + " (" + clean(c.Name) + ": " + clean(img) + ")"}
	lines := []string{"copy of " + td.Label() + ", container " + clean(c.Name) + ":", "  " + clean(c.Image) + " → " + clean(img)}
	if svc != nil {
		s := *svc
		cluster := m.data.clusterName(s.ClusterARN)
		// A bare family is its latest ACTIVE revision: the one just registered.
		cmds = append(cmds, m.awsCLI("ecs", "update-service", "--cluster", cluster, "--service", s.Name, "--task-definition", td.Family))
		lines = append(lines, "then service "+clean(s.Name)+" in cluster "+clean(cluster)+" deploys it: its tasks are replaced as the new ones become healthy.")
		j.done += " and started its deployment on service " + clean(s.Name) + " (w shows its events)"
		j.run = func(ctx context.Context) error {
			arn, err := api.RegisterImageRevision(ctx, td.ARN, c.Name, img)
			if err != nil {
				return err
			}
			_, err = ecs.UpdateService(ctx, s.ClusterARN, s.Name, s.Desired, arn)
			return err
		}
	} else {
		j.run = func(ctx context.Context) error {
			_, err := api.RegisterImageRevision(ctx, td.ARN, c.Name, img)
			return err
		}
	}
	j.cli = strings.Join(cmds, " && ")
	for _, c := range cmds {
		lines = append(lines, "$ "+c)
	}
	yes := "Register"
	if svc != nil {
		yes = "Register and deploy"
	}
	d := &dialog{title: "Register a new revision?", yes: yes, verb: "register", danger: true, lines: lines}
	d.submit = func(string) (tea.Cmd, string) { return m.launch(j), "" }
	return d
}

// registerCLI is what RegisterImageRevision does, with the aws CLI and jq:
// describe the revision with its tags, drop the fields ECS sets itself,
// change the image, register the result.
func (m *Model) registerCLI(td resource.TaskDefinition, container, img string) string {
	file := td.Family + ".json"
	jq := `jq '.taskDefinition + {tags: (.tags // [])} | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities, .registeredAt, .registeredBy, .deregisteredAt)` +
		` | .containerDefinitions |= map(if .name == "` + container + `" then .image = "` + img + `" else . end)'`
	return m.awsCLI("ecs", "describe-task-definition", "--task-definition", td.Label(), "--include", "TAGS") +
		" | " + jq + " > " + file + " && " + m.awsCLI("ecs", "register-task-definition", "--cli-input-json", "file://"+file)
}

// taskDefOpsKey is C (compare with a picked revision) and I (a new image)
// on a revision's page; ok is false for other keys.
func (m *Model) taskDefOpsKey(p *taskDefPage, msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := &m.keys
	switch {
	case matches(msg, k.DiffWith):
		if p.td == nil {
			m.info("wait until " + p.ref + " is described")
			return nil, true
		}
		td := *p.td
		q := newRevPick("compare "+td.Label()+" with", td.Family, td.Label(), func(m *Model, rev string) tea.Cmd {
			if rev == td.Label() {
				m.info("that is " + rev + " itself: pick another revision")
				return nil
			}
			m.pop()
			return m.compareWith(p, rev)
		})
		m.push(q)
		return q.reload(m), true
	case k.NewImage.hasKey(msg):
		switch {
		case !k.NewImage.Enabled():
			m.fail("read-only mode (--readonly): registering a new image is disabled")
		case m.ecsDeployer() == nil:
			m.fail("register a new image is not available here: the ECS backend does not offer it")
		case p.td == nil:
			m.info("wait until " + p.ref + " is described")
		default:
			m.chooseContainer(*p.td, nil)
		}
		return nil, true
	}
	return nil, false
}

// compareMsg is the revision a page is compared with (C).
type compareMsg struct {
	p   *taskDefPage
	ref string
	td  resource.TaskDefinition
	err error
}

func (msg compareMsg) apply(m *Model) tea.Cmd {
	switch {
	case !m.onStack(msg.p):
	case msg.err != nil:
		m.fail("cannot compare with " + msg.ref + ": " + clean(msg.err.Error()))
	default:
		// The page's diff is from prev to td: prev becomes the pick.
		td := msg.td
		msg.p.prev, msg.p.diff, msg.p.scroll = &td, true, 0
	}
	return nil
}

// compareWith describes rev in a Cmd, then shows what changed from it.
func (m *Model) compareWith(p *taskDefPage, rev string) tea.Cmd {
	api := m.cfg.TaskDefs
	m.info("describing " + rev + "…")
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), taskDefsTimeout)
		defer cancel()
		td, err := api.DescribeTaskDefinition(ctx, rev)
		return compareMsg{p: p, ref: rev, td: td, err: err}
	}
}
