package tui

import (
	tea "charm.land/bubbletea/v2"
)

// The instance wizard makes or imports its key pair inline: ctrl+n on its
// Key pair field offers to create one (the private key saved 0600, never
// over a file) or to import ~/.ssh/id_*.pub, with the same confirmations
// as :keypairs, and fills the field in once AWS has it. A learner
// following the EC2 tutorial need not leave the wizard.

// keyPairFieldKey handles ctrl+n in the instance wizard; ok is false for
// other keys and other wizards.
func (m *Model) keyPairFieldKey(cw *createWizard, msg tea.KeyPressMsg) (tea.Cmd, bool) {
	a := &m.keys.NewKeyPair
	f := cw.field(iKey)
	if !a.hasKey(msg) || f == nil || cw.focus != iKey {
		return nil, false
	}
	if !a.Enabled() {
		m.fail("read-only mode (--readonly): creating key pairs is disabled")
		return nil, true
	}
	if m.cfg.EC2.KeyPairs == nil {
		m.fail("key pairs cannot be made here: this backend does not offer it")
		return nil, true
	}
	fill := func(_ *Model, name string) tea.Cmd {
		return func() tea.Msg { return keyFilledMsg{cw, name} }
	}
	d := &dialog{title: "A key pair for this instance", verb: "new key pair", lines: []string{
		"1  create a new key pair (its private key saved to " + m.cfg.EC2.sshDir() + "/NAME.pem, mode 0600)",
		"2  import a public key (" + m.cfg.EC2.sshDir() + "/id_*.pub)"}}
	d.pick = func(i int) tea.Cmd {
		switch i {
		case 0:
			m.dlg = m.createKeyDialog(fill)
		case 1:
			m.dlg = nil
			return m.offerPublicKeys(fill)
		}
		return nil
	}
	m.dlg = d
	return nil, true
}

// keyFilledMsg puts the key pair just made into the wizard's field.
type keyFilledMsg struct {
	cw   *createWizard
	name string
}

func (msg keyFilledMsg) apply(m *Model) tea.Cmd {
	if f := msg.cw.field(iKey); f != nil && m.onStack(msg.cw) {
		f.in = newLineInput(inputPrompt, msg.name)
		f.err = ""
	}
	return nil
}
