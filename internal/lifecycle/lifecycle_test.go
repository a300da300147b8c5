package lifecycle

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

func TestSpent(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		name  string
		marks []Mark
		now   time.Time
		want  map[string]time.Duration
	}{
		{"none", nil, t0, map[string]time.Duration{}},
		{"one, still in it", []Mark{{"running", t0}}, t0.Add(time.Minute), map[string]time.Duration{"running": time.Minute}},
		{"chain", []Mark{{"pending", t0}, {"running", t0.Add(20 * time.Second)}, {"stopping", t0.Add(time.Hour)}}, t0.Add(time.Hour + 5*time.Second),
			map[string]time.Duration{"pending": 20 * time.Second, "running": time.Hour - 20*time.Second, "stopping": 5 * time.Second}},
		{"a state twice adds up", []Mark{{"running", t0}, {"stopped", t0.Add(time.Minute)}, {"running", t0.Add(2 * time.Minute)}}, t0.Add(3 * time.Minute),
			map[string]time.Duration{"running": 2 * time.Minute, "stopped": time.Minute}},
		{"zero times skipped", []Mark{{"PENDING", time.Time{}}, {"RUNNING", t0}}, t0.Add(time.Second), map[string]time.Duration{"RUNNING": time.Second}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Spent(c.marks, c.now)
			if len(got) != len(c.want) {
				t.Fatalf("Spent = %v, want %v", got, c.want)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("Spent[%s] = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}

// TestGraphs: every transition joins two states of its graph, every state
// has a meaning, and every state but the final ones has a way out.
func TestGraphs(t *testing.T) {
	final := map[string]bool{"terminated": true, "STOPPED": true, "INACTIVE": true}
	for _, g := range Graphs {
		t.Run(g.Name, func(t *testing.T) {
			if got, ok := ByName(g.Name[:3]); !ok || got.Name != g.Name {
				t.Errorf("ByName(%q) = %v, %v", g.Name[:3], got.Name, ok)
			}
			for _, s := range g.States {
				if s.Meaning == "" {
					t.Errorf("%s has no meaning", s.Name)
				}
				if len(g.Next(s.Name)) == 0 && !final[s.Name] {
					t.Errorf("%s has no way out", s.Name)
				}
			}
			for _, tr := range g.Transitions {
				if !g.Has(tr.From) || !g.Has(tr.To) || tr.By == "" {
					t.Errorf("transition %+v: unknown state or no cause", tr)
				}
			}
		})
	}
	if _, ok := ByName("nonsense"); ok {
		t.Error("ByName(nonsense) found a graph")
	}
}

// TestRender: the lit state is marked without colour, nothing is wider
// than asked, and the generic view lists every transition.
func TestRender(t *testing.T) {
	for _, c := range []struct {
		name string
		v    View
		w    int
		want []string
	}{
		{"task at 80", View{Graph: Task, Current: "RUNNING", Spent: map[string]time.Duration{"RUNNING": 90 * time.Second}}, 80,
			[]string{"▶ │ ↓ [RUNNING]", "◉ 1m30s", "Next from RUNNING:", "→ DEACTIVATING"}},
		{"final state", View{Graph: EC2, Current: "terminated"}, 80, []string{"[terminated]", "nothing — it is a final state"}},
		{"unknown state", View{Graph: EC2, Current: "exploded"}, 60, []string{"exploded is not a state of this lifecycle"}},
		{"generic", View{Graph: Deployment, Key: func(v string) string { return map[string]string{"scale": "s"}[v] }}, 200,
			[]string{"FAILED → ROLLBACK", "COMPLETED → COMPLETED  s scale"}},
		{"cli when wide", View{Graph: EC2, Current: "stopped", CLI: func(tr Transition) string { return "aws " + tr.CLI }}, 200,
			[]string{"$ aws ec2 start-instances", "$ aws ec2 terminate-instances"}},
		{"tiny", View{Graph: Task, Current: "PENDING"}, 5, []string{"[PEN"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ls := Render(c.v, c.w)
			var b strings.Builder
			for _, l := range ls {
				if n := ansi.StringWidth(l.Text); n > max(c.w, 20) {
					t.Errorf("line %q is %d wide, more than %d", l.Text, n, c.w)
				}
				b.WriteString(l.Text + "\n")
			}
			for _, w := range c.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("render lacks %q:\n%s", w, b.String())
				}
			}
		})
	}
}
