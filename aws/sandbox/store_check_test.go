package sandbox

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seededState is a real state file, as a fresh account saved it.
func seededState(t testing.TB) map[string]any {
	b, err := os.ReadFile(filepath.Join("testdata", "state", "seeded.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMalformedState: a state file that is valid JSON but not a state the
// simulation can run is refused by Open with a message that says what is
// wrong and names --sandbox-reset, instead of crashing deckhand later; the
// reset then keeps the file as a backup.
func TestMalformedState(t *testing.T) {
	cluster := func(m map[string]any) map[string]any {
		return m["regions"].(map[string]any)["us-east-1"].(map[string]any)["clusters"].([]any)[0].(map[string]any)
	}
	region := func(m map[string]any) map[string]any {
		return m["regions"].(map[string]any)["us-east-1"].(map[string]any)
	}
	for _, tc := range []struct {
		name, content string
		edit          func(m map[string]any) // on the seeded file, when content is ""
		want          string
	}{
		{name: "null instance", content: `{"version":1,"regions":{"us-east-1":{"instances":[null]}}}`, want: "regions.us-east-1.instances[0] is null"},
		{name: "null region", content: `{"version":1,"regions":{"us-east-1":null}}`, want: "regions.us-east-1 is null"},
		{name: "null cluster", content: `{"version":1,"regions":{"us-east-1":{"name":"us-east-1","clusters":[null]}}}`, want: "regions.us-east-1.clusters[0] is null"},
		{name: "null task", edit: func(m map[string]any) { cluster(m)["tasks"] = []any{nil} }, want: "tasks[0] is null"},
		{name: "null container", edit: func(m map[string]any) {
			ts := cluster(m)["tasks"].([]any)
			ts[0].(map[string]any)["containers"] = []any{nil}
		}, want: "containers[0] is null"},
		{name: "duplicate instance", edit: func(m map[string]any) {
			ins := region(m)["instances"].([]any)
			region(m)["instances"] = append(ins, ins[0])
		}, want: "appears twice"},
		{name: "impossible instance state", edit: func(m map[string]any) {
			region(m)["instances"].([]any)[0].(map[string]any)["state"] = "flying"
		}, want: `state "flying"`},
		{name: "stopped task among the live ones", edit: func(m map[string]any) {
			cluster(m)["tasks"].([]any)[0].(map[string]any)["lastStatus"] = "STOPPED"
		}, want: `lastStatus "STOPPED"`},
		// Found by FuzzLoadState: a mutated digit made the simulation start
		// a hundred million tasks, so loading hung instead of failing.
		{name: "desired count past the quota", edit: func(m map[string]any) {
			cluster(m)["services"].([]any)[0].(map[string]any)["desired"] = 99999999
		}, want: "desired count 99999999, outside 0–5000"},
		{name: "region under another name", edit: func(m map[string]any) { region(m)["name"] = "eu-west-1" }, want: `is named "eu-west-1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sandbox.json")
			b := []byte(tc.content)
			if tc.edit != nil {
				m := seededState(t)
				tc.edit(m)
				var err error
				b, err = json.Marshal(m)
				mustNil(t, err)
			}
			mustNil(t, os.WriteFile(path, b, 0o600))
			clk := newClock()
			_, err := Open(Options{Path: path, Clock: clk})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "--sandbox-reset") {
				t.Fatalf("Open = %v, want an error saying %q and naming --sandbox-reset", err, tc.want)
			}
			a, err := Open(Options{Path: path, Clock: clk, Reset: true})
			mustNil(t, err)
			kept, err := os.ReadFile(a.Backup())
			if err != nil || string(kept) != string(b) || !strings.HasPrefix(a.Backup(), path+".bak-") {
				t.Fatalf("reset kept %s (%v), want the old file as %s.bak-…", a.Backup(), err, path)
			}
		})
	}
}

// FuzzLoadState: whatever the state file holds, loading it either fails
// with the message that offers --sandbox-reset or gives a state that the
// simulation advances, and that a region can be opened in, without a panic.
// Seeds: the files in testdata/state (real ones) and testdata/fuzz.
func FuzzLoadState(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "state", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files in testdata/state (%v)", err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decode("sandbox.json", b)
		if err != nil {
			if !strings.Contains(err.Error(), "--sandbox-reset") {
				t.Fatalf("decode = %v, which does not offer --sandbox-reset", err)
			}
			return
		}
		w := &world{state: st, now: st.Now, speed: 1}
		w.advance(st.Now.Add(time.Minute)) // short: each exec simulates this span (a 5,000-task service takes seconds a minute today)
		w.region("us-east-1")
		if _, err := json.Marshal(st); err != nil {
			t.Fatal(err)
		}
	})
}
