package tui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"deckhand/aws/sandbox"
	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// openSandbox is a fresh sandbox account (seeded: cluster demo with web,
// on web:1, and broken-worker) with extra revisions of web's family.
func openSandbox(t *testing.T, webImages ...string) *sandbox.Account {
	t.Helper()
	acct, err := sandbox.Open(sandbox.Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Speed: 100})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { acct.Close() })
	for _, img := range webImages {
		if _, err := acct.RegisterImageRevision(context.Background(), "web:1", "web", img); err != nil {
			t.Fatal(err)
		}
	}
	return acct
}

// sandboxService is the named service as the ECS watcher lists it.
func sandboxService(t *testing.T, acct *sandbox.Account, name string) resource.Service {
	t.Helper()
	for _, s := range sandboxECS(t, acct).Services {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("service %s not listed", name)
	return resource.Service{}
}

// TestProgramUpdateRevisionPicker runs the real program (teatest): U on
// web lists web's revisions newest first with the current one marked;
// picking the current one says so; picking web:3 opens a dialog on No with
// the command, where enter changes nothing; y updates the service.
func TestProgramUpdateRevisionPicker(t *testing.T) {
	acct := openSandbox(t, "public.ecr.aws/nginx/nginx:1.28", "public.ecr.aws/nginx/nginx:1.29")
	cfg := testConfig()
	cfg.Actions = Actions{ECS: acct}
	cfg.TaskDefs = acct
	tm, p, _ := startProgramWith(t, cfg, 140, 30)
	f := &feed{source: "ecs"}
	tm.Send(f.update(sandboxECS(t, acct), t0))
	keys(tm, "3")
	waitScreen(t, p, "broken-worker", "web")
	keys(tm, "G", "U")
	waitScreen(t, p, "update web to…", "web:3", "web:2", "web:1", "◀ current")
	if f, _ := p.frame.Load().(string); !(strings.Index(f, "web:3") < strings.Index(f, "web:2") && strings.Index(f, "web:2") < strings.Index(f, "web:1")) {
		t.Fatalf("revisions not newest first:\n%s", f)
	}
	keys(tm, "G", "enter") // web:1, the current one
	waitScreen(t, p, "web runs web:1 already")
	keys(tm, "g", "enter") // web:3
	waitScreen(t, p, "Update service?", "web:1 → web:3", "[ No ]",
		"$ aws ecs update-service --cluster demo --service web --task-definition", "web:3 --region us-east-1 --profile dev")
	keys(tm, "enter") // No is chosen
	waitScreen(t, p, "update cancelled: nothing was changed")
	if s := sandboxService(t, acct, "web"); !strings.HasSuffix(s.TaskDefinition, "/web:1") {
		t.Fatalf("enter on No changed the service: %s", s.TaskDefinition)
	}
	keys(tm, "U")
	waitScreen(t, p, "◀ current")
	keys(tm, "g", "enter", "y")
	waitScreen(t, p, "update requested for service web: web:1 → web:3")
	if s := sandboxService(t, acct, "web"); !strings.HasSuffix(s.TaskDefinition, "/web:3") || s.Deployments != 2 {
		t.Fatalf("after the update web runs %s with %d deployments, want web:3 rolling out", s.TaskDefinition, s.Deployments)
	}
	finish(t, tm)
}

// TestForceNewDeploymentDialog: F asks with No chosen and the command;
// enter does nothing; y starts a second deployment of the same revision.
func TestForceNewDeploymentDialog(t *testing.T) {
	acct := openSandbox(t)
	cfg := testConfig()
	cfg.Actions = Actions{ECS: acct}
	m := loadedWith(t, cfg, 160, 40)
	send(m, (&feed{source: "ecs"}).update(sandboxECS(t, acct), t0))
	press(m, "3", "G", "F")
	mustContain(t, screen(m), "Force a new deployment?", "a new deployment of web:1", "[ No ]")
	if want := "$ aws ecs update-service --cluster demo --service web --force-new-deployment --region us-east-1 --profile dev"; !slices.Contains(m.dlg.lines, want) {
		t.Fatalf("the dialog lacks %q: %q", want, m.dlg.lines)
	}
	if cmd := press(m, "enter"); cmd != nil || m.dlg != nil {
		t.Fatal("enter on the default No redeployed")
	}
	press(m, "F")
	runCmd(t, m, press(m, "y"))
	mustContain(t, status(m), "new deployment of web:1 started for service web")
	if s := sandboxService(t, acct, "web"); s.Deployments != 2 || !strings.HasSuffix(s.TaskDefinition, "/web:1") {
		t.Fatalf("after F: %d deployments of %s, want 2 of web:1", s.Deployments, s.TaskDefinition)
	}
}

// TestNewImageFromService: I on web asks for the image (the current one
// offered), refuses a bad one and the same one in the dialog, asks whether
// to deploy, and confirms both commands on No; y registers web:2 and
// deploys it.
func TestNewImageFromService(t *testing.T) {
	ctx := context.Background()
	acct := openSandbox(t)
	cfg := testConfig()
	cfg.Actions = Actions{ECS: acct}
	cfg.TaskDefs = acct
	m := loadedWith(t, cfg, 200, 40)
	send(m, (&feed{source: "ecs"}).update(sandboxECS(t, acct), t0))
	press(m, "3", "G")
	do(m, press(m, "I"))
	mustContain(t, screen(m), "New image for web?", "runs public.ecr.aws/nginx/nginx:1.27")
	if got := m.dlg.input.value(); got != "public.ecr.aws/nginx/nginx:1.27" {
		t.Fatalf("the prompt offers %q, want the current image", got)
	}
	for _, tt := range []struct{ typed, problem string }{
		{"nginx 1.29", "not an image reference"},
		{"public.ecr.aws/nginx/nginx:1.27", "runs public.ecr.aws/nginx/nginx:1.27 already"},
		{"nginx:", "ends without a tag"},
	} {
		press(m, "ctrl+u")
		typeText(m, tt.typed)
		if cmd := press(m, "enter"); cmd != nil {
			t.Fatalf("%q was accepted", tt.typed)
		}
		mustContain(t, screen(m), tt.problem)
	}
	press(m, "ctrl+u")
	typeText(m, "public.ecr.aws/nginx/nginx:1.29")
	do(m, press(m, "enter"))
	mustContain(t, screen(m), "Deploy the new revision?", "1  register it and deploy it to service web")
	press(m, "1")
	s := screen(m)
	mustContain(t, s, "Register a new revision?", "public.ecr.aws/nginx/nginx:1.27 → public.ecr.aws/nginx/nginx:1.29", "[ No ]")
	wantCmds := []string{
		`$ aws ecs describe-task-definition --task-definition web:1 --include TAGS --region us-east-1 --profile dev | jq `,
		`.containerDefinitions |= map(if .name == "web" then .image = "public.ecr.aws/nginx/nginx:1.29" else . end)' > web.json && aws ecs register-task-definition --cli-input-json file://web.json --region us-east-1 --profile dev`,
		"$ aws ecs update-service --cluster demo --service web --task-definition web --region us-east-1 --profile dev",
	}
	for _, w := range wantCmds {
		if !slices.ContainsFunc(m.dlg.lines, func(l string) bool { return strings.Contains(l, w) }) {
			t.Errorf("the dialog lacks %q: %q", w, m.dlg.lines)
		}
	}
	if m.dlg.onYes {
		t.Fatal("the dialog starts on Yes")
	}
	runCmd(t, m, press(m, "y"))
	mustContain(t, status(m), "registered a new revision of web", "and started its deployment on service web")
	td, err := acct.DescribeTaskDefinition(ctx, "web:2")
	if err != nil || td.Containers[0].Image != "public.ecr.aws/nginx/nginx:1.29" {
		t.Fatalf("web:2 = %+v, %v", td, err)
	}
	if s := sandboxService(t, acct, "web"); !strings.HasSuffix(s.TaskDefinition, "/web:2") {
		t.Fatalf("web runs %s, want web:2", s.TaskDefinition)
	}
}

// TestServiceOpsReadonly: under --readonly F, U and I open nothing and say
// why, on the list and in the detail; I on a revision's page too.
func TestServiceOpsReadonly(t *testing.T) {
	acct := openSandbox(t)
	cfg := testConfig()
	cfg.Readonly = true
	cfg.Actions = Actions{ECS: acct}
	cfg.TaskDefs = acct
	m := loadedWith(t, cfg, 160, 40)
	send(m, (&feed{source: "ecs"}).update(sandboxECS(t, acct), t0))
	for _, tt := range []struct{ where, key string }{
		{"list", "F"}, {"list", "U"}, {"list", "I"}, {"detail", "F"}, {"detail", "U"}, {"detail", "I"},
	} {
		press(m, "esc", "esc", "3", "G")
		if tt.where == "detail" {
			press(m, "d")
		}
		depth := len(m.stack)
		if cmd := press(m, tt.key); cmd != nil || m.dlg != nil || len(m.stack) != depth {
			t.Errorf("%s %s: something opened under --readonly", tt.where, tt.key)
		}
		mustContain(t, status(m), "read-only mode (--readonly)")
	}
	do(m, openCmd(m, "taskdefs"))
	for i := 0; i < 20 && !cursorOn(m, "web"); i++ {
		press(m, "j")
	}
	do(m, press(m, "enter"))
	do(m, press(m, "enter"))
	if cmd := press(m, "I"); cmd != nil || m.dlg != nil {
		t.Error("I on a revision opened something under --readonly")
	}
	mustContain(t, status(m), "read-only mode (--readonly)")
}

// TestCompareAnyRevisions: C on a revision picks any other of its family
// and shows what changed from the pick to the revision shown; a table over
// pairs of revisions. I on a revision registers without deploying.
func TestCompareAnyRevisions(t *testing.T) {
	ctx := context.Background()
	acct := openSandbox(t)
	specs := []cloud.TaskDefSpec{
		{Family: "shop", Memory: "512", Containers: []cloud.ContainerSpec{{Name: "web", Image: "nginx:1.25", Port: 80, Essential: true}}},
		{Family: "shop", Memory: "1024", Containers: []cloud.ContainerSpec{{Name: "web", Image: "nginx:1.25", Port: 80, Essential: true,
			Env: map[string]string{"MODE": "prod"}}}},
		{Family: "shop", Memory: "1024", Containers: []cloud.ContainerSpec{{Name: "web", Image: "nginx:1.27", Port: 8080, Essential: true,
			Env: map[string]string{"MODE": "prod"}}, {Name: "side", Image: "busybox:1.36"}}},
	}
	for _, s := range specs {
		if _, err := acct.RegisterTaskDefinition(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig()
	cfg.Actions = Actions{ECS: acct}
	cfg.TaskDefs = acct
	for _, tt := range []struct {
		shown, pick string
		want        []string
		not         []string
	}{
		{"shop:3", "shop:1", []string{"shop:1 → shop:3", "CPU / memory: - / 512 → - / 1024", "web image: nginx:1.25 → nginx:1.27",
			"web ports: 80/tcp → 8080/tcp", "web environment: none → MODE", "container side: added (busybox:1.36)"}, nil},
		{"shop:3", "shop:2", []string{"shop:2 → shop:3", "web image: nginx:1.25 → nginx:1.27", "container side: added"},
			[]string{"CPU / memory:", "web environment:"}},
		{"shop:1", "shop:3", []string{"shop:3 → shop:1", "CPU / memory: - / 1024 → - / 512", "web image: nginx:1.27 → nginx:1.25",
			"container side: removed"}, nil},
	} {
		t.Run(tt.pick+" to "+tt.shown, func(t *testing.T) {
			m := loadedWith(t, cfg, 160, 40)
			do(m, openCmd(m, "taskdefs"))
			for i := 0; i < 20 && !cursorOn(m, "shop"); i++ {
				press(m, "j")
			}
			do(m, press(m, "enter"))
			for i := 0; i < 5 && !cursorOn(m, tt.shown); i++ {
				press(m, "j")
			}
			do(m, press(m, "enter"))
			do(m, press(m, "C"))
			mustContain(t, screen(m), "compare "+tt.shown+" with…", "◀ current")
			for i := 0; i < 5 && !cursorOn(m, tt.pick); i++ {
				press(m, "j")
			}
			do(m, press(m, "enter"))
			s := screen(m)
			mustContain(t, s, tt.want...)
			mustNotContain(t, s, tt.not...)
		})
	}

	// I on shop:3's page: register only, one command, no deploy.
	m := loadedWith(t, cfg, 200, 40)
	do(m, openCmd(m, "taskdefs"))
	for i := 0; i < 20 && !cursorOn(m, "shop"); i++ {
		press(m, "j")
	}
	do(m, press(m, "enter"))
	do(m, press(m, "enter")) // shop:3
	press(m, "I")
	mustContain(t, screen(m), "Which container's image?", "1  web: nginx:1.27", "2  side: busybox:1.36")
	press(m, "2", "ctrl+u")
	typeText(m, "busybox:1.37")
	do(m, press(m, "enter"))
	mustContain(t, screen(m), "Register a new revision?", "busybox:1.36 → busybox:1.37", "[ No ]")
	mustNotContain(t, screen(m), "update-service")
	runCmd(t, m, press(m, "y"))
	td, err := acct.DescribeTaskDefinition(ctx, "shop:4")
	if err != nil || td.Containers[1].Image != "busybox:1.37" || td.Containers[0].Image != "nginx:1.27" {
		t.Fatalf("shop:4 = %+v, %v", td, err)
	}
}

// TestDiffWrapsLongImages: a diff of two ECR images on an 80-column
// terminal wraps instead of cutting the new image off.
func TestDiffWrapsLongImages(t *testing.T) {
	ctx := context.Background()
	acct := openSandbox(t)
	repo := "123456789012.dkr.ecr.us-east-1.amazonaws.com/deckhand/payments-api"
	for _, tag := range []string{"release-2026-12-01", "release-2026-12-05"} {
		if _, err := acct.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{Family: "pay", Memory: "512",
			Containers: []cloud.ContainerSpec{{Name: "api", Image: repo + ":" + tag, Essential: true}}}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig()
	cfg.TaskDefs = acct
	m := loadedWith(t, cfg, 80, 30)
	do(m, openCmd(m, "taskdefs"))
	for i := 0; i < 20 && !cursorOn(m, "pay"); i++ {
		press(m, "j")
	}
	do(m, press(m, "enter"))
	do(m, press(m, "enter")) // pay:2
	press(m, "D")
	checkFits(t, m, 80, 30)
	var joined strings.Builder
	for _, l := range strings.Split(screen(m), "\n") {
		joined.WriteString(strings.TrimSpace(l))
	}
	if want := "apiimage:" + repo + ":release-2026-12-01→" + repo + ":release-2026-12-05"; !strings.Contains(strings.ReplaceAll(joined.String(), " ", ""), want) {
		t.Fatalf("the diff does not show both images whole:\n%s", screen(m))
	}
}
