package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

type inputKind int

const (
	inputNone inputKind = iota
	inputCommand
	inputFilter
	inputPrompt // a dialog's text field
)

// command is one `:` command. The first name is the one completion offers.
type command struct {
	names []string
	desc  string
	args  bool // takes arguments (the others refuse them)
	run   func(m *Model, args []string) tea.Cmd
}

// commands are the panes' commands and the others, from the registry.
// They are made in init: the registry's functions reach code that reads
// commands.
var commands []command

func init() {
	for i, l := range lists {
		commands = append(commands, command{names: l.commands, desc: l.desc,
			run: func(m *Model, _ []string) tea.Cmd { m.switchTo(m.tops[i]); return nil }})
	}
	commands = append(commands, otherCommands...)
}

func commandNames() []string {
	out := make([]string, len(commands))
	for i, c := range commands {
		out[i] = c.names[0]
	}
	return out
}

// completions are the command names that start with prefix.
func completions(prefix string) []string {
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	var out []string
	for _, n := range commandNames() {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

// complete extends prefix as far as the matching names agree.
func complete(prefix string) string {
	c := completions(prefix)
	if len(c) == 0 {
		return prefix
	}
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

func (m *Model) inputKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	in := &m.input
	switch {
	case matches(msg, k.Accept):
		text, kind := in.value(), in.kind
		in.stop()
		if kind == inputCommand {
			return m.run(text)
		}
		return nil
	case matches(msg, k.Cancel):
		if in.kind == inputFilter {
			m.setFilter("")
		}
		in.stop()
		return nil
	case matches(msg, k.Complete):
		if in.kind == inputCommand {
			if s, _, ok := m.completeArg(in.value()); ok {
				in.set(s) // :region eu-<tab> (account.go)
			} else {
				in.set(complete(in.value()))
			}
		}
		return nil
	case matches(msg, k.ClearLine):
		in.clear()
	case matches(msg, k.Erase):
		if in.empty() && in.kind == inputCommand {
			in.stop() // backspace on an empty command line leaves it, like vim
			return nil
		}
		in.erase()
	case in.edit(msg):
	default:
		if msg.Text == "" {
			return nil
		}
		in.insert(msg.Text)
	}
	m.afterInput()
	return nil
}

// setFilter applies the `/` filter to the page on screen.
func (m *Model) setFilter(s string) {
	if f, ok := m.current().(filterer); ok {
		f.setFilter(s)
	}
}

// afterInput applies the filter as it is typed, so the rows narrow live.
func (m *Model) afterInput() {
	if m.input.kind == inputFilter {
		m.setFilter(m.input.value())
	}
}

// run executes a `:` command.
func (m *Model) run(text string) tea.Cmd {
	words := strings.Fields(strings.TrimPrefix(strings.TrimSpace(text), ":"))
	if len(words) == 0 {
		return nil
	}
	// Only the command's name is lowercased: a stack name is checked as
	// typed, so "Web" is refused with a reason rather than changed.
	name, args := strings.ToLower(words[0]), words[1:]
	for _, c := range commands {
		for _, n := range c.names {
			if n != name {
				continue
			}
			if len(args) > 0 && !c.args {
				m.fail(":" + name + " takes no arguments")
				return nil
			}
			return c.run(m, args)
		}
	}
	m.fail("unknown command :" + name + " — try :" + strings.Join(commandNames(), " :"))
	return nil
}
