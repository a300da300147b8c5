package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"deckhand/aws"
	"deckhand/internal/cloud"
	"deckhand/internal/testbed"
	"deckhand/internal/watch"
	"deckhand/tui"
)

// switchRig is deckhand's wiring (run.go) around a teatest program: the
// same session, backends and watchers, without the Docker side.
type switchRig struct {
	s  *session
	f  *frames
	tm *teatest.TestModel
	// hold, when set, keeps the next account's watchers from starting
	// until it is closed: the screen between the switch and the new
	// account's first rows can then be checked.
	hold atomic.Pointer[chan struct{}]
}

func newSwitchRig(t *testing.T, o options) *switchRig { return newSwitchRigFrom(t, o, false) }

// newSwitchRigFrom is newSwitchRig; with unavailable, the first account may
// fail to open (the AWS panes then say why, as at start-up).
func newSwitchRigFrom(t *testing.T, o options, unavailable bool) *switchRig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var tm atomic.Pointer[teatest.TestModel]
	emit := func(u watch.Update) {
		if p := tm.Load(); p != nil {
			p.Send(u)
		}
	}
	if o.refresh == 0 {
		o.refresh = 15 * time.Second
	}
	o.apiRate, o.sandboxSpeed = 50, 1
	s := &session{ctx: ctx, o: o, emit: emit, aw: watch.Config{Fast: time.Second, Slow: o.refresh}}
	s.base = tui.Config{Version: "test", Readonly: o.readonly, DockerProblem: "not used in this test"}
	s.wire()
	r := &switchRig{s: s}
	sw := s.base.Switch
	s.base.Switch = func(ctx context.Context, to tui.AccountTarget) (tui.Switched, error) {
		res, err := sw(ctx, to)
		if start, hold := res.Start, r.hold.Load(); start != nil && hold != nil {
			res.Start = func() { <-*hold; start() }
		}
		return res, err
	}
	s.cur = s.open(ctx, o)
	if s.cur.err != nil && !unavailable {
		t.Fatalf("open the first account: %v", s.cur.err)
	}
	r.f = &frames{Model: tui.New(s.config(s.cur))}
	r.tm = teatest.NewTestModel(t, r.f, teatest.WithInitialTermSize(160, 40))
	tm.Store(r.tm)
	s.cur.start(ctx)
	t.Cleanup(func() {
		r.tm.Send(tea.QuitMsg{})
		s.current().close(10 * time.Second)
		cancel()
	})
	return r
}

// command types a `:` command and runs it.
func (r *switchRig) command(text string) { press(r.tm, ":", text, "enter") }

// goroutines counts the running goroutines whose stack has fn in it.
func goroutines(fn string) int {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			n++
		}
	}
	return n
}

// waitGoroutines waits until exactly want goroutines run fn.
func waitGoroutines(t *testing.T, fn string, want int) {
	t.Helper()
	got := 0
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = goroutines(fn); got == want {
			return
		}
	}
	t.Fatalf("%d goroutines run %s, want %d", got, fn, want)
}

