package tui

import (
	"errors"
	"strconv"
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"deckhand/internal/launch"
)

// The launch wizard is a form: stack name, target, what to deploy (a
// directory to build, or an existing image) and its options. Every field
// is checked when the cursor leaves it and all of them again on enter;
// a refused field keeps what was typed, and the whole form is kept when
// the wizard is left, so nothing typed is ever lost. Enter plans the
// launch (in a Cmd: planning reads the project directory) and shows the
// review page; nothing is created before the review is confirmed.

type fieldKind int

const (
	fieldText fieldKind = iota
	fieldChoice
	fieldToggle
)

// Field ids; the form looks fields up by them.
const (
	fStack    = "stack"
	fTarget   = "target"
	fSource   = "source"
	fDir      = "dir"
	fScaffold = "scaffold"
	fBase     = "base"
	fImage    = "image"
	fPort     = "port"
	fLB       = "lb"
)

// sourceImage is the choice of the source field that deploys an image.
const sourceImage = 1

type formField struct {
	id, label string
	kind      fieldKind
	in        lineInput
	choices   []string // fieldChoice: the options; fieldToggle: off, on
	choice    int
	hint      string // shown, muted, while a text field is empty; a toggle's description
	err       string // why the value was refused; "" when it is fine
}

func (f *formField) value() string { return strings.TrimSpace(f.in.value()) }

// wizard is the launch form's state. It outlives the page, so a user who
// leaves and comes back finds the values as they were.
type wizard struct {
	fields   []*formField
	focus    string // id of the focused field
	problem  string // a planning error not tied to one field
	planning bool   // a plan is being made; enter waits for it
}

func newWizard() *wizard {
	text := func(id, label, value, hint string) *formField {
		return &formField{id: id, label: label, kind: fieldText, in: lineInput{kind: inputPrompt, text: []rune(value)}, hint: hint}
	}
	return &wizard{focus: fStack, fields: []*formField{
		text(fStack, "Stack name", "", "1–32 lowercase letters, digits and '-', e.g. web"),
		{id: fTarget, label: "Target", kind: fieldChoice, choices: launch.Targets},
		{id: fSource, label: "Deploy", kind: fieldChoice, choices: []string{"build a directory", "an existing image"}},
		text(fDir, "Directory", ".", "the project directory"),
		{id: fScaffold, label: "Scaffold if empty", kind: fieldToggle, choices: []string{"no", "yes"}, choice: 1,
			hint: "write deckhand's Flask project into an empty or missing directory"},
		text(fBase, "Base image", "", "the Dockerfile's default (BASE_IMAGE build argument)"),
		text(fImage, "Image", "", "an image on this machine, e.g. deckhand/web:latest"),
		text(fPort, "Port", "", ""), // its hint depends on the target: see portHint
		{id: fLB, label: "Load balancer", kind: fieldToggle, choices: []string{"no", "yes"},
			hint: "an Application Load Balancer: the URL is its DNS name, not the task's IP"},
	}}
}

func (w *wizard) field(id string) *formField {
	for _, f := range w.fields {
		if f.id == id {
			return f
		}
	}
	return nil
}

