package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// helpLines is the `?` overlay, generated from the keymap and the command
// list so that it cannot drift from what the keys do.
func (m *Model) helpLines(w int) []string {
	st := &m.st
	keyW := 0
	for _, a := range m.keys.all() {
		keyW = max(keyW, ansi.StringWidth(a.Help().Key))
	}
	// Keys grouped by where they work, in keymap order; the resource
	// actions form one group, each saying what it acts on.
	group := func(a *action) string {
		if a.kinds != nil {
			return "actions on the selected row (or the detail shown)"
		}
		return where(a.modes)
	}
	// On a wide screen the commands go beside the keys: the keys' column
	// wraps to leave them 60 cells, rather than pushing them below.
	descW := max(w-keyW-4, 10)
	if w >= 160 {
		descW = max(w-64-keyW-6, 40)
	}
	var keys []string
	var groups []string
	for _, a := range m.keys.all() {
		if !slices.Contains(groups, group(a)) {
			groups = append(groups, group(a))
		}
	}
	for _, g := range groups {
		if len(keys) > 0 {
			keys = append(keys, "")
		}
		keys = append(keys, st.Title.Render("Keys: "+g))
		for _, a := range m.keys.all() {
			if group(a) != g {
				continue
			}
			h := a.Help()
			desc := a.describe()
			switch {
			case !a.Enabled():
				desc += " (disabled: read-only)"
			case a.danger:
				desc += " (dangerous)"
			}
			// Long descriptions wrap under themselves rather than being
			// cut at the edge of a narrow terminal.
			indent := strings.Repeat(" ", keyW+4)
			for i, l := range strings.Split(ansi.Wrap(desc, descW, " "), "\n") {
				if i == 0 {
					keys = append(keys, "  "+st.Key.Render(pad(h.Key, keyW, false))+"  "+l)
				} else {
					keys = append(keys, indent+l)
				}
			}
		}
	}

	cmds := []string{st.Title.Render("Commands")}
	for _, c := range commands {
		line := "  " + st.Key.Render(":"+c.names[0])
		if len(c.names) > 1 {
			line += st.Muted.Render(" (:" + strings.Join(c.names[1:], " :") + ")")
		}
		cmds = append(cmds, line+"  "+c.desc)
	}
	cmds = append(cmds, "", st.Title.Render("Panes"))
	for i, p := range m.numbered() {
		cmds = append(cmds, "  "+st.Key.Render(string(rune('1'+i)))+"  "+p.spec.name)
	}
	cmds = append(cmds, "",
		st.Title.Render("Drill-down"),
		"  clusters › services › tasks › containers: enter opens, esc goes back.",
		"  d (or enter on an instance, container or event) shows details and history.",
		"  l shows a container's last 200 log lines; f follows them, w wraps.",
		"",
		st.Title.Render("Row markers"),
		"  > cursor   * changed in the last few seconds",
		"",
		st.Title.Render("Actions"),
		"  s, S and ctrl+k act on the selected row (or the detail shown).",
		"  Stop, terminate and remove ask first, with No chosen;",
		"  terminate wants the instance's name typed. --readonly disables all.",
		"",
		st.Title.Render("Launches"),
		"  L or :launch opens the wizard; enter shows the plan (steps, resources,",
		"  equivalent docker/aws commands) to confirm, with No chosen.",
		"  The checklist shows each step; esc leaves it running, L or :launches",
		"  returns, ctrl+c there asks to cancel. :destroy NAME removes a stack.",
		"",
		st.Title.Render("Creating"),
		"  :create instance|cluster|taskdef|service (c on instances, clusters,",
		"  services) opens a form; enter checks it and shows what will be made",
		"  and the aws command, to confirm with No chosen. Values are kept.",
	)

	// Side by side when there is room, else one under the other.
	leftW := 0
	for _, l := range keys {
		leftW = max(leftW, ansi.StringWidth(l))
	}
	if w < leftW+4+50 {
		return append(append(keys, ""), cmds...)
	}
	out := make([]string, max(len(keys), len(cmds)))
	for i := range out {
		l, r := "", ""
		if i < len(keys) {
			l = keys[i]
		}
		if i < len(cmds) {
			r = cmds[i]
		}
		out[i] = pad(l, leftW, false) + "    " + r
	}
	return out
}
