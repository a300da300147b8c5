package sandbox

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkAdvance10k advances a world of 10,000 resources that move by
// themselves through their lifecycles: 5,000 instances launched (pending →
// running) and 5,000 one-shot tasks (db-migrate: PROVISIONING → … →
// STOPPED, then forgotten an hour later), replayed over two simulated hours
// in one advance, as when deckhand opens an account it left for a while.
// Each iteration builds its world afresh (untimed) from the same state.
func BenchmarkAdvance10k(b *testing.B) {
	defer func(v bool) { verifyQueue = v }(verifyQueue)
	verifyQueue = false // the scan is what the queue saves
	clk := newClock()
	a, err := Open(Options{Path: filepath.Join(b.TempDir(), "s.json"), Clock: clk})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Instances(context.Background()); err != nil {
		b.Fatal(err)
	}
	raw, err := read(a.Path())
	if err != nil {
		b.Fatal(err)
	}
	const n = 5000
	for b.Loop() {
		b.StopTimer()
		st, err := decode("bench", raw)
		if err != nil {
			b.Fatal(err)
		}
		w := &world{state: st, now: st.Now, speed: 1}
		r := w.Regions["us-east-1"]
		c, td := r.Clusters[0], r.taskDef("db-migrate")
		if td == nil {
			b.Fatal("no db-migrate task definition")
		}
		for i := range n {
			r.Instances = append(r.Instances, &instance{
				ID: fmt.Sprintf("i-bench%012d", i), ImageID: r.Images[0].ID, SubnetID: r.Subnets[0].ID,
				State: "pending", LaunchTime: w.now, Due: w.after(ec2Pending),
			})
			w.startTask(r, c, td, "FARGATE", "family:db-migrate", "")
		}
		end := w.now.Add(2 * time.Hour)
		b.StartTimer()
		w.advance(end)
		b.StopTimer()
		if len(c.Stopped) != 0 || r.Instances[len(r.Instances)-1].State != "running" {
			b.Fatalf("after two hours: %d stopped tasks left, last instance %s", len(c.Stopped), r.Instances[len(r.Instances)-1].State)
		}
		b.StartTimer()
	}
}
