package cloud

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"deckhand/internal/resource"
)

func fleet(n int) []resource.Instance {
	out := make([]resource.Instance, n)
	for i := range out {
		out[i] = resource.Instance{ID: fmt.Sprintf("i-%017d", i), Name: fmt.Sprintf("fleet-%05d", i/25), State: "running",
			Type: "t3.micro", PrivateIP: "10.0.0.1", AZ: "us-east-1a", StatusCheck: "ok", Tags: map[string]string{"Name": "x"}}
	}
	return out
}

func inst(id, state string) resource.Instance {
	return resource.Instance{ID: id, Name: "fleet-00000", State: state, Type: "t3.micro", PrivateIP: "10.0.0.1",
		AZ: "us-east-1a", StatusCheck: "ok", Tags: map[string]string{"Name": "x"}}
}

func TestMergeInstances(t *testing.T) {
	id := func(i int) string { return fmt.Sprintf("i-%017d", i) }
	same := fleet(3)[1]
	stopped := inst(id(1), "stopping")
	stopped.Name = same.Name
	launched := inst("i-new", "pending")
	cases := []struct {
		name    string
		fresh   []resource.Instance
		gone    []string
		moving  []resource.Instance
		want    []string // ids, in order
		states  map[string]string
		samePtr bool // the very slice back: no change
	}{
		{name: "re-read unchanged", fresh: []resource.Instance{same}, samePtr: true, want: []string{id(0), id(1), id(2)}},
		{name: "nothing read", samePtr: true, want: []string{id(0), id(1), id(2)}},
		{name: "a gone id no longer held", gone: []string{"i-vanished"}, samePtr: true, want: []string{id(0), id(1), id(2)}},
		{name: "state changed", fresh: []resource.Instance{stopped}, want: []string{id(0), id(1), id(2)}, states: map[string]string{id(1): "stopping"}},
		{name: "gone", gone: []string{id(2)}, want: []string{id(0), id(1)}},
		{name: "launch found by state", fresh: []resource.Instance{launched}, moving: []resource.Instance{launched},
			want: []string{id(0), id(1), id(2), "i-new"}, states: map[string]string{"i-new": "pending"}},
		{name: "moving already held", fresh: []resource.Instance{stopped}, moving: []resource.Instance{stopped, stopped},
			want: []string{id(0), id(1), id(2)}, states: map[string]string{id(1): "stopping"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cur := fleet(3)
			fresh := map[string]*resource.Instance{}
			for i := range c.fresh {
				fresh[c.fresh[i].ID] = &c.fresh[i]
			}
			gone := map[string]bool{}
			for _, g := range c.gone {
				gone[g] = true
			}
			got := mergeInstances(cur, fresh, gone, c.moving)
			var ids []string
			for _, x := range got {
				ids = append(ids, x.ID)
				if want, ok := c.states[x.ID]; ok && x.State != want {
					t.Errorf("%s is %s, want %s", x.ID, x.State, want)
				}
			}
			if !slices.Equal(ids, c.want) {
				t.Errorf("ids %v, want %v", ids, c.want)
			}
			if isSame := len(got) > 0 && &got[0] == &cur[0]; isSame != c.samePtr {
				t.Errorf("returned the same slice: %v, want %v", isSame, c.samePtr)
			}
			if cur[1].State != "running" {
				t.Errorf("the merge changed the snapshot handed out before (cur[1] %s)", cur[1].State)
			}
		})
	}
}

