package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"deckhand/internal/cloud"
)

// Time passes while no deckhand runs: an instance launched before closing
// is running an hour later, and a terminated one is gone after its
// retention.
func TestTimePassesWhileClosed(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	in, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "later", ImageID: ids.ami, InstanceType: "t3.micro"})
	mustNil(t, err)
	mustNil(t, a.TerminateInstances(ctx, ids.instances["web-1"].ID))
	path := a.Path()
	a = nil // closed: there is nothing to close but the file

	clk.Advance(time.Hour)
	b, err := Open(Options{Path: path, Clock: clk})
	mustNil(t, err)
	got := lookup(t, b).instances
	if got["later"].State != "running" || got["later"].ID != in.ID {
		t.Errorf("an hour after launch: %+v, want running", got["later"])
	}
	if got["web-1"].State != "terminated" {
		t.Errorf("web-1 an hour after terminate: %q, want terminated (still listed)", got["web-1"].State)
	}
	clk.Advance(time.Hour)
	if _, ok := lookup(t, b).instances["web-1"]; ok {
		t.Errorf("web-1 still listed two hours after terminate")
	}
}

// Two Accounts on one file are two deckhand processes: each sees what the
// other did.
func TestTwoProcesses(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	b, err := Open(Options{Path: a.Path(), Clock: clk})
	mustNil(t, err)
	ids := lookup(t, a)
	in, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "shared", ImageID: ids.ami, InstanceType: "t3.micro"})
	mustNil(t, err)
	if got := lookup(t, b).instances["shared"]; got.ID != in.ID || got.State != "pending" {
		t.Errorf("b sees %+v, want a's pending instance", got)
	}
	mustNil(t, b.StopInstances(ctx, ids.instances["web-1"].ID))
	if got := lookup(t, a).instances["web-1"]; got.State != "stopping" {
		t.Errorf("a sees web-1 %s, want stopping (stopped by b)", got.State)
	}
}

