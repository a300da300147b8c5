package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

// Completion of the account switch's arguments: :profile completes the
// profiles of the shared config files (read in a Cmd whenever the command
// line opens, so a profile added meanwhile is offered), :region and
// :sandbox the region list (Config.Regions).

// loadProfiles reads the profile names for completion, in a Cmd.
func (m *Model) loadProfiles() tea.Cmd {
	f := m.cfg.Profiles
	if f == nil {
		return nil
	}
	return func() tea.Msg {
		names, _ := f() // a read error is reported when :profile runs
		return profilesMsg(names)
	}
}

type profilesMsg []string

func (msg profilesMsg) apply(m *Model) tea.Cmd { m.acct.profiles = msg; return nil }

// argChoices are what tab completes after a command's name.
func (m *Model) argChoices(name string) []string {
	switch name {
	case "profile":
		return m.acct.profiles
	case "region", "sandbox":
		return m.cfg.Regions
	}
	return nil
}

// startingWith are the choices that start with prefix.
func startingWith(choices []string, prefix string) []string {
	var out []string
	for _, c := range choices {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// completeArg extends "NAME ARG" as far as the command's choices agree; ok
// is false when text is not a command with an argument being typed.
func (m *Model) completeArg(text string) (string, []string, bool) {
	name, arg, has := strings.Cut(strings.TrimLeft(text, " "), " ")
	name = strings.ToLower(name)
	choices := m.argChoices(name)
	if !has || choices == nil || strings.Contains(strings.TrimLeft(arg, " "), " ") {
		return text, nil, false
	}
	arg = strings.TrimLeft(arg, " ")
	c := startingWith(choices, arg)
	if len(c) == 0 {
		return text, nil, true
	}
	return name + " " + commonPrefix(c, arg), c, true
}

// commonPrefix is the longest prefix the choices share, or prefix.
func commonPrefix(c []string, prefix string) string {
	common := c[0]
	for _, s := range c[1:] {
		for !strings.HasPrefix(s, common) {
			common = common[:len(common)-1]
		}
	}
	if len(common) < len(prefix) {
		return prefix
	}
	return common
}

// argHint is what the command line shows after a command's argument: the
// rest of the first choice, ghosted, and the others (at most eight).
func (m *Model) argHint(text string) string {
	_, c, ok := m.completeArg(text)
	if !ok {
		return ""
	}
	name, arg, _ := strings.Cut(strings.TrimLeft(text, " "), " ")
	arg = strings.TrimLeft(arg, " ")
	if len(c) == 0 {
		if strings.ToLower(name) == "profile" {
			return m.st.Err.Render("   no such profile")
		}
		return m.st.Err.Render("   no such region")
	}
	out := ""
	if m.input.atEnd() {
		out = m.st.Muted.Render(strings.TrimPrefix(c[0], arg))
	}
	if len(c) > 1 {
		more := ""
		if len(c) > 8 {
			c, more = c[:8], " …"
		}
		out += m.st.Muted.Render("   (" + strings.Join(c, " ") + more + ")")
	}
	return out
}