// visible is the fields that apply: a build asks for the directory and
// its options, an existing image only for the image.
func (w *wizard) visible() []*formField {
	image := w.field(fSource).choice == sourceImage
	var out []*formField
	for _, f := range w.fields {
		switch f.id {
		case fDir, fScaffold, fBase:
			if image {
				continue
			}
		case fImage:
			if !image {
				continue
			}
		case fLB:
			if launch.Targets[w.field(fTarget).choice] != launch.TargetFargate {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

func (w *wizard) focused() *formField {
	vis := w.visible()
	for _, f := range vis {
		if f.id == w.focus {
			return f
		}
	}
	return vis[0]
}

// move checks the field being left and focuses the next (d=1) or the
// previous (d=-1) one, wrapping around.
func (w *wizard) move(d int) {
	cur := w.focused()
	w.check(cur)
	vis := w.visible()
	for i, f := range vis {
		if f == cur {
			w.focus = vis[(i+d+len(vis))%len(vis)].id
			return
		}
	}
}

const portRange = "use 1–65535, or leave it empty to let the target choose"

// portHint says what the port means on each target, since it differs.
var portHint = map[string]string{
	launch.TargetLocal:   "host port on 127.0.0.1; empty = any free port",
	launch.TargetFargate: "the app's port, opened in the security group; empty = the image's EXPOSE",
	launch.TargetEC2:     "the app's port on the instance; empty = the image's EXPOSE",
}

// check validates one field and records why it is refused. The message
// names the field and says how to fix it.
func (w *wizard) check(f *formField) bool {
	v := f.value()
	f.err = ""
	switch f.id {
	case fStack:
		if err := launch.ValidateStackName(v); err != nil {
			f.err = err.Error()
		}
	case fDir:
		if v == "" {
			f.err = `directory is empty: give the project directory ("." is the one deckhand was started in)`
		}
	case fImage:
		if v == "" {
			f.err = "image is empty: give an image on this machine, e.g. deckhand/web:latest, or deploy a directory instead (←/→ on Deploy)"
		}
	case fPort:
		if v == "" {
			break
		}
		switch n, err := strconv.Atoi(v); {
		case err != nil:
			f.err = "port " + strconv.Quote(v) + " is not a number: " + portRange
		case n < 1 || n > 65535:
			f.err = "port " + v + " is out of range: " + portRange
		}
	}
	if (f.id == fBase || f.id == fImage) && strings.ContainsFunc(v, unicode.IsSpace) {
		f.err = strings.ToLower(f.label) + " " + strconv.Quote(v) + " has spaces: give one image reference, e.g. deckhand/python-base:bookworm"
	}
	return f.err == ""
}

// request checks every visible field and returns the launch they ask
// for; ok is false (and the first refused field focused) otherwise.
func (w *wizard) request() (launch.Request, bool) {
	first := ""
	for _, f := range w.visible() {
		if !w.check(f) && first == "" {
			first = f.id
		}
	}
	if first != "" {
		w.focus = first
		return launch.Request{}, false
	}
	req := launch.Request{
		Stack:  w.field(fStack).value(),
		Target: launch.Targets[w.field(fTarget).choice],
	}
	if w.field(fSource).choice == sourceImage {
		req.Image = w.field(fImage).value()
	} else {
		req.Dir = w.field(fDir).value()
		req.BaseImage = w.field(fBase).value()
		req.Scaffold = w.field(fScaffold).choice == 1
	}
	req.Port, _ = strconv.Atoi(w.field(fPort).value())
	req.LoadBalancer = req.Target == launch.TargetFargate && w.field(fLB).choice == 1
	return req, true
}

// planned puts a planning error where the user can fix it: under the
// field it is about, or below the form.
func (w *wizard) planned(err error) {
	var ne *launch.NameError
	switch {
	case errors.As(err, &ne):
		w.field(fStack).err, w.focus = err.Error(), fStack
	case errors.Is(err, launch.ErrTargetUnavailable):
		w.field(fTarget).err, w.focus = err.Error(), fTarget
	default:
		w.problem = err.Error()
	}
}

// openWizard shows the launch form (a new one, or the one left earlier).
func (m *Model) openWizard() {
	if m.wiz == nil {
		m.wiz = newWizard()
	}
	m.help = false
	m.dropLaunchPages(paneWizard, paneReview)
	m.push(&page{kind: paneWizard, crumb: "launch"})
}

func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	w, k := m.wiz, &m.keys
	f := w.focused()
	switch {
	case matches(msg, k.Leave):
		m.pop()
		return nil
	case matches(msg, k.Submit):
		return m.submitWizard()
	case matches(msg, k.NextField):
		w.move(1)
	case matches(msg, k.PrevField):
		w.move(-1)
	case f.kind != fieldText && (matches(msg, k.Choose) || matches(msg, k.Toggle)):
		d := 1
		if msg.String() == "left" {
			d = -1
		}
		f.choice = (f.choice + d + len(f.choices)) % len(f.choices)
		f.err = ""
	case f.kind != fieldText:
	case matches(msg, k.ClearLine):
		f.in.text = nil
	case matches(msg, k.Erase):
		if n := len(f.in.text); n > 0 {
			f.in.text = f.in.text[:n-1]
		}
	case matches(msg, k.Toggle):
		f.in.insert(" ")
	case msg.Text != "":
		f.in.insert(msg.Text)
	default:
		return nil
	}
	w.problem = ""
	return nil
}

// typeInForm inserts pasted text into the focused text field.
func (m *Model) typeInForm(s string) {
	if f := m.wiz.focused(); f.kind == fieldText {
		f.in.insert(s)
	}
}

// submitWizard checks the form and plans the launch in a Cmd.
func (m *Model) submitWizard() tea.Cmd {
	w := m.wiz
	w.problem = ""
	req, ok := w.request()
	if !ok || w.planning {
		return nil
	}
	if why := m.launchBlocked("launch"); why != "" {
		w.problem = why
		return nil
	}
	w.planning = true
	planner := m.cfg.Launcher
	return func() tea.Msg {
		steps, result, err := planner.PlanLaunch(req)
		return planMsg{req: req, stack: req.Stack, target: req.Target, steps: steps, result: result, err: err}
	}
}

// wizardLines renders the form.
func (m *Model) wizardLines(w int) []string {
	st, wz := &m.st, m.wiz
	labelW := 0
	for _, f := range wz.fields {
		labelW = max(labelW, width(f.label))
	}
	valW := max(w-labelW-6, 10)
	out := []string{st.Title.Render("Launch a service"),
		st.Muted.Render(fit("enter shows the plan; nothing is created before you confirm it.", w)), ""}
	for _, f := range wz.visible() {
		focus := f.id == wz.focus
		cursor := "  "
		if focus {
			cursor = st.Key.Render("> ")
		}
		out = append(out, cursor+pad(f.label, labelW, false)+"  "+m.fieldValue(f, focus, valW))
		if f.err != "" {
			for _, l := range strings.Split(ansi.Wrap("✗ "+clean(f.err), valW, " "), "\n") {
				out = append(out, strings.Repeat(" ", labelW+4)+st.Err.Render(l))
			}
		}
	}
	out = append(out, "")
	switch {
	case wz.planning:
		out = append(out, "  "+st.Transitional.Render("planning…"))
	case wz.problem != "":
		for _, l := range strings.Split(ansi.Wrap("✗ cannot plan this launch: "+clean(wz.problem), max(w-4, 10), " "), "\n") {
			out = append(out, "  "+st.Err.Render(l))
		}
	}
	return out
}

// fieldValue draws a field's value. Choices bracket the chosen option, so
// the choice reads without colour too.
func (m *Model) fieldValue(f *formField, focus bool, w int) string {
	st := &m.st
	switch f.kind {
	case fieldChoice:
		parts := make([]string, len(f.choices))
		for i, c := range f.choices {
			switch {
			case i == f.choice && focus:
				parts[i] = st.Selected.Render("[" + c + "]")
			case i == f.choice:
				parts[i] = st.Accent.Render("[" + c + "]")
			default:
				parts[i] = st.Muted.Render(" " + c + " ")
			}
		}
		return strings.Join(parts, " ")
	case fieldToggle:
		box := "[ ] no"
		if f.choice == 1 {
			box = "[x] yes"
		}
		s := box + st.Muted.Render("  "+f.hint)
		if focus {
			s = st.Selected.Render(box) + st.Muted.Render("  space or ←/→ switches it")
		}
		return fit(s, w)
	}
	hint := f.hint
	if f.id == fPort {
		hint = portHint[launch.Targets[m.wiz.field(fTarget).choice]]
	}
	text := clean(f.in.value())
	switch {
	case focus:
		// The end of a long value stays in view while typing.
		text = ansi.TruncateLeft(text, max(width(text)-w+2, 0), "…") + st.Selected.Render(" ")
		if f.in.value() == "" {
			text += st.Muted.Render(" " + hint)
		}
	case text == "":
		text = st.Muted.Render(hint)
	}
	return fit(text, w)
}