// BenchmarkMergeInstances20000 is a fast tick's merge at issue 8's scale:
// the 40 rows on screen re-read (unchanged, or one of them stopping) and
// one launch found by the transition finder, into 20,000 instances.
func BenchmarkMergeInstances20000(b *testing.B) {
	cur := fleet(20000)
	screen := slices.Clone(cur[100:140])
	changed := slices.Clone(screen)
	changed[7].State = "stopping"
	launch := inst("i-new", "pending")
	for _, c := range []struct {
		name   string
		fresh  []resource.Instance
		moving []resource.Instance
	}{
		{"unchanged", screen, nil},
		{"one stopping", changed, nil},
		{"one launched", screen, []resource.Instance{launch}},
	} {
		b.Run(c.name, func(b *testing.B) {
			fresh := map[string]*resource.Instance{}
			for i := range c.fresh {
				fresh[c.fresh[i].ID] = &c.fresh[i]
			}
			b.ReportAllocs()
			for b.Loop() {
				mergeInstances(cur, fresh, nil, c.moving)
			}
		})
	}
}

// TestEC2SweepEvery: with a transition finder, the full sweep's interval
// grows with the account so that its decoding stays under half a second of
// CPU a minute; --refresh (the sweeper's own interval) still bounds it
// from below.
func TestEC2SweepEvery(t *testing.T) {
	for _, c := range []struct {
		n    int
		want time.Duration
	}{{0, 0}, {100, 1500 * time.Millisecond}, {1000, 15 * time.Second}, {2000, 30 * time.Second}, {20000, 5 * time.Minute}} {
		if got := ec2SweepEvery(c.n); got != c.want {
			t.Errorf("ec2SweepEvery(%d) = %v, want %v", c.n, got, c.want)
		}
	}
}

// TestEC2SweepStatsSays: the header and :stats say when the EC2 sweeps run
// less often than --refresh, and by how much; at --refresh they give only
// the sweeps' figures.
func TestEC2SweepStatsSays(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		st     EC2SweepStats
		slower string
		lines  []string // the first ones
		n      int
	}{
		{"small account", EC2SweepStats{Refresh: 15 * time.Second,
			StateEvery: 15 * time.Second, StateAt: now.Add(-4 * time.Second), StateTook: 120 * time.Millisecond, Listed: 40, Described: 1,
			Every: 15 * time.Second, At: now.Add(-9 * time.Second), Took: 300 * time.Millisecond, Read: 40},
			"", []string{
				"EC2 state sweep (new, gone, state, checks): every 15s; 40 listed in 100ms, 1 described, 0 gone; the last began 4s ago.",
				"EC2 full sweep (every field): every 15s; 40 instances read in 300ms; the last began 9s ago."}, 2},
		{"20,000 instances", EC2SweepStats{Refresh: 15 * time.Second,
			StateEvery: 200 * time.Second, StateAt: now.Add(-time.Minute), StateTook: 6 * time.Second, Listed: 20000, Gone: 2,
			Every: 40 * time.Minute, At: now.Add(-2 * time.Minute), Took: 41 * time.Second, Read: 20000},
			"ec2 sweep every 3m20s", []string{
				"EC2 state sweep (new, gone, state, checks): every 3m20s; 20000 listed in 6s, 0 described, 2 gone; the last began 1m0s ago.",
				"EC2 full sweep (every field): every 40m; 20000 instances read in 41s; the last began 2m0s ago."}, 4},
		{"no sweep yet", EC2SweepStats{Refresh: 15 * time.Second, StateEvery: 20 * time.Second, Every: 4 * time.Minute},
			"ec2 sweep every 20s", []string{
				"EC2 state sweep (new, gone, state, checks): every 20s; none yet.",
				"EC2 full sweep (every field): every 4m; none since the first read."}, 4},
		{"no state sweep", EC2SweepStats{Refresh: 15 * time.Second, Every: 90 * time.Second},
			"ec2 sweep every 1m30s", []string{"EC2 full sweep (every field): every 1m30s; none since the first read."}, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.st.Slower(); got != c.slower {
				t.Errorf("Slower() = %q, want %q", got, c.slower)
			}
			ls := c.st.Lines(now)
			if len(ls) != c.n || !slices.Equal(ls[:len(c.lines)], c.lines) {
				t.Errorf("Lines() = %q, want %d lines starting %q", ls, c.n, c.lines)
			}
		})
	}
}
