package tui

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/internal/resource"
)

// The creation wizards (:create instance|cluster|taskdef|service, c on the
// instances, clusters and services panes) are forms like the launch
// wizard's. Enter checks every field, then a Cmd looks up what the review
// needs (the latest AMI, the key pair, the default VPC's subnets, the user
// data file) without creating anything; the review shows what will be
// created and the equivalent aws command, and only its Yes runs the create,
// in another Cmd. A refusal or a failure puts the error under the field it
// is about and keeps every value, so the user fixes it and tries again.

// Creator is what the creation wizards call. Both backends (the SDK
// adapter and the sandbox account) implement it: it is a subset of
// cloud.Account, composed of its capability interfaces (no method is
// declared twice).
type Creator interface {
	cloud.InstanceLauncher
	cloud.ECSWriter
	cloud.Network
	cloud.KeyPairs
	cloud.Images
	cloud.Logs
	cloud.Roles
	cloud.TaskDefinitionReader
}

// vals is a snapshot of a form's values by field id: a text field's
// trimmed text, a choice's chosen option, a toggle's "yes" or "no". The
// Cmds work on a snapshot, never on the form, which Update owns.
type vals map[string]string

func (v vals) on(id string) bool { return v[id] == "yes" }

// with returns a copy with the given values replaced.
func (v vals) with(o vals) vals {
	out := vals{}
	for k, x := range v {
		out[k] = x
	}
	for k, x := range o {
		out[k] = x
	}
	return out
}

// createKind is one kind of resource a wizard creates.
type createKind struct {
	name   string // the word after :create
	title  string // the form's title
	source string // the watcher that lists it: refreshed after the create
	// fields builds a fresh form (m: for defaults taken from the panes).
	fields func(m *Model) *createWizard
	// sample holds a valid value for every field: a field is checked on
	// its own by validating the sample with that field's value (and those
	// of deps[field], for rules that tie fields together).
	sample vals
	deps   map[string][]string
	// validate checks a snapshot without I/O: parsing, then the aws
	// Validate* function of the spec. Errors carry the field (fieldError,
	// or *aws.Error whose Field fieldOf maps).
	validate func(v vals) error
	// prepare looks up, in a Cmd, what the review needs, checks the
	// complete spec and returns the plan. It creates nothing.
	prepare func(ctx context.Context, api Creator, v vals) (*createPlan, error)
	// fieldOf maps a spec field of *aws.Error (with indices removed, or
	// the part before the first '.'), or an AWS error code, to a form
	// field id.
	fieldOf map[string]string
}

// createKinds lists the kinds in the order :create names them.
func createKinds() []*createKind {
	return []*createKind{instanceKind(), clusterKind(), taskDefKind(), serviceKind()}
}

func kindNamed(name string) *createKind {
	for _, k := range createKinds() {
		if k.name == name {
			return k
		}
	}
	return nil
}

// createWizard is one creation form. It outlives its page.
type createWizard struct {
	pageBase
	form
	kind     *createKind
	busyText string // what the Cmd in flight does: checking, creating
}

func newCreateWizard(k *createKind, focus string, fields ...*formField) *createWizard {
	cw := &createWizard{pageBase: pageBase{"create " + k.name}, form: form{focus: focus, fields: fields}, kind: k}
	cw.valid = cw.check
	return cw
}

// values snapshots the form.
func (cw *createWizard) values() vals {
	v := vals{}
	for _, f := range cw.fields {
		switch f.kind {
		case fieldText:
			v[f.id] = f.value()
		case fieldChoice:
			if len(f.choices) > 0 {
				v[f.id] = f.choices[f.choice]
			}
		case fieldToggle:
			v[f.id] = f.choices[f.choice]
		}
	}
	return v
}

// check validates one field on its own: the sample with this field's
// value; only an error about this field counts here.
func (cw *createWizard) check(f *formField) string {
	all := cw.values()
	own := vals{f.id: all[f.id]}
	for _, d := range cw.kind.deps[f.id] {
		own[d] = all[d]
	}
	err := cw.kind.validate(cw.kind.sample.with(own))
	if id, msg := cw.explain(err); id == f.id {
		return msg
	}
	return ""
}

