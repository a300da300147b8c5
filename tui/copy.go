package tui

import (
	"strconv"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// Copy (y): a short list of what can be copied from the row or the detail
// shown — its id, name, ARN, addresses, URL — and the last action's
// command; a digit copies one. The text goes to the terminal's clipboard
// through OSC 52 (tea.SetClipboard), which works over SSH and through tmux
// (with set-clipboard on), where no local clipboard tool can reach.

// copyChoice is one thing y can copy.
type copyChoice struct{ label, value string }

// copyChoices are what can be copied from it, then the last command.
func (m *Model) copyChoices(it resource.Item) []copyChoice {
	var cs []copyChoice
	add := func(label, value string) {
		if value != "" {
			cs = append(cs, copyChoice{label, clean(value)})
		}
	}
	switch x := it.(type) {
	case resource.Instance:
		add("instance id", x.ID)
		add("name", x.Name)
		add("public IP", x.PublicIP)
		add("private IP", x.PrivateIP)
	case resource.Cluster:
		add("name", x.Name)
		add("ARN", x.ARN)
	case resource.Service:
		add("name", x.Name)
		add("ARN", x.ARN)
		add("task definition", x.TaskDefinition)
	case resource.Task:
		add("task id", x.ID)
		add("ARN", x.ARN)
		for _, c := range x.Containers {
			add("URL of "+c.Name, firstWord(bindingURLs(c.NetworkBindings)))
		}
	case resource.Container:
		add("name", x.Name)
		add("image", x.Image)
		add("URL", firstWord(bindingURLs(x.NetworkBindings)))
	case resource.DockerContainer:
		add("container id", x.ID)
		add("name", x.Name)
		add("image", x.Image)
	}
	add("last command", m.lastCLI)
	return cs
}

func firstWord(s string) string {
	for i, r := range s {
		if r == ' ' {
			return s[:i]
		}
	}
	return s
}

// copyKey is y: the chooser, or straight to the clipboard when there is
// one thing to copy.
func (m *Model) copyKey() tea.Cmd {
	_, it := m.current().subject(m)
	cs := m.copyChoices(it)
	switch len(cs) {
	case 0:
		m.info("nothing to copy here yet: select a row, or run an action to copy its command")
		return nil
	case 1:
		return m.copyText(cs[0])
	}
	cs = cs[:min(len(cs), 9)]
	d := &dialog{title: "Copy to the clipboard", verb: "copy", closed: "nothing copied"}
	for i, c := range cs {
		d.lines = append(d.lines, strconv.Itoa(i+1)+"  "+c.label+": "+fit(c.value, max(66-width(c.label), 12))) // one line each: the digit picks it
	}
	d.lines = append(d.lines, "", "A digit copies; esc closes.")
	d.pick = func(i int) tea.Cmd {
		if i < 0 || i >= len(cs) {
			return nil
		}
		m.dlg = nil
		return m.copyText(cs[i])
	}
	m.dlg = d
	return nil
}

// copyText sends the text to the clipboard and says what was copied.
func (m *Model) copyText(c copyChoice) tea.Cmd {
	m.info("copied " + c.label + ": " + c.value)
	return tea.SetClipboard(c.value)
}

// pickKey is a key in a chooser dialog: a digit picks, esc closes.
func (m *Model) pickKey(msg tea.KeyPressMsg) tea.Cmd {
	s := msg.String()
	if len(s) == 1 && s[0] >= '1' && s[0] <= '9' {
		return m.dlg.pick(int(s[0] - '1'))
	}
	if s == "0" { // the tenth choice: "the next ones" where a chooser pages
		return m.dlg.pick(9)
	}
	return nil
}
