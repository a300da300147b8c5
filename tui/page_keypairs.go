package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

// The key pairs page (:keypairs): the region's key pairs with whether
// their private key is on this machine (SSHDir/NAME.pem, where deckhand
// writes them), c to create one (the private key written 0600 to a path
// shown before anything is created, never over a file), I to import a
// public key (~/.ssh/id_*.pub offered), ctrl+k to delete one. Read when
// the page opens and on ctrl+r, like :sg.

type keyPairsPage struct {
	fetched
	pairs map[string]cloud.KeyPair
}

type kpMsg struct {
	p     *keyPairsPage
	pairs []cloud.KeyPair
	files map[string]bool // names whose NAME.pem exists
	err   error
}

func (msg kpMsg) apply(m *Model) tea.Cmd {
	p := msg.p
	if !m.onStack(p) {
		return nil
	}
	p.loading, p.err = false, msg.err
	if msg.err != nil {
		return nil
	}
	p.pairs = map[string]cloud.KeyPair{}
	dir := m.cfg.EC2.sshDir()
	rows := make([]row, len(msg.pairs))
	for i, k := range msg.pairs {
		p.pairs[k.Name] = k
		file, ft := "not here", toneMuted
		if msg.files[k.Name] {
			file, ft = filepath.Join(dir, k.Name+".pem"), toneOK
		}
		created := "-"
		if !k.Created.IsZero() {
			created = stamp(k.Created, m.loc())
		}
		rows[i] = row{key: k.Name, cells: []string{clean(k.Name), k.ID, k.Type, clean(k.Fingerprint), created, clean(file)},
			tones: []tone{5: ft}}
	}
	p.tbl.setRows([]column{
		{title: "NAME", min: 8, soft: 24, max: 255},
		{title: "ID", min: 12, max: 21},
		{title: "TYPE", min: 4, max: 7, prio: 2},
		{title: "FINGERPRINT", min: 12, soft: 30, max: 60, prio: 3},
		{title: "CREATED", min: 10, max: 24, prio: 2},
		{title: "PRIVATE KEY FILE", min: 8, soft: 30, max: 200, prio: 1},
	}, rows)
	return nil
}

// openKeyPairs is :keypairs.
func (m *Model) openKeyPairs(_ []string) tea.Cmd {
	if m.cfg.EC2.Admin == nil || m.cfg.EC2.KeyPairs == nil {
		m.fail("key pairs are not available: " + cmpOr(m.cfg.AWSProblem, "this backend does not list them"))
		return nil
	}
	p := &keyPairsPage{fetched: fetched{pageBase: pageBase{"key pairs"}}}
	m.push(p)
	return p.reload(m)
}

func (p *keyPairsPage) source(*Model) string { return srcEC2 }

func (p *keyPairsPage) reload(m *Model) tea.Cmd {
	p.loading = true
	api, dir := m.cfg.EC2.Admin, m.cfg.EC2.sshDir()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), taskDefsTimeout)
		defer cancel()
		kps, err := api.KeyPairList(ctx)
		files := map[string]bool{}
		for _, k := range kps {
			files[k.Name] = fileExists(filepath.Join(dir, k.Name+".pem"))
		}
		return kpMsg{p, kps, files, err}
	}
}

func (p *keyPairsPage) view(m *Model, now time.Time, w, h int) []string {
	return p.render(m, now, w, h, "key pairs", "No key pairs in "+m.region()+": c creates one, I imports your public key.")
}

func (p *keyPairsPage) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	for _, a := range []*action{&k.Create, &k.ImportKey, &k.Delete} {
		if a.hasKey(msg) && !a.Enabled() {
			m.fail("read-only mode (--readonly): changing key pairs is disabled")
			return nil
		}
	}
	switch {
	case k.Create.hasKey(msg):
		m.dlg = m.createKeyDialog(p.relist)
		return nil
	case k.ImportKey.hasKey(msg):
		return m.offerPublicKeys(p.relist)
	case k.Delete.hasKey(msg):
		r, ok := p.tbl.selected()
		if !ok {
			return nil
		}
		kp := p.pairs[r.key]
		j := job{verb: "delete", label: "key pair " + clean(kp.Name), source: srcEC2,
			cli: m.awsCLI("ec2", "delete-key-pair", "--key-name", kp.Name),
			run: func(ctx context.Context) error { return m.cfg.EC2.KeyPairs.DeleteKeyPair(ctx, kp.Name) }}
		d := m.confirmJob(j, "Delete key pair?", "Instances launched with it keep accepting it; no new instance can be launched with it.",
			"A private key file on this machine is kept.")
		m.dlg = thenReload(m, d, p.reload)
		return nil
	}
	cmd, _ := p.listKey(m, msg)
	return cmd
}