// Concurrent mutations from two Accounts (as from two processes) are
// serialised by the lock: none is lost and the file stays whole.
func TestConcurrentMutations(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	b, err := Open(Options{Path: a.Path(), Clock: clk})
	mustNil(t, err)
	ids := lookup(t, a)
	const each = 8
	var wg sync.WaitGroup
	errs := make(chan error, 4*each)
	for i, acct := range []*Account{a, b, a, b} {
		wg.Go(func() {
			for j := range each {
				_, err := acct.RunInstance(ctx, cloud.InstanceSpec{Name: fmt.Sprintf("c-%d-%d", i, j), ImageID: ids.ami, InstanceType: "t3.micro"})
				errs <- err
				clk.Advance(100 * time.Millisecond)
				if _, err := acct.Tasks(ctx, "demo"); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		mustNil(t, err)
	}
	n := 0
	for name := range lookup(t, b).instances {
		if strings.HasPrefix(name, "c-") {
			n++
		}
	}
	if n != 4*each {
		t.Errorf("%d instances launched concurrently survive, want %d", n, 4*each)
	}
	raw, err := os.ReadFile(a.Path())
	mustNil(t, err)
	if !json.Valid(raw) {
		t.Error("state file is not valid JSON")
	}
}

func TestStateFile(t *testing.T) {
	clk := newClock()
	a := open(t, clk)
	fi, err := os.Stat(a.Path())
	mustNil(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := Open(Options{Path: a.Path(), Clock: clk, Speed: -1}); err == nil {
		t.Error("negative speed accepted")
	}

	// Reset starts afresh: what the learner made is gone.
	ids := lookup(t, a)
	_, err = a.RunInstance(context.Background(), cloud.InstanceSpec{Name: "mine", ImageID: ids.ami, InstanceType: "t3.micro"})
	mustNil(t, err)
	b, err := Open(Options{Path: a.Path(), Clock: clk, Reset: true})
	mustNil(t, err)
	if _, ok := lookup(t, b).instances["mine"]; ok {
		t.Error("Reset kept an instance")
	}

	for name, content := range map[string]string{
		"other version": `{"version": 99}`,
		"not JSON":      `{"version": 1, `,
	} {
		t.Run(name, func(t *testing.T) {
			mustNil(t, os.WriteFile(a.Path(), []byte(content), 0o600))
			_, err := Open(Options{Path: a.Path(), Clock: clk})
			if err == nil || !strings.Contains(err.Error(), "--sandbox-reset") {
				t.Fatalf("Open = %v, want an error naming --sandbox-reset", err)
			}
			_, err = Open(Options{Path: a.Path(), Clock: clk, Reset: true})
			mustNil(t, err)
		})
	}

	// The default path is under the XDG data directory.
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	d, err := Open(Options{Clock: clk})
	mustNil(t, err)
	if want := filepath.Join(os.Getenv("XDG_DATA_HOME"), "deckhand", "sandbox.json"); d.Path() != want || d.Region() != "us-east-1" {
		t.Errorf("default account at %s in %s, want %s in us-east-1", d.Path(), d.Region(), want)
	}
}

func TestReadonly(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	rw := open(t, clk)
	ids := lookup(t, rw)
	a, err := Open(Options{Path: rw.Path(), Clock: clk, Readonly: true})
	mustNil(t, err)
	web1 := ids.instances["web-1"].ID
	calls := map[string]func() error{
		"StartInstances":     func() error { return a.StartInstances(ctx, web1) },
		"StopInstances":      func() error { return a.StopInstances(ctx, web1) },
		"TerminateInstances": func() error { return a.TerminateInstances(ctx, web1) },
		"RunInstance": func() error {
			_, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "x", ImageID: ids.ami, InstanceType: "t3.micro"})
			return err
		},
		"CreateCluster": func() error { _, err := a.CreateCluster(ctx, "x", nil); return err },
		"DeleteCluster": func() error { return a.DeleteCluster(ctx, "demo") },
		"RegisterTaskDefinition": func() error {
			_, err := a.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{Family: "x", Memory: "512", Containers: []cloud.ContainerSpec{{Name: "x", Image: "nginx", Essential: true}}})
			return err
		},
		"CreateService": func() error {
			_, err := a.CreateService(ctx, cloud.ServiceSpec{Cluster: "demo", Name: "x", TaskDefinition: "web", LaunchType: "FARGATE", Subnets: []string{ids.subnet}})
			return err
		},
		"UpdateService": func() error { _, err := a.UpdateService(ctx, "demo", "web", 3, ""); return err },
		"DeleteService": func() error { return a.DeleteService(ctx, "demo", "web") },
		"RunTask": func() error {
			_, err := a.RunTask(ctx, cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: "web", Count: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet}})
			return err
		},
		"StopTask": func() error { return a.StopTask(ctx, "demo", "0123", "") },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, cloud.ErrReadonly) {
			t.Errorf("%s = %v, want ErrReadonly", name, err)
		}
	}
	if got := lookup(t, a).instances["web-1"]; got.State != "running" {
		t.Errorf("web-1 is %s, want running", got.State)
	}
	if _, err := a.Clusters(ctx); err != nil {
		t.Errorf("reads fail read-only: %v", err)
	}
}

// A crash-looping service (a shell image, replaced forever, which neither
// the throttle nor the circuit breaker stops) left alone for a week: opening
// the account replays the week. The test bounds what that costs.
func TestWeekOfCrashLoop(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	td := fargate(t, a, "loop", "busybox", false)
	_, err := a.CreateService(ctx, cloud.ServiceSpec{Cluster: "demo", Name: "loop", TaskDefinition: td, Desired: 2,
		LaunchType: "FARGATE", Subnets: []string{ids.subnet}})
	mustNil(t, err)
	clk.Advance(7 * 24 * time.Hour)
	start := time.Now()
	b, err := Open(Options{Path: a.Path(), Clock: clk})
	mustNil(t, err)
	took := time.Since(start)
	live, stopped := serviceTasks(t, b, "loop")
	fi, err := os.Stat(a.Path())
	mustNil(t, err)
	t.Logf("a week of crash loop replayed in %v; %d live and %d stopped tasks listed, state file %d KiB", took, len(live), len(stopped), fi.Size()/1024)
	if len(live) != 2 || len(stopped) > 400 || len(events(t, b, "loop")) > maxEvents {
		t.Errorf("%d live, %d stopped tasks, %d events: want 2 live and bounded history", len(live), len(stopped), len(events(t, b, "loop")))
	}
}

// BenchmarkRead measures one read call of the seeded account: lock, load,
// advance and (nothing due) no save.
func BenchmarkRead(b *testing.B) {
	clk := newClock()
	a, err := Open(Options{Path: filepath.Join(b.TempDir(), "s.json"), Clock: clk})
	if err != nil {
		b.Fatal(err)
	}
	clk.Advance(time.Hour) // let the seeded events settle
	ctx := context.Background()
	if _, err := a.Tasks(ctx, "demo"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := a.Tasks(ctx, "demo"); err != nil {
			b.Fatal(err)
		}
	}
}