// seedRegion makes an instance and a cluster in one region of moto.
func seedRegion(t *testing.T, endpoint, region, instance, cluster string) {
	t.Helper()
	ctx := context.Background()
	c, err := aws.Load(ctx, aws.Options{Region: region, EndpointURL: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	ami, err := c.LatestAMI(ctx, "al2023")
	if err != nil {
		t.Fatalf("%s: %v", region, err)
	}
	if _, err := c.RunInstance(ctx, cloud.InstanceSpec{Name: instance, ImageID: ami.ID, InstanceType: "t3.micro"}); err != nil {
		t.Fatalf("%s: %v", region, err)
	}
	if _, err := c.CreateCluster(ctx, cluster, nil); err != nil {
		t.Fatalf("%s: %v", region, err)
	}
}

const watcherRun = "deckhand/internal/watch.(*Watcher).Run"

// TestSwitchRegionOnMoto: moto keeps regions apart; :region shows region
// B's rows and none of A's, from the pane the user was on, with the old
// watchers gone; a bad region is refused and changes nothing.
func TestSwitchRegionOnMoto(t *testing.T) {
	m := testbed.StartMoto(t)
	seedRegion(t, m.URL, "us-east-1", "alpha-inst", "alpha-cluster")
	seedRegion(t, m.URL, "eu-west-1", "bravo-inst", "bravo-cluster")
	before := goroutines(watcherRun)
	r := newSwitchRig(t, options{endpointURL: m.URL, region: "us-east-1"})
	r.f.waitScreen(t, 30*time.Second, "alpha-inst", "region us-east-1", "acct 123456789012")
	press(r.tm, "2")
	r.f.waitScreen(t, 30*time.Second, "alpha-cluster")
	press(r.tm, "enter") // into the cluster's services: the switch goes back to the clusters pane
	r.f.waitScreen(t, 10*time.Second, "clusters › alpha-cluster")
	waitGoroutines(t, watcherRun, before+2)

	budgetA := r.s.current().backend.budget
	if budgetA == nil {
		t.Fatal("the moto account has no API budget")
	}

	// Until the new watchers run, the panes are empty: not one row of the
	// old region stays.
	hold := make(chan struct{})
	r.hold.Store(&hold)
	r.command("region eu-west-1")
	screen := r.f.waitScreen(t, 30*time.Second, "now on the endpoint "+m.URL+" in eu-west-1", "region eu-west-1", "ec2 loading…", "ecs loading…")
	for _, g := range []string{"alpha-cluster", "alpha-inst", "region us-east-1"} {
		if strings.Contains(screen, g) {
			t.Errorf("between the switch and the first fetch the screen shows %q:\n%s", g, screen)
		}
	}
	if !strings.Contains(screen, "clusters [0]") {
		t.Errorf("the page stack did not go back to the clusters pane:\n%s", screen)
	}
	r.hold.Store(nil)
	close(hold)

	steps := []struct {
		cmd        string
		want, gone []string
	}{
		{"region us-east-1", []string{"alpha-cluster", "region us-east-1", "(was the endpoint " + m.URL + " in eu-west-1)"},
			[]string{"bravo-cluster"}},
		{"region eu-west-1", []string{"bravo-cluster", "region eu-west-1"}, []string{"alpha-cluster"}},
	}
	for _, st := range steps {
		r.command(st.cmd)
		screen = r.f.waitScreen(t, 30*time.Second, st.want...)
		for _, g := range st.gone {
			if strings.Contains(screen, g) {
				t.Errorf("after :%s the screen still shows %q:\n%s", st.cmd, g, screen)
			}
		}
		// The old account's two watchers stopped; the new one's run.
		waitGoroutines(t, watcherRun, before+2)
		// One budget per account and region: back in us-east-1, the
		// budget that region had; in eu-west-1, another.
		if b := r.s.current().backend.budget; (b == budgetA) != (st.cmd == "region us-east-1") {
			t.Errorf("after :%s the budget is region A's: %v, want %v", st.cmd, b == budgetA, st.cmd == "region us-east-1")
		}
		t.Logf("after :%s: %d goroutines in the test process", st.cmd, runtime.NumGoroutine())
	}
	press(r.tm, "1")
	r.f.waitScreen(t, 30*time.Second, "bravo-inst")
	if s := r.f.waitScreen(t, time.Second, "bravo-inst"); strings.Contains(s, "alpha-inst") {
		t.Errorf("the instances pane shows region A's instance after the switch:\n%s", s)
	}

	// A bad name is refused, naming the command and what exists; the
	// account stays.
	r.command("region eu-wset-1")
	r.f.waitScreen(t, 5*time.Second, ":region eu-wset-1: no such region; regions: eu-central-1", "eu-west-1", "bravo-inst", "region eu-west-1")
	r.command("region")
	r.f.waitScreen(t, 5*time.Second, ":region takes one name")
}

// writeAWSFiles points the SDK (and deckhand's profile list) at a temp
// config and credentials file, and takes every credential out of the
// environment, so that only the profiles hold any.
func writeAWSFiles(t *testing.T, config, creds string) {
	t.Helper()
	dir := t.TempDir()
	cf, kf := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(cf, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kf, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": cf, "AWS_SHARED_CREDENTIALS_FILE": kf,
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_PROFILE": "",
		// Off EC2 the instance role is looked for in vain; skip the wait.
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
}

// TestSwitchProfileOnMoto: two profiles in a temp AWS config, at the same
// moto endpoint, in different regions; :profile changes the header's
// identity and the rows; an unknown profile and one without credentials are
// refused and leave the account in place.
func TestSwitchProfileOnMoto(t *testing.T) {
	m := testbed.StartMoto(t)
	seedRegion(t, m.URL, "us-east-1", "alpha-inst", "alpha-cluster")
	seedRegion(t, m.URL, "eu-west-1", "bravo-inst", "bravo-cluster")
	writeAWSFiles(t, `[default]
region = us-east-1
[profile alice]
region = us-east-1
[profile bob]
region = eu-west-1
[profile nokeys]
region = eu-west-1
[sso-session corp]
sso_region = us-east-1
`, `[alice]
aws_access_key_id = AKIAALICEEXAMPLE0001
aws_secret_access_key = alice-secret
[bob]
aws_access_key_id = AKIABOBEXAMPLE000001
aws_secret_access_key = bob-secret
`)
	r := newSwitchRig(t, options{endpointURL: m.URL, profile: "alice"})
	r.f.waitScreen(t, 30*time.Second, "alpha-inst", "profile alice", "region us-east-1", "acct 123456789012")

	r.command("profile bob")
	screen := r.f.waitScreen(t, 30*time.Second, "bravo-inst", "profile bob", "region eu-west-1", "acct 123456789012",
		"now on profile bob in eu-west-1 (was profile alice in us-east-1)")
	if header, _, _ := strings.Cut(screen, "\n"); strings.Contains(screen, "alpha-inst") || strings.Contains(header, "profile alice") {
		t.Errorf("alice's rows or name are still on screen:\n%s", screen)
	}

	r.command("profile carol")
	r.f.waitScreen(t, 10*time.Second, ":profile carol: no profile carol in the shared config files; profiles: alice bob default nokeys",
		"still on profile bob in eu-west-1")
	r.command("profile nokeys")
	screen = r.f.waitScreen(t, 30*time.Second, ":profile nokeys: no usable AWS credentials", "profile bob", "bravo-inst")
	if strings.Contains(screen, "alice-secret") || strings.Contains(screen, "bob-secret") {
		t.Errorf("a secret is on screen:\n%s", screen)
	}
	waitGoroutines(t, watcherRun, goroutines(watcherRun)) // settled
	if n := len(r.s.current().watchers); n != 2 || r.s.current().o.profile != "bob" {
		t.Errorf("after the refused switches the account is %q with %d watchers, want bob's 2", r.s.current().o.profile, n)
	}
}

// TestSwitchToSandboxAndBack: from moto, :sandbox shows the SANDBOX marker
// and the sandbox's seeded rows; :region keeps the sandbox (in another
// region, empty but for what AWS gives every region); :profile leaves it
// for a real account. --readonly holds throughout.
func TestSwitchToSandboxAndBack(t *testing.T) {
	m := testbed.StartMoto(t)
	seedRegion(t, m.URL, "us-east-1", "alpha-inst", "alpha-cluster")
	writeAWSFiles(t, "[profile alice]\nregion = us-east-1\n",
		"[alice]\naws_access_key_id = AKIAALICEEXAMPLE0001\naws_secret_access_key = alice-secret\n")
	t.Setenv("XDG_DATA_HOME", t.TempDir()) // a fresh sandbox
	// The sandbox runs no container here: its tasks are simulated.
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-engine.sock"))
	before := goroutines(watcherRun)
	r := newSwitchRig(t, options{endpointURL: m.URL, profile: "alice", readonly: true})
	r.f.waitScreen(t, 30*time.Second, "alpha-inst", "READONLY", "profile alice")

	r.command("sandbox")
	screen := r.f.waitScreen(t, 30*time.Second, "SANDBOX", "READONLY", "web-1", "batch", "acct 000000000000",
		"now on the sandbox account in us-east-1 (was profile alice in us-east-1)")
	if strings.Contains(screen, "alpha-inst") || strings.Contains(screen, "endpoint") {
		t.Errorf("the moto account is still on screen:\n%s", screen)
	}
	waitGoroutines(t, watcherRun, before+2)

	r.command("region eu-west-1")
	r.f.waitScreen(t, 30*time.Second, "SANDBOX", "region eu-west-1", "now on the sandbox account in eu-west-1", "No EC2 instances in region eu-west-1.")
	if s := r.f.waitScreen(t, time.Second, "SANDBOX"); strings.Contains(s, "web-1") {
		t.Errorf("us-east-1's sandbox instances show in eu-west-1:\n%s", s)
	}

	r.command("profile alice")
	screen = r.f.waitScreen(t, 30*time.Second, "alpha-inst", "profile alice", "READONLY", "acct 123456789012")
	if strings.Contains(screen, "SANDBOX") {
		t.Errorf("the SANDBOX marker stayed after :profile:\n%s", screen)
	}
	waitGoroutines(t, watcherRun, before+2)
	// Nothing of the sandboxes left running: their engine workers ended.
	waitGoroutines(t, "deckhand/aws/sandbox.", 0)

	// --readonly is kept: a stop is refused at the key.
	press(r.tm, "s")
	r.f.waitScreen(t, 5*time.Second, "read-only mode (--readonly): ")
}

// TestSwitchFromUnavailableAccount: deckhand started on a profile without
// credentials shows why; :profile to one that has them fills the panes.
func TestSwitchFromUnavailableAccount(t *testing.T) {
	m := testbed.StartMoto(t)
	seedRegion(t, m.URL, "us-east-1", "alpha-inst", "alpha-cluster")
	writeAWSFiles(t, "[profile alice]\nregion = us-east-1\n[profile nokeys]\nregion = us-east-1\n",
		"[alice]\naws_access_key_id = AKIAALICEEXAMPLE0001\naws_secret_access_key = alice-secret\n")
	r := newSwitchRigFrom(t, options{endpointURL: m.URL, profile: "nokeys"}, true)
	r.f.waitScreen(t, 10*time.Second, "aws unavailable", "no usable AWS credentials")
	r.command("profile alice")
	screen := r.f.waitScreen(t, 30*time.Second, "alpha-inst", "profile alice", "acct 123456789012",
		"now on profile alice in us-east-1 (was no AWS account (unavailable))")
	if strings.Contains(screen, "aws unavailable") {
		t.Errorf("the header still says AWS is unavailable:\n%s", screen)
	}
}
