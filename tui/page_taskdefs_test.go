package tui

import (
	"context"
	"path/filepath"
	"testing"

	"deckhand/aws/sandbox"
	"deckhand/internal/cloud"
)

// TestTaskDefinitionPages: on a sandbox account with two revisions of a
// family, :taskdefs lists the family, enter its revisions newest first,
// enter a revision's detail (the environment by name, never its value),
// and D what changed since the revision before.
func TestTaskDefinitionPages(t *testing.T) {
	ctx := context.Background()
	acct, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Speed: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range []string{"nginx:1.25", "nginx:1.27"} {
		_, err := acct.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{Family: "shop", Memory: "512", Containers: []cloud.ContainerSpec{{
			Name: "web", Image: img, Port: 80, MemoryReservation: 128, Essential: true, Env: map[string]string{"DB_PASSWORD": "s3cret-value"}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	m, _ := newLoaded(t, 120, 40)
	m.cfg.TaskDefs = acct
	do(m, openCmd(m, "taskdefs"))
	s := screen(m)
	mustContain(t, s, "task definitions [", "shop")
	for i := 0; i < 20 && !cursorOn(m, "shop"); i++ {
		press(m, "j")
	}
	do(m, press(m, "enter"))
	if got := firstCells(m); len(got) != 2 || got[0] != "shop:2" || got[1] != "shop:1" {
		t.Fatalf("revisions %v, want shop:2 then shop:1\n%s", got, screen(m))
	}
	do(m, press(m, "enter"))
	s = screen(m)
	mustContain(t, s, "task definitions › shop › shop:2", "nginx:1.27", "80/tcp", "DB_PASSWORD", "D shows what changed since shop:1")
	mustNotContain(t, s, "s3cret-value")
	press(m, "D")
	s = screen(m)
	mustContain(t, s, "changes since shop:1", "shop:1 → shop:2", "web image: nginx:1.25 → nginx:1.27")
	mustNotContain(t, s, "s3cret-value", "environment:")
	checkFits(t, m, 120, 40)

	// ctrl+k on a revision deregisters it, once its name is typed.
	press(m, "esc")         // back to the revisions
	press(m, "G", "ctrl+k") // shop:1
	mustContain(t, screen(m), "Deregister task definition?", "Type shop:1 to confirm", "$ aws ecs deregister-task-definition --task-definition shop:1")
	typeText(m, "shop:1")
	runCmd(t, m, press(m, "enter"))
	mustContain(t, status(m), "deregistered shop:1")
	td, err := acct.DescribeTaskDefinition(ctx, "shop:1")
	if err != nil || td.Status != "INACTIVE" {
		t.Fatalf("shop:1 after deregister: %+v, %v", td, err)
	}
}

// cursorOn reports whether the selected row's first cell is s.
func cursorOn(m *Model, s string) bool {
	r, ok := m.current().table().selected()
	return ok && r.cells[0] == s
}
