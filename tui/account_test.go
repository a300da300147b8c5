package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"deckhand/internal/awsconf"
)

// accountModel is a loaded model whose :profile reads a real temp config
// (through awsconf, as deckhand's wiring does) and whose Switch records
// where it was asked to go and answers err.
func accountModel(t *testing.T, err error) (*Model, *[]AccountTarget) {
	t.Helper()
	dir := t.TempDir()
	cf := filepath.Join(dir, "config")
	if e := os.WriteFile(cf, []byte("[profile alice]\nregion = us-east-1\n[profile bob]\n"), 0o600); e != nil {
		t.Fatal(e)
	}
	t.Setenv("AWS_CONFIG_FILE", cf)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	m, _ := newLoaded(t, 160, 30)
	var asked []AccountTarget
	m.cfg.Regions, m.cfg.Profiles = awsconf.Regions, awsconf.Profiles
	m.cfg.Switch = func(_ context.Context, to AccountTarget) (Switched, error) {
		asked = append(asked, to)
		return Switched{}, err
	}
	do(m, m.loadProfiles())
	return m, &asked
}

func TestAccountCommandsComplete(t *testing.T) {
	m, _ := accountModel(t, nil)
	for _, c := range []struct{ typed, want string }{
		{"region eu-we", "region eu-west-"},
		{"region us-gov-w", "region us-gov-west-1"},
		{"sandbox ca-", "sandbox ca-"}, // ca-central-1 and ca-west-1 agree on no more
		{"sandbox ca-w", "sandbox ca-west-1"},
		{"profile a", "profile alice"},
		{"profile zz", "profile zz"},
		{"reg", "region"},
		{"prof", "profile"},
	} {
		t.Run(c.typed, func(t *testing.T) {
			press(m, ":")
			typeText(m, c.typed)
			press(m, "tab")
			if got := m.input.value(); got != c.want {
				t.Errorf("tab after %q gave %q, want %q", c.typed, got, c.want)
			}
			press(m, "esc")
		})
	}
}

func TestAccountCommandsRefuseBadNames(t *testing.T) {
	for _, c := range []struct{ cmd, want string }{
		{"region eu-wset-1", ":region eu-wset-1: no such region; regions: eu-central-1 eu-central-2 eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 eu-west-3"},
		{"region mars-1", ":region mars-1: no such region; regions: af-south-1"},
		{"region", ":region takes one name"},
		{"sandbox a b", ":sandbox takes at most a region"},
		{"sandbox xx-1", ":sandbox xx-1: no such region"},
		{"profile", ":profile takes one name (:profile NAME); profiles: alice bob"},
		{"profile carol", ":profile carol: no profile carol in the shared config files; profiles: alice bob — still on profile dev in us-east-1"},
	} {
		t.Run(c.cmd, func(t *testing.T) {
			m, asked := accountModel(t, nil)
			do(m, m.run(c.cmd))
			mustContain(t, status(m), c.want)
			mustContain(t, screen(m), "web-1", "profile dev", "region us-east-1")
			if len(*asked) > 0 {
				t.Errorf("a refused name reached Switch: %v", *asked)
			}
		})
	}
}

func TestAccountCommandsAskForTheTarget(t *testing.T) {
	for _, c := range []struct {
		cmd  string
		want AccountTarget
	}{
		{"profile bob", AccountTarget{Profile: "bob"}},
		{"profile default", AccountTarget{Profile: "default"}}, // the SDK's default chain needs no section
		{"region eu-west-2", AccountTarget{Region: "eu-west-2"}},
		{"sandbox", AccountTarget{Sandbox: true}},
		{"sandbox ap-south-1", AccountTarget{Sandbox: true, Region: "ap-south-1"}},
	} {
		t.Run(c.cmd, func(t *testing.T) {
			m, asked := accountModel(t, errors.New("no usable AWS credentials"))
			do(m, m.run(c.cmd))
			if len(*asked) != 1 || (*asked)[0] != c.want {
				t.Fatalf("Switch was asked for %v, want %v", *asked, c.want)
			}
			// A failed switch leaves the account, its rows and the page.
			mustContain(t, status(m), ":"+c.cmd+": no usable AWS credentials — still on profile dev in us-east-1")
			mustContain(t, screen(m), "web-1", "profile dev", "region us-east-1")
		})
	}
}

func TestAccountSwitchOneAtATime(t *testing.T) {
	m, asked := accountModel(t, nil)
	cmd := m.run("region eu-west-1") // not run yet: the switch is under way
	do(m, m.run("region eu-west-2"))
	mustContain(t, status(m), ":region eu-west-2: :region eu-west-1 is still under way")
	if cmd == nil || len(*asked) != 0 {
		t.Fatalf("asked %v before the first switch's Cmd ran", *asked)
	}
}

// TestSwitchForgetsOnlyTheAWSSide: a switch that worked drops the old
// account's rows, events and open dialog, keeps Docker's rows and events,
// goes back to the top pane, and keeps --readonly even when the new Config
// forgot it.
func TestSwitchForgetsOnlyTheAWSSide(t *testing.T) {
	m, feeds := newLoaded(t, 160, 30)
	m.cfg.Readonly = true
	send(m, feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "stopping")), t0.Add(5*time.Second)))
	send(m, feeds["docker"].update(dockerSet("exited"), t0.Add(6*time.Second)))
	press(m, "6")
	mustContain(t, screen(m), "events [4]", "running → stopping", "removed (was stopped)", "running → exited")
	press(m, "2", "enter") // into a cluster's services
	mustContain(t, screen(m), "clusters › ")
	m.dlg = &dialog{} // a dialog left open on the old account

	cfg := testConfig()
	cfg.Region, cfg.Profile, cfg.Readonly = "eu-west-1", "bob", false
	started := false
	send(m, switchedMsg{cmd: ":profile bob", res: Switched{Config: cfg, Start: func() { started = true }}})
	s := screen(m)
	mustContain(t, s, "READONLY", "region eu-west-1", "profile bob", "clusters [0]",
		"now on profile bob in eu-west-1 (was profile dev in us-east-1) (the open dialog was closed")
	mustNotContain(t, s, "clusters › ", "prod", "staging")
	if m.dlg != nil {
		t.Error("the old account's dialog is still open")
	}
	press(m, "1")
	mustContain(t, screen(m), "instances [0]")
	mustNotContain(t, screen(m), "web-1", "db-1")
	press(m, "5")
	mustContain(t, screen(m), "docker [2]", "redis", "worker")
	press(m, "6")
	mustContain(t, screen(m), "events [1]", "running → exited")
	mustNotContain(t, screen(m), "running → stopping", "removed (was stopped)")
	if started {
		t.Error("the new watchers started before the model let them (Start runs in a Cmd)")
	}
	// An update of the new account is a baseline of generation 0 again.
	send(m, (&feed{source: "ec2"}).update(ec2Set(instance("i-0bbb", "dublin-1", "running")), t0.Add(time.Minute)))
	press(m, "1")
	mustContain(t, screen(m), "instances [1]", "dublin-1")
}