// fieldError is a refusal about one form field.
type fieldError struct{ id, msg string }

func (e *fieldError) Error() string { return e.msg }

var reIndex = regexp.MustCompile(`\[[^\]]*\]`)

// explain maps an error to the form field it is about ("" = none) and a
// message that names that field as the form labels it, with the fix.
func (cw *createWizard) explain(err error) (id, msg string) {
	if err == nil {
		return "", ""
	}
	var fe *fieldError
	if errors.As(err, &fe) {
		return fe.id, fe.msg
	}
	var ae *cloud.Error
	if !errors.As(err, &ae) {
		return "", err.Error()
	}
	plain := reIndex.ReplaceAllString(ae.Field, "")
	for _, key := range []string{ae.Field, plain, strings.SplitN(plain, ".", 2)[0], ae.Code} {
		if key != "" && cw.kind.fieldOf[key] != "" {
			id = cw.kind.fieldOf[key]
			break
		}
	}
	if id != "" && ae.Field != "" && errors.Is(err, cloud.ErrInvalidInput) {
		// deckhand's own check: say it with the form's label.
		return id, cw.field(id).label + ": " + strings.TrimPrefix(ae.Message, ae.Field+": ")
	}
	return id, err.Error() // AWS's refusal: the operation and its code
}

// place shows an error under its field, or below the form.
func (cw *createWizard) place(err error) {
	id, msg := cw.explain(err)
	cw.fail(id, msg)
}

// createPlan is what the review shows and what Yes runs.
type createPlan struct {
	cw      *createWizard
	what    string   // "instance web": the title, question and flash name it
	details []string // shown above the steps (e.g. the user data's first lines)
	steps   []launch.Step
	// create makes the resource and returns the success text, which names
	// what was created by id or ARN.
	create func(ctx context.Context, api Creator) (string, error)
}

type (
	createPreparedMsg struct {
		cw   *createWizard
		plan *createPlan
		err  error
	}
	createdMsg struct {
		plan *createPlan
		text string
		err  error
	}
)

// createTimeout bounds the look-ups before the review and the create.
const createTimeout = 2 * time.Minute

// createBlocked says why no creation wizard can open or create now, or "".
func (m *Model) createBlocked() string {
	switch {
	case !m.keys.Create.Enabled():
		return "read-only mode (--readonly): create is disabled"
	case m.cfg.AWSProblem != "":
		return "create is not available: AWS is not usable (" + m.cfg.AWSProblem + ")"
	case m.cfg.Create == nil:
		return "create is not available here: this backend offers no creation"
	}
	return ""
}

// createCommand runs `:create [KIND]`.
func (m *Model) createCommand(args []string) tea.Cmd {
	var names []string
	for _, k := range createKinds() {
		names = append(names, ":create "+k.name)
	}
	if len(args) != 1 || kindNamed(strings.ToLower(args[0])) == nil {
		m.info("create what? " + strings.Join(names, ", "))
		return nil
	}
	m.openCreate(strings.ToLower(args[0]), "")
	return nil
}

// openCreate shows the form of a kind (a new one, or the one left
// earlier); cluster preselects that cluster in a service's form.
func (m *Model) openCreate(name, cluster string) {
	if why := m.createBlocked(); why != "" {
		m.fail(why)
		return
	}
	if m.creates == nil {
		m.creates = map[string]*createWizard{}
	}
	cw := m.creates[name]
	if cw == nil {
		cw = kindNamed(name).fields(m)
		m.creates[name] = cw
	}
	if name == "service" {
		m.loadClusterChoices(cw, cluster)
	}
	m.help = false
	m.dropPages(func(p page) bool { return isPage[*createWizard](p) || isPage[*review](p) })
	m.push(cw)
}

