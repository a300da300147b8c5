package tui

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"deckhand/aws/sandbox"
	"deckhand/internal/resource"
	"deckhand/internal/watch"
)

// The creation wizards against a real sandbox account in a temporary
// directory: the model is driven key by key, its Cmds run as the program
// would run them, and the account is read back to see what exists.

type sandboxModel struct {
	*Model
	acct *sandbox.Account
	path string
	mu   sync.Mutex
	refs []string // the sources the wizards asked to refresh
}

func (s *sandboxModel) refreshed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.refs)
}

// createModel is a loaded model whose Create is a fresh sandbox account;
// the ECS pane holds that account's clusters, as the watcher would.
func createModel(t *testing.T, w, h int, readonly bool) *sandboxModel {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sandbox.json")
	acct, err := sandbox.Open(sandbox.Options{Path: path, Speed: 50})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := newLoaded(t, w, h)
	s := &sandboxModel{Model: m, acct: acct, path: path}
	m.cfg.Create, m.cfg.Readonly = acct, readonly
	m.cfg.Refresh = func(src string) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.refs = append(s.refs, src)
	}
	m.keys.setReadonly(readonly)
	s.loadClusters(t)
	return s
}

// loadClusters shows the account's clusters in the ECS panes.
func (s *sandboxModel) loadClusters(t *testing.T) {
	t.Helper()
	cs, err := s.acct.Clusters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	send(s.Model, watch.Update{Source: "ecs", Gen: 0, At: t0, Baseline: true,
		Set: resource.Set{Kinds: []resource.Kind{resource.KindCluster}, Clusters: cs}})
}

// formOn is the creation wizard on screen (nil when none is).
func formOn(m *Model) *createWizard {
	cw, _ := m.current().(*createWizard)
	return cw
}

// setText focuses a text field and replaces its value by typing.
func setText(m *Model, id, value string) {
	formOn(m).focus = id
	press(m, "ctrl+u")
	typeText(m, value)
}

// choose focuses a choice field and presses → until option is chosen.
func choose(t *testing.T, m *Model, id, option string) {
	t.Helper()
	formOn(m).focus = id
	f := formOn(m).field(id)
	for range f.choices {
		if f.choices[f.choice] == option {
			return
		}
		press(m, "right")
	}
	t.Fatalf("%s has no option %q (%v)", id, option, f.choices)
}

// openCmd types a command line.
func openCmd(m *Model, line string) tea.Cmd {
	press(m, ":")
	typeText(m, line)
	return press(m, "enter")
}

// submit presses enter on the form and runs the check Cmd.
func submit(m *Model) { do(m, press(m, "enter")) }

// confirm says yes on the review and runs the create Cmd.
func confirmCreate(t *testing.T, m *Model) {
	t.Helper()
	if r, ok := m.current().(*review); !ok || r.create == nil {
		t.Fatalf("not on a create review:\n%s", screen(m))
	}
	cmd := press(m, "y")
	if cmd == nil {
		t.Fatalf("yes started nothing:\n%s", screen(m))
	}
	do(m, cmd)
}

// state is the part of the sandbox's state file the tests read back.
type state struct {
	Regions map[string]struct {
		SecurityGroups []struct {
			ID, Name string
			Ingress  []map[string]any
		} `json:"securityGroups"`
		Instances []struct {
			ID, ImageID, KeyName, UserData, Type string
			SecurityGroups                       []string
			Tags                                 map[string]string
		} `json:"instances"`
		TaskDefs []struct {
			Family, CPU, Memory, NetworkMode string
			Revision                         int
			Fargate                          bool
			Containers                       []map[string]any
			ExecutionRoleARN                 string `json:"executionRoleArn"`
		} `json:"taskDefinitions"`
		Clusters []struct {
			Name     string
			Services []struct {
				Name, LaunchType         string
				Desired                  int32
				Subnets                  []string
				PublicIP, CircuitBreaker bool
			}
		} `json:"clusters"`
	} `json:"regions"`
}

func (s *sandboxModel) state(t *testing.T) state {
	t.Helper()
	b, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// counts is how many instances, groups, task definitions, clusters and
// services the account holds: what "nothing was created" compares.
func (s *sandboxModel) counts(t *testing.T) [5]int {
	t.Helper()
	var n [5]int
	for _, r := range s.state(t).Regions {
		n[0] += len(r.Instances)
		n[1] += len(r.SecurityGroups)
		n[2] += len(r.TaskDefs)
		n[3] += len(r.Clusters)
		for _, c := range r.Clusters {
			n[4] += len(c.Services)
		}
	}
	return n
}
