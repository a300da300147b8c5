package tui

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"deckhand/internal/resource"
)

// TestKeyMapNoConflicts fails when two actions that can fire in the same
// mode on the same pane share a key: one of them would never run. (A
// resource action works on its panes only, so s may stop on one pane and
// scale on another.)
func TestKeyMapNoConflicts(t *testing.T) {
	k := defaultKeyMap()
	for _, md := range []mode{modeTable, modeDetail, modeHelp, modeInput, modeDialog, modePrompt, modeForm, modeReview, modeRun, modeLogs, modeInspect} {
		for _, kind := range append([]resource.Kind{""}, resource.AllKinds...) {
			owner := map[string]string{}
			for _, a := range k.all() {
				if a.modes&md == 0 || !a.offeredOn(kind) {
					continue
				}
				for _, key := range a.Keys() {
					if prev, ok := owner[key]; ok {
						t.Errorf("%s on %s: key %q is bound to both %q and %q", where(md), kindName(kind), key, prev, a.Help().Desc)
					}
					owner[key] = a.Help().Desc
				}
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
		"| `q` | quit (asks first while a launch runs) | anywhere but the command line, dialogs, wizards and plan review |",
		"| `d` | details and observed history of the row | tables |",
		"| `ctrl+c` | quit | everywhere but the launch checklist |",
		"| `ctrl+c` | ask whether to cancel the running launch (No by default); quits when none runs | launch checklist |",
		"| `j` `down` | down |",
		"| `1` `2` `3` `4` `5` `6` | go to instances, clusters, services, tasks, docker, events |",
		"| `/` | filter rows or log lines, or search the inspect JSON (case-insensitive; esc clears) | tables, logs, inspect |",
		"| `l` | the last 200 log lines of the selected container (a task: its first container), newest at the bottom | docker, tasks, containers (list or detail) |",
		"| `f` | follow the logs: fetch again every 2 s (on or off) | logs |",
		"| `tab` | complete command | command line & filter |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("KeyTable lacks %q:\n%s", want, table)
		}
	}
}

// TestReadonlyDisablesDangerousActions checks the mechanism --readonly
// relies on: every action that changes a resource is flagged dangerous,
// and exactly the dangerous ones are disabled.
func TestReadonlyDisablesDangerousActions(t *testing.T) {
	k := defaultKeyMap()
	// Exec and Shell count: a shell in a container can change anything.
	changes := []*action{&k.Start, &k.Stop, &k.Terminate, &k.Remove, &k.Scale, &k.Delete, &k.Rollback, &k.Launch, &k.Create,
		&k.Restart, &k.Prune, &k.Exec, &k.ForceDeploy, &k.UpdateRevision, &k.NewImage, &k.Shell,
		&k.Reboot, &k.AddRule, &k.DeleteRule, &k.ImportKey, &k.NewKeyPair}
	for _, a := range k.all() {
		if a.danger != slices.Contains(changes, a) {
			t.Errorf("%q: danger = %v; only the actions that change resources are dangerous", a.Help().Desc, a.danger)
		}
	}
	k.setReadonly(true)
	for _, a := range k.all() {
		if a.Enabled() == a.danger {
			t.Errorf("%q: enabled = %v in read-only mode", a.Help().Desc, a.Enabled())
		}
	}
	k.setReadonly(false)
	for _, a := range k.all() {
		if !a.Enabled() {
			t.Errorf("%q not re-enabled", a.Help().Desc)
		}
	}
	table := KeyTable()
	for _, want := range []string{
		"| `s` | stop the selected instance, task, container or compose project (dangerous: disabled by --readonly) | instances, tasks, docker, compose (list or detail) |",
		"| `r` | restart the selected container, or every container of the compose project (dangerous: disabled by --readonly) | docker, compose (list or detail) |",
		"| `s` | set the desired count of the selected service (dangerous: disabled by --readonly) | services (list or detail) |",
		"| `ctrl+k` | terminate the selected instance (cannot be undone) (dangerous: disabled by --readonly) |",
		"| `L` | open the launch wizard, or the checklist of the launch that is running (dangerous: disabled by --readonly) |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("KeyTable lacks %q:\n%s", want, table)
		}
	}
}

func TestHintLineComesFromKeymap(t *testing.T) {
	m, _ := newLoaded(t, 200, 50)
	lines := strings.Split(screen(m), "\n")
	hint := lines[len(lines)-1]
	for _, a := range m.keys.short(modeTable, m.paneActions()) {
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
