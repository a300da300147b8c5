package tui

import (
	"slices"
	"testing"
	"time"

	"deckhand/internal/cloud"
)

// The action flows in a real Bubble Tea program: the action runs in a Cmd
// on the program's goroutines, and its result comes back as a message.

func actingProgram(t *testing.T, readonly bool) (*probe, *recorder, func(...string)) {
	t.Helper()
	rec := &recorder{}
	cfg := testConfig()
	cfg.Readonly = readonly
	cfg.Actions = rec.actions()
	tm, p, _ := startProgramWith(t, cfg, 120, 30)
	t.Cleanup(func() { finish(t, tm) })
	return p, rec, func(ks ...string) { keys(tm, ks...) }
}

// waitCalls waits until the recorder has seen exactly want.
func waitCalls(t *testing.T, rec *recorder, want ...string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if slices.Equal(rec.Calls(), want) {
			return
		}
	}
	t.Fatalf("calls = %q, want %q", rec.Calls(), want)
}

func TestProgramStopNeedsConfirmation(t *testing.T) {
	p, rec, press := actingProgram(t, false)
	press("G", "s") // web-1
	waitScreen(t, p, "Stop instance?", "web-1 (i-0aaa1111bbbb2222c)", "[ No ]", "y yes  n no")
	press("enter") // No is the default
	waitScreen(t, p, "stop cancelled: nothing was changed", "? help")
	press("s", "y")
	waitScreen(t, p, "stop requested for web-1 (i-0aaa1111bbbb2222c)")
	waitCalls(t, rec, "StopInstances i-0aaa1111bbbb2222c")
}

func TestProgramReadonlyRefuses(t *testing.T) {
	p, rec, press := actingProgram(t, true)
	press("G", "s")
	waitScreen(t, p, "read-only mode (--readonly): stop is disabled")
	press("5", "ctrl+k")
	waitScreen(t, p, "read-only mode (--readonly): remove is disabled")
	time.Sleep(50 * time.Millisecond)
	waitCalls(t, rec)
}

func TestProgramActionError(t *testing.T) {
	p, rec, press := actingProgram(t, false)
	rec.err = &cloud.Error{Service: "ecs", Operation: "UpdateService", Code: "AccessDeniedException",
		Message: "User is not authorized to perform ecs:UpdateService"}
	press("3", "j", "s")
	waitScreen(t, p, "Scale service?", "> 2")
	press("x", "enter")
	waitScreen(t, p, `desired count: "x" is not a whole number (0–1000)`)
	press("backspace", "4", "enter")
	waitScreen(t, p, "scale service web failed: ecs:UpdateService: AccessDeniedException:",
		"(needs IAM permission ecs:UpdateService)")
	waitCalls(t, rec, "UpdateService "+prodARN+" web 4")
}

func TestProgramStateExplains(t *testing.T) {
	p, rec, press := actingProgram(t, false)
	press("g", "s") // db-1 is stopped
	waitScreen(t, p, "cannot stop db-1 (i-0ddd3333eeee4444f): it is stopped already")
	waitCalls(t, rec)
}