// relist is the page's reload after a key pair was made.
func (p *keyPairsPage) relist(m *Model, _ string) tea.Cmd { return p.reload(m) }

// createKeyDialog asks for the new key pair's name; after runs once it is
// made (the page lists again; the instance wizard fills its field in).
func (m *Model) createKeyDialog(after func(*Model, string) tea.Cmd) *dialog {
	dir := m.cfg.EC2.sshDir()
	d := &dialog{title: "Create key pair", verb: "create key pair", field: "Name (its private key goes to " + filepath.Join(dir, "NAME.pem") + ")",
		input: &lineInput{kind: inputPrompt}}
	d.submit = func(text string) (tea.Cmd, string) {
		name := strings.TrimSpace(text)
		if err := cloud.ValidateCreateKeyPair(name, nil); err != nil {
			return nil, problemText(err)
		}
		path := filepath.Join(dir, name+".pem")
		// Whether the file exists is asked in a Cmd (no I/O in Update);
		// the answer opens the confirmation, or says why not.
		return func() tea.Msg {
			if launch.PathExists(path) {
				return ec2DialogMsg{problem: path + " exists and deckhand never overwrites a key file: move it away, or choose another name"}
			}
			return ec2DialogMsg{d: thenReload(m, m.confirmCreateKey(name, path), func(m *Model) tea.Cmd { return after(m, name) })}
		}, ""
	}
	return d
}

func (m *Model) confirmCreateKey(name, path string) *dialog {
	api := m.cfg.EC2.KeyPairs
	j := job{verb: "create", label: "key pair " + name, source: srcEC2,
		cli: m.awsCLI("ec2", "create-key-pair", "--key-name", name, "--key-type", "ed25519", "--query", "KeyMaterial", "--output", "text") +
			" > " + launch.Shell(path) + " && chmod 600 " + launch.Shell(path),
		done: "created key pair " + name + "; its private key is in " + path + " (mode 0600)",
		run:  func(ctx context.Context) error { return createKeyPair(ctx, api, name, path) }}
	return m.confirmJob(j, "Create key pair?", "The private key is written to "+path+" (mode 0600), once: AWS keeps no copy.")
}

// createKeyPair makes the key pair and saves its private key; a key that
// cannot be saved opens nothing, so the key pair is deleted again.
func createKeyPair(ctx context.Context, api cloud.KeyPairs, name, path string) error {
	if launch.PathExists(path) {
		return errors.New(path + " exists and deckhand never overwrites a key file")
	}
	_, key, err := api.CreateKeyPair(ctx, name, nil)
	if err != nil {
		return err
	}
	if err := launch.SavePrivateKey(path, key); err != nil {
		if derr := api.DeleteKeyPair(context.WithoutCancel(ctx), name); derr != nil {
			return errors.New("saving the private key: " + err.Error() + " (and deleting the key pair again failed: " + derr.Error() + ")")
		}
		return errors.New("saving the private key: " + err.Error() + " (the key pair was deleted again)")
	}
	return nil
}

