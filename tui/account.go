package tui

import (
	"context"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// The in-app account switch: :profile NAME, :region NAME and :sandbox
// [REGION]. cmd/deckhand builds the backend for the new identity the way
// start-up does (Config.Switch) and stops the old watchers; the model then
// forgets every AWS row, goes back to the top pane and starts the new
// watchers, so nothing of the old account stays on screen.

// AccountTarget is where a switch goes. Exactly one field is set.
type AccountTarget struct {
	Profile string // :profile NAME: a real account, in the profile's region
	Region  string // :region NAME: the same account (sandbox or real) in another region
	Sandbox bool   // :sandbox [REGION] (REGION in Region; "" = the sandbox's default)
}

// Switched is a switch that worked.
type Switched struct {
	// Config replaces the model's Config whole: cmd/deckhand makes it as
	// at start-up, for the new backend (--readonly and the Docker side
	// are the same).
	Config Config
	// Start runs the new account's watchers. The model calls it (in a Cmd)
	// only once it has forgotten the old rows, so no update of the new
	// account is wiped by the clean-up.
	Start func()
}

// switchTimeout bounds building the new backend (the credential check
// alone may take 5 s) and stopping the old one.
const switchTimeout = 30 * time.Second

// accountState is the model's part of switching.
type accountState struct {
	seq       uint64   // switches done: identity answers of older accounts are dropped
	switching string   // the command of the switch under way ("" = none)
	profiles  []string // the shared config's profiles, last read (for completion)
}

func (m *Model) profileCommand(args []string) tea.Cmd {
	if len(args) != 1 {
		m.fail(":profile takes one name (:profile NAME)" + m.profileList())
		return m.loadProfiles()
	}
	return m.switchAccount(":profile "+args[0], AccountTarget{Profile: args[0]})
}

func (m *Model) regionCommand(args []string) tea.Cmd {
	if len(args) != 1 {
		m.fail(":region takes one name (:region NAME, e.g. :region eu-west-1; tab completes)")
		return nil
	}
	if !m.knownRegion(":region", args[0]) {
		return nil
	}
	return m.switchAccount(":region "+args[0], AccountTarget{Region: args[0]})
}

func (m *Model) sandboxCommand(args []string) tea.Cmd {
	to := AccountTarget{Sandbox: true}
	switch {
	case len(args) > 1:
		m.fail(":sandbox takes at most a region (:sandbox or :sandbox eu-west-1)")
		return nil
	case len(args) == 1:
		if !m.knownRegion(":sandbox", args[0]) {
			return nil
		}
		to.Region = args[0]
	}
	return m.switchAccount(":sandbox "+to.Region, to)
}

// knownRegion refuses a region that is not in the list, naming the command
// and the regions that look alike (those of the same area, else all).
func (m *Model) knownRegion(cmd, name string) bool {
	if len(m.cfg.Regions) == 0 || slices.Contains(m.cfg.Regions, name) {
		return true
	}
	like := startingWith(m.cfg.Regions, name[:min(len(name), 3)])
	if len(like) == 0 {
		like = m.cfg.Regions
	}
	m.fail(cmd + " " + name + ": no such region; regions: " + strings.Join(like, " ") + " (tab completes)")
	return false
}

func (m *Model) profileList() string {
	if len(m.acct.profiles) == 0 {
		return ""
	}
	return "; profiles: " + strings.Join(m.acct.profiles, " ")
}

// switchAccount starts a switch in a Cmd: the profile is checked against
// the files read afresh, then the new backend is built. The current account
// stays until it succeeds.
func (m *Model) switchAccount(cmd string, to AccountTarget) tea.Cmd {
	cmd = strings.TrimSpace(cmd)
	sw, profiles := m.cfg.Switch, m.cfg.Profiles
	switch {
	case sw == nil:
		m.fail(cmd + ": this deckhand cannot switch accounts")
		return nil
	case m.acct.switching != "":
		m.fail(cmd + ": " + m.acct.switching + " is still under way")
		return nil
	case m.lr != nil && !m.lr.done:
		// The launch's steps run against the current backend; switching
		// under it would leave the user looking at another account.
		m.fail(cmd + ": a " + m.lr.verb + " is running on this account; wait for it or cancel it (L shows it)")
		return nil
	}
	m.acct.switching = cmd
	m.info(cmd + ": switching…")
	return func() tea.Msg {
		if to.Profile != "" && profiles != nil && to.Profile != "default" {
			names, err := profiles()
			if !slices.Contains(names, to.Profile) {
				return switchedMsg{cmd: cmd, err: noProfileError(to.Profile, names, err)}
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), switchTimeout)
		defer cancel()
		res, err := sw(ctx, to)
		return switchedMsg{cmd: cmd, res: res, err: err}
	}
}

type noProfile struct{ msg string }

func (e noProfile) Error() string { return e.msg }

func noProfileError(name string, names []string, readErr error) error {
	msg := "no profile " + name + " in the shared config files"
	if len(names) > 0 {
		msg += "; profiles: " + strings.Join(names, " ")
	} else {
		msg += " (they hold none: add one with `aws configure --profile " + name + "`)"
	}
	if readErr != nil {
		msg += "; reading them: " + readErr.Error()
	}
	return noProfile{msg}
}

// switchedMsg is the answer of a switch.
type switchedMsg struct {
	cmd string
	res Switched
	err error
}

func (msg switchedMsg) apply(m *Model) tea.Cmd {
	m.acct.switching = ""
	if msg.err != nil {
		m.fail(msg.cmd + ": " + clean(msg.err.Error()) + " — still on " + m.identityText(m.cfg))
		return nil
	}
	old := m.cfg
	cfg := msg.res.Config
	cfg.Readonly = cfg.Readonly || old.Readonly // never lost on the way
	if cfg.Now == nil {
		cfg.Now = old.Now
	}
	m.cfg = cfg
	m.keys.setReadonly(cfg.Readonly)
	m.acct.seq++
	m.account, m.arn, m.identErr, m.focused = "", "", nil, ""
	m.forgetAWS()
	m.emetrics = ecsMetrics{} // the old account's figures (ecs_metrics.go)
	closed := ""
	if m.dlg != nil {
		m.dlg = nil // it was about a resource of the old account
		closed = " (the open dialog was closed: it was about the previous account)"
	}
	top := m.tops[0]
	if lp, ok := m.stack[0].(*listPage); ok {
		top = lp
	}
	for _, p := range m.tops {
		p.tbl.marked, p.tbl.cursor, p.tbl.offset = nil, 0, 0
		p.invalidate()
	}
	m.help = false
	m.showTop(top)
	m.info("now on " + m.identityText(cfg) + " (was " + m.identityText(old) + ")" + closed)
	cmds := []tea.Cmd{m.identityCmd(), m.loadProfiles()}
	if start := msg.res.Start; start != nil {
		cmds = append(cmds, func() tea.Msg { start(); return nil })
	}
	return tea.Batch(cmds...)
}

// identityText names an account as the status line tells it: "the
// sandbox account in us-east-1", "profile prod in eu-west-1".
func (m *Model) identityText(c Config) string {
	where := ""
	if c.Region != "" {
		where = " in " + c.Region
	}
	switch {
	case c.Sandbox:
		return "the sandbox account" + where
	case c.AWSProblem != "":
		return "no AWS account (unavailable)"
	case c.Profile != "":
		return "profile " + c.Profile + where
	case c.Endpoint != "":
		return "the endpoint " + c.Endpoint + where
	}
	return "the default AWS credentials" + where
}

// forgetAWS drops every row, event, highlight and source status of the AWS
// sources; Docker's stay (its engine is the same). The old watchers' last
// updates were sent before cmd/deckhand answered the switch (it waits for
// them to stop) and the program handles messages in order, so none of them
// arrives after this.
func (m *Model) forgetAWS() {
	aws := func(k resource.Kind) bool {
		src := m.data.source[k]
		return src == srcEC2 || src == srcECS
	}
	for _, k := range resource.AllKinds {
		if !aws(k) {
			continue
		}
		m.data.Take(k, resource.Set{})
		delete(m.data.items, k)
		delete(m.data.index, k)
		delete(m.data.loaded, k)
		delete(m.data.failed, k)
	}
	m.data.scope = nil
	// The new watchers count their generations from scratch.
	delete(m.src, srcEC2)
	delete(m.src, srcECS)
	for k := range m.changedAt {
		if aws(k.kind) {
			delete(m.changedAt, k)
		}
	}
	for k := range m.hl {
		if aws(k.kind) {
			delete(m.hl, k)
		}
	}
	kept := newEventLog(eventCap)
	for i := m.events.len() - 1; i >= 0; i-- {
		if t, _ := m.events.newest(i); !aws(t.Kind) {
			kept.add(t)
		}
	}
	m.events = kept
}

// identityCmd asks the new account who it is; an answer for an account
// switched away from is dropped.
func (m *Model) identityCmd() tea.Cmd {
	f, seq := m.cfg.Identity, m.acct.seq
	if f == nil || m.cfg.AWSProblem != "" {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		acct, arn, err := f(ctx)
		return switchedIdentityMsg{seq, identityMsg{acct, arn, err}}
	}
}

type switchedIdentityMsg struct {
	seq uint64
	id  identityMsg
}

func (msg switchedIdentityMsg) apply(m *Model) tea.Cmd {
	if msg.seq == m.acct.seq {
		m.account, m.arn, m.identErr = msg.id.account, msg.id.arn, msg.id.err
		if msg.id.err != nil {
			m.fail("AWS identity: " + clean(msg.id.err.Error()))
		}
	}
	return nil
}
