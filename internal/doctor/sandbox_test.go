package doctor_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"deckhand/aws/sandbox"
	"deckhand/internal/doctor"
)

// clock is a clock the test drives, so the sandbox's minutes pass at once.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func openSandbox(t *testing.T) (*sandbox.Account, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	a, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, clk
}

// diagnose reads the service as the doctor does and runs it.
func diagnose(t *testing.T, src doctor.ServiceSource, clk *clock, cluster, name string) doctor.Report {
	t.Helper()
	in, unread, err := doctor.GatherService(context.Background(), src, cluster, name, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	return doctor.Service(in, unread)
}

// TestSeededBrokenWorker: the sandbox's seeded broken-worker service,
// whose image was never pushed, is diagnosed as a missing image first,
// with the circuit breaker that follows from it, and no other cause; the
// healthy web service gets a clean bill.
func TestSeededBrokenWorker(t *testing.T) {
	a, clk := openSandbox(t)
	clk.Advance(10 * time.Minute) // the breaker trips after 3 failed tasks
	r := diagnose(t, a, clk, "demo", "broken-worker")
	text := strings.Join(r.Text(time.UTC), "\n")
	if got := r.Causes(); !slices.Equal(got, []string{"image-missing"}) {
		t.Fatalf("causes = %v, want [image-missing]\n%s", got, text)
	}
	if r.Healthy || !strings.Contains(r.Verdict, "image or its tag does not exist") {
		t.Errorf("verdict %q", r.Verdict)
	}
	for _, want := range []string{"broken-worker:latest", "CannotPullContainerError", "aws ecr describe-images --repository-name broken-worker --image-ids imageTag=latest", "circuit-breaker"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	t.Log(text)
	web := diagnose(t, a, clk, "demo", "web")
	if !web.Healthy || len(web.Findings) != 0 {
		t.Errorf("web: %v", web.Text(time.UTC))
	}
}