// offerPublicKeys lists ~/.ssh/id_*.pub (in a Cmd) and offers them.
func (m *Model) offerPublicKeys(after func(*Model, string) tea.Cmd) tea.Cmd {
	dir := m.cfg.EC2.sshDir()
	return func() tea.Msg {
		pubs, _ := filepath.Glob(filepath.Join(dir, "id_*.pub"))
		if len(pubs) == 0 {
			return ec2DialogMsg{problem: "no public key in " + dir + " (id_*.pub): make one with ssh-keygen -t ed25519, or create a key pair with c"}
		}
		pubs = pubs[:min(len(pubs), 9)]
		d := &dialog{title: "Import which public key?", verb: "import key pair"}
		for i, f := range pubs {
			d.lines = append(d.lines, itoa(int32(i+1))+"  "+f)
		}
		d.pick = func(i int) tea.Cmd {
			if i >= len(pubs) {
				return nil
			}
			m.dlg = m.importNameDialog(pubs[i], after)
			return nil
		}
		return ec2DialogMsg{d: d}
	}
}

func (m *Model) importNameDialog(pub string, after func(*Model, string) tea.Cmd) *dialog {
	suggest := strings.TrimSuffix(filepath.Base(pub), ".pub")
	d := &dialog{title: "Import " + pub, verb: "import key pair", field: "Key pair name",
		input: ptr(newLineInput(inputPrompt, suggest)), fresh: true}
	d.submit = func(text string) (tea.Cmd, string) {
		name := strings.TrimSpace(text)
		if err := cloud.ValidateKeyName("ImportKeyPair", name); err != nil {
			return nil, problemText(err)
		}
		return func() tea.Msg {
			data, err := os.ReadFile(pub)
			if err != nil {
				return ec2DialogMsg{problem: "reading " + pub + ": " + err.Error()}
			}
			if _, _, err := cloud.ValidateImportKeyPair(name, data, nil); err != nil {
				return ec2DialogMsg{problem: pub + ": " + problemText(err)}
			}
			api := m.cfg.EC2.KeyPairs
			j := job{verb: "import", label: "key pair " + name, source: srcEC2,
				cli:  m.awsCLI("ec2", "import-key-pair", "--key-name", name, "--public-key-material", "fileb://"+pub),
				done: "imported " + pub + " as key pair " + name,
				run: func(ctx context.Context) error {
					_, err := api.ImportKeyPair(ctx, name, data, nil)
					return err
				}}
			return ec2DialogMsg{d: thenReload(m, m.confirmJob(j, "Import key pair?", "from "+pub+" (its private key stays where it is)"), func(m *Model) tea.Cmd { return after(m, name) })}
		}, ""
	}
	return d
}

// problemText is a validation error as a dialog shows it: the field and
// the fix, without the operation's prefix.
func problemText(err error) string {
	var e *cloud.Error
	if errors.As(err, &e) && e.Field != "" {
		return e.Message // "Field: what is wrong and the fix"
	}
	return err.Error()
}

// ec2DialogMsg opens a dialog a Cmd prepared, or reports why it could not.
type ec2DialogMsg struct {
	d       *dialog
	problem string
}

func (msg ec2DialogMsg) apply(m *Model) tea.Cmd {
	if msg.problem != "" {
		m.fail(clean(msg.problem))
		return nil
	}
	m.dlg = msg.d
	return nil
}

// thenReload makes d's action list the page again once it has answered.
// It is called in Update: reload marks the page as reading.
func thenReload(m *Model, d *dialog, reload func(*Model) tea.Cmd) *dialog {
	submit := d.submit
	d.submit = func(text string) (tea.Cmd, string) {
		cmd, problem := submit(text)
		if cmd == nil {
			return nil, problem
		}
		list := reload(m)
		return func() tea.Msg { return reloadedMsg{done: cmd(), list: list()} }, ""
	}
	return d
}

// reloadedMsg is an action's answer and the listing made after it.
type reloadedMsg struct{ done, list tea.Msg }

func (msg reloadedMsg) apply(m *Model) tea.Cmd {
	cmd := m.update(msg.done)
	if d, ok := msg.done.(jobDoneMsg); ok && d.err != nil {
		return cmd // nothing changed: the page stays as it is
	}
	if l, ok := msg.list.(pageMsg); ok {
		return tea.Batch(cmd, l.apply(m))
	}
	return cmd
}

// confirmJob is confirm with the verb set, so No says what was cancelled
// (request sets it for the resource actions).
func (m *Model) confirmJob(j job, title string, lines ...string) *dialog {
	d := m.confirm(j, title, lines...)
	d.verb = j.verb
	return d
}