func (cw *createWizard) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	if cmd, ok := m.keyPairFieldKey(cw, msg); ok { // create_keypair.go
		return cmd
	}
	return m.formKey(&cw.form, msg, func() tea.Cmd { return m.submitCreate(cw) })
}

// view renders the form.
func (cw *createWizard) view(m *Model, _ time.Time, w, _ int) []string {
	return m.formLines(&cw.form, formText{title: cw.kind.title,
		intro: "enter reviews what will be created; nothing is created until you confirm.",
		busy:  cw.busyText}, w)
}

// createKey opens the wizard of the pane's kind on c; ok is false when
// msg is not that key here.
func (m *Model) createKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	a := &m.keys.Create
	kind, it := m.current().subject(m)
	if !a.hasKey(msg) || !a.offeredOn(kind) {
		return nil, false
	}
	// A service's form preselects the cluster in view: the selected
	// service's, else the one the page lists.
	cluster := ""
	if s, ok := it.(resource.Service); ok {
		cluster = m.data.clusterName(s.ClusterARN)
	} else if p, ok := m.current().(*listPage); ok && kind == resource.KindService && p.scope.cluster != "" {
		cluster = m.data.clusterName(p.scope.cluster)
	}
	m.openCreate(string(kind), cluster) // the wizards are named by the kind they create
	return nil, true
}

// submitCreate checks the form and, in a Cmd, prepares the review.
func (m *Model) submitCreate(cw *createWizard) tea.Cmd {
	cw.problem = ""
	if cw.busy || !cw.checkAll() {
		return nil
	}
	v := cw.values()
	if err := cw.kind.validate(v); err != nil {
		cw.place(err)
		return nil
	}
	if why := m.createBlocked(); why != "" {
		cw.problem = why
		return nil
	}
	cw.busy, cw.busyText = true, "checking the account (nothing is created yet)…"
	api, prepare := m.cfg.Create, cw.kind.prepare
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), createTimeout)
		defer cancel()
		plan, err := prepare(ctx, api, v)
		if plan != nil {
			plan.cw = cw
		}
		return createPreparedMsg{cw: cw, plan: plan, err: err}
	}
}

// createPrepared shows the review, or puts the refusal under its field.
func (m *Model) createPrepared(msg createPreparedMsg) {
	cw := msg.cw
	cw.busy = false
	if msg.err != nil {
		cw.place(msg.err)
		return
	}
	if m.current() != page(cw) {
		return // the user left the form while it was checked
	}
	var b strings.Builder
	launch.WritePlan(&b, "", msg.plan.steps)
	lines := append(append([]string(nil), msg.plan.details...), strings.Split(strings.TrimRight(b.String(), "\n"), "\n")...)
	m.flash = flash{}
	m.dropPages(isPage[*review])
	m.push(&review{pageBase: pageBase{"review"}, create: msg.plan, lines: lines})
}

// runCreate runs a confirmed plan in a Cmd and goes back to its form,
// which waits for the result.
func (m *Model) runCreate(p *createPlan) tea.Cmd {
	if why := m.createBlocked(); why != "" {
		m.fail(why)
		return nil
	}
	m.pop()
	p.cw.busy, p.cw.busyText = true, "creating "+p.what+"…"
	m.info("creating " + p.what + "…")
	api, refresh, source := m.cfg.Create, m.cfg.Refresh, p.cw.kind.source
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), createTimeout)
		defer cancel()
		text, err := p.create(ctx, api)
		if err == nil && refresh != nil {
			refresh(source) // the pane shows it on this refresh
		}
		return createdMsg{plan: p, text: text, err: err}
	}
}

// created reports the result: on success the form starts afresh next
// time; on failure it keeps every value, with the error at its field.
func (m *Model) created(msg createdMsg) {
	cw := msg.plan.cw
	cw.busy = false
	if msg.err != nil {
		m.fail("create " + msg.plan.what + " failed: " + clean(msg.err.Error()))
		cw.place(msg.err)
		return
	}
	m.info(msg.text)
	delete(m.creates, cw.kind.name)
	if m.current() == page(cw) {
		m.pop()
	}
}
