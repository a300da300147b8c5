package tui

import (
	"reflect"
	"strings"
	"testing"
)

// TestKeyMapNoConflicts fails when two actions that can fire in the same
// mode share a key: one of them would never run.
func TestKeyMapNoConflicts(t *testing.T) {
	k := defaultKeyMap()
	for _, md := range []mode{modeTable, modeDetail, modeHelp, modeInput} {
		owner := map[string]string{}
		for _, a := range k.all() {
			if a.modes&md == 0 {
				continue
			}
			for _, key := range a.Keys() {
				if prev, ok := owner[key]; ok {
					t.Errorf("%s: key %q is bound to both %q and %q", where(md), key, prev, a.Help().Desc)
				}
				owner[key] = a.Help().Desc
			}
		}
	}
}

// TestKeyMapComplete fails when a keymap field is missing from all(), which
// would leave it out of help, the hint line and the README table.
func TestKeyMapComplete(t *testing.T) {
	k := defaultKeyMap()
	listed := map[*action]bool{}
	for _, a := range k.all() {
		if listed[a] {
			t.Errorf("action %q listed twice", a.Help().Desc)
		}
		listed[a] = true
	}
	v := reflect.ValueOf(&k).Elem()
	for i := range v.NumField() {
		a := v.Field(i).Addr().Interface().(*action)
		if !listed[a] {
			t.Errorf("keyMap.%s is not in all()", v.Type().Field(i).Name)
		}
		if len(a.Keys()) == 0 || a.Help().Key == "" || a.Help().Desc == "" {
			t.Errorf("keyMap.%s has no keys or help", v.Type().Field(i).Name)
		}
		if a.modes == 0 {
			t.Errorf("keyMap.%s works nowhere", v.Type().Field(i).Name)
		}
	}
}

func TestKeyTable(t *testing.T) {
	table := KeyTable()
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if lines[0] != "| Key | Action | Where |" {
		t.Fatalf("header %q", lines[0])
	}
	if got, want := len(lines)-2, len(ptr(defaultKeyMap()).all()); got != want {
		t.Fatalf("%d rows, want %d", got, want)
	}
	for _, want := range []string{
		"| `q` | quit | anywhere but the command line |",
		"| `d` | details and observed history of the row | tables |",
		"| `ctrl+c` | quit | everywhere |",
		"| `j` `down` | down |",
		"| `1` `2` `3` `4` `5` `6` | go to instances, clusters, services, tasks, docker, events |",
		"| `/` | filter rows (case-insensitive; esc clears) | tables |",
		"| `tab` | complete command | command line & filter |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("KeyTable lacks %q:\n%s", want, table)
		}
	}
}

// TestReadonlyDisablesDangerousActions checks the mechanism --readonly
// relies on: any action flagged dangerous is disabled, and only those.
func TestReadonlyDisablesDangerousActions(t *testing.T) {
	k := defaultKeyMap()
	k.Detail.danger = true // stand-in for a future stop/scale action
	k.setReadonly(true)
	if k.Detail.Enabled() {
		t.Fatal("a dangerous action stayed enabled in read-only mode")
	}
	for _, a := range k.all() {
		if a != &k.Detail && !a.Enabled() {
			t.Errorf("%q disabled in read-only mode", a.Help().Desc)
		}
	}
	if !strings.Contains(KeyTable(), "|") {
		t.Fatal("empty key table")
	}
	k.setReadonly(false)
	if !k.Detail.Enabled() {
		t.Fatal("not re-enabled")
	}
	for _, a := range ptr(defaultKeyMap()).all() {
		if a.danger {
			t.Errorf("%q is flagged dangerous; update the README and this test", a.Help().Desc)
		}
	}
}

func TestHintLineComesFromKeymap(t *testing.T) {
	m, _ := newLoaded(t, 200, 50)
	lines := strings.Split(screen(m), "\n")
	hint := lines[len(lines)-1]
	for _, a := range m.keys.short(modeTable) {
		if !strings.Contains(hint, a.Help().Key+" "+a.Help().Desc) {
			t.Errorf("hint line lacks %q: %q", a.Help().Key, hint)
		}
	}
}

func TestReadonlyAndSandboxMarkers(t *testing.T) {
	cfg := testConfig()
	cfg.Readonly, cfg.Sandbox = true, true
	cfg.Endpoint = "http://localhost:5000"
	m := New(cfg)
	send(m, windowSize(80, 24))
	mustContain(t, screen(m), "READONLY", "SANDBOX")
	send(m, windowSize(200, 50))
	mustContain(t, screen(m), "READONLY", "SANDBOX", "endpoint http://localhost:5000", "profile dev", "region us-east-1")
	m = New(testConfig())
	send(m, windowSize(200, 50))
	mustNotContain(t, screen(m), "READONLY", "SANDBOX", "endpoint")
}

func ptr[T any](v T) *T { return &v }
