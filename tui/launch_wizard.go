package tui

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/launch"
)

// The launch wizard is a form: stack name, target, what to deploy (a
// directory to build, or an existing image) and its options. Every field
// is checked when the cursor leaves it and all of them again on enter;
// a refused field keeps what was typed, and the whole form is kept when
// the wizard is left, so nothing typed is ever lost. Enter plans the
// launch (in a Cmd: planning reads the project directory) and shows the
// review page; nothing is created before the review is confirmed.

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
	fSSHFrom  = "sshfrom"
	fSSHCIDR  = "sshcidr"
)

// sshGiven is the choice of the SSH field that takes a CIDR.
const sshGiven = 1

// inputFields are the wizard's fields of the planner's flag names
// (launch/aws.InputError), so a refusal lands under its field.
var inputFields = map[string]string{"dir": fDir, "image": fImage, "base-image": fBase, "port": fPort, "ssh-cidr": fSSHCIDR}

// sourceImage is the choice of the source field that deploys an image.
const sourceImage = 1

// wizard is the launch form's state. It outlives the page, so a user who
// leaves and comes back finds the values as they were.
type wizard struct {
	pageBase
	form
}

func newWizard() *wizard {
	w := &wizard{pageBase{"launch"}, form{focus: fStack, fields: []*formField{
		textField(fStack, "Stack name", "", "1–32 lowercase letters, digits and '-', e.g. web"),
		choiceField(fTarget, "Target", launch.Targets...),
		choiceField(fSource, "Deploy", "build a directory", "an existing image"),
		textField(fDir, "Directory", ".", "the project directory"),
		toggleField(fScaffold, "Scaffold if empty", true, "write deckhand's Flask project into an empty or missing directory"),
		textField(fBase, "Base image", "", "the Dockerfile's default (BASE_IMAGE build argument)"),
		textField(fImage, "Image", "", "an image on this machine, e.g. deckhand/web:latest"),
		textField(fPort, "Port", "", ""), // its hint depends on the target: see portHint
		toggleField(fLB, "Load balancer", false, "an Application Load Balancer: the URL is its DNS name, not the task's IP"),
		// Who may SSH in: looking up this machine's address asks
		// checkip.amazonaws.com, a call outside the account, so it is a
		// choice the user makes on screen (the sandbox never asks).
		choiceField(fSSHFrom, "SSH from", "my public address", "a CIDR I give"),
		textField(fSSHCIDR, "SSH CIDR", "", "who may SSH in, e.g. 203.0.113.7/32 (never 0.0.0.0/0)"),
	}}}
	w.show, w.valid = w.shows, w.check
	w.hint = func(f *formField) string {
		if f.id == fPort {
			return portHint[launch.Targets[w.field(fTarget).choice]]
		}
		return f.hint
	}
	return w
}

// shows tells the fields that apply: a build asks for the directory and
// its options, an existing image only for the image.
func (w *wizard) shows(f *formField) bool {
	image := w.field(fSource).choice == sourceImage
	switch f.id {
	case fDir, fScaffold, fBase:
		return !image
	case fImage:
		return image
	case fLB:
		return launch.Targets[w.field(fTarget).choice] == launch.TargetFargate
	case fSSHFrom:
		return launch.Targets[w.field(fTarget).choice] == launch.TargetEC2
	case fSSHCIDR:
		return launch.Targets[w.field(fTarget).choice] == launch.TargetEC2 && w.field(fSSHFrom).choice == sshGiven
	}
	return true
}

const portRange = "use 1–65535, or leave it empty to let the target choose"

// portHint says what the port means on each target, since it differs.
var portHint = map[string]string{
	launch.TargetLocal:   "host port on 127.0.0.1; empty = any free port",
	launch.TargetFargate: "the app's port, opened in the security group; empty = the image's EXPOSE",
	launch.TargetEC2:     "the app's port on the instance; empty = the image's EXPOSE",
}

// check says why a field's value is refused, or "". The message
// names the field and says how to fix it.
func (w *wizard) check(f *formField) string {
	v := f.value()
	why := ""
	switch f.id {
	case fStack:
		if err := launch.ValidateStackName(v); err != nil {
			why = err.Error()
		}
	case fDir:
		if v == "" {
			why = `directory is empty: give the project directory ("." is the one deckhand was started in)`
		}
	case fImage:
		if v == "" {
			why = "image is empty: give an image on this machine, e.g. deckhand/web:latest, or deploy a directory instead (←/→ on Deploy)"
		}
	case fSSHCIDR:
		if _, err := netip.ParsePrefix(v); err != nil {
			if _, aerr := netip.ParseAddr(v); aerr != nil {
				why = "SSH CIDR " + strconv.Quote(v) + " is not a CIDR block or an address: write yours like 203.0.113.7/32, or choose my public address"
			}
		}
	case fPort:
		if v == "" {
			break
		}
		switch n, err := strconv.Atoi(v); {
		case err != nil:
			why = "port " + strconv.Quote(v) + " is not a number: " + portRange
		case n < 1 || n > 65535:
			why = "port " + v + " is out of range: " + portRange
		}
	}
	if (f.id == fBase || f.id == fImage) && strings.ContainsFunc(v, unicode.IsSpace) {
		why = strings.ToLower(f.label) + " " + strconv.Quote(v) + " has spaces: give one image reference, e.g. deckhand/python-base:bookworm"
	}
	return why
}

// request checks every visible field and returns the launch they ask
// for; ok is false (and the first refused field focused) otherwise.
func (w *wizard) request() (launch.Request, bool) {
	if !w.checkAll() {
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
		req.Scaffold = w.field(fScaffold).on()
	}
	req.Port, _ = strconv.Atoi(w.field(fPort).value())
	req.LoadBalancer = req.Target == launch.TargetFargate && w.field(fLB).on()
	if req.Target == launch.TargetEC2 && w.field(fSSHFrom).choice == sshGiven {
		req.SSHCIDR = w.field(fSSHCIDR).value()
	}
	return req, true
}

// planned puts a planning error where the user can fix it: under the
// field it is about, or below the form.
func (w *wizard) planned(err error) {
	var ne *launch.NameError
	var ie interface{ InputField() string }
	switch {
	case errors.As(err, &ie) && inputFields[ie.InputField()] != "" && w.shows(w.field(inputFields[ie.InputField()])):
		id := inputFields[ie.InputField()]
		w.field(id).err, w.focus = err.Error(), id
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
	m.dropPages(func(p page) bool { return isPage[*wizard](p) || isPage[*review](p) })
	m.push(m.wiz)
}

func (w *wizard) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	return m.formKey(&w.form, msg, m.submitWizard)
}

// submitWizard checks the form and plans the launch in a Cmd.
func (m *Model) submitWizard() tea.Cmd {
	w := m.wiz
	w.problem = ""
	req, ok := w.request()
	if !ok || w.busy {
		return nil
	}
	if why := m.launchBlocked("launch"); why != "" {
		w.problem = why
		return nil
	}
	w.busy = true
	planner := m.cfg.Launcher
	return func() tea.Msg {
		steps, result, err := planner.PlanLaunch(req)
		return planMsg{req: req, stack: req.Stack, target: req.Target, steps: steps, result: result, err: err}
	}
}

// view renders the launch form.
func (wz *wizard) view(m *Model, _ time.Time, w, _ int) []string {
	return m.formLines(&wz.form, formText{title: "Launch a service",
		intro: "enter shows the plan; nothing is created before you confirm it.",
		busy:  "planning…", problem: "cannot plan this launch: "}, w)
}
