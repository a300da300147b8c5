package tui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// The keymap is the single source of truth for keys: Update matches against
// it, and the hint line, the `?` help overlay and KeyTable (the README's key
// table) are all generated from it. TestKeyMapNoConflicts fails when two
// actions that can fire in the same mode share a key.

// mode is where a key can fire. An action may be active in several modes.
type mode uint16

const (
	modeTable   mode = 1 << iota // a list of resources or events
	modeDetail                   // the detail/history view of one resource
	modeHelp                     // the help overlay
	modeInput                    // typing in the `:` command line or `/` filter
	modeDialog                   // a yes/no confirmation dialog
	modePrompt                   // typing into a dialog (a count, a name to confirm)
	modeForm                     // a wizard's fields (launch, create)
	modeReview                   // the plan of a launch or destroy, before confirming it
	modeRun                      // the checklist of a running or finished launch
	modeLogs                     // the logs page of a container or task
	modeInspect                  // the engine's JSON of a Docker object

	modeBrowse = modeTable | modeDetail | modeHelp | modeRun | modeLogs | modeInspect
	modeAll    = modeBrowse | modeInput | modeDialog | modePrompt | modeForm | modeReview
	// On the checklist ctrl+c asks to cancel the run rather than quitting.
	modeAllButRun = modeAll &^ modeRun
)

// action is one user action: its keys and help text, where it works, and
// whether it changes anything in AWS or Docker. Dangerous actions are
// disabled by --readonly (Config.Readonly).
type action struct {
	key.Binding
	modes  mode
	danger bool
	long   string          // the help overlay's and README's description; the hint line uses the short one
	kinds  []resource.Kind // resource actions: the kinds it applies to (on their lists and details); nil = every page
	verb   string          // resource actions: the word flash messages use ("stop", "terminate"…)
}

// explain sets the long description.
func (a action) explain(s string) action { a.long = s; return a }

// on scopes a resource action to kinds of resource: one key may mean
// different things on different kinds (s stops an instance but scales a
// service, as in k9s).
func (a action) on(verb string, kinds ...resource.Kind) action {
	a.verb, a.kinds = verb, kinds
	return a
}

// offeredOn reports whether the action's key works on a page whose
// resources are of kind k.
func (a *action) offeredOn(k resource.Kind) bool {
	return a.kinds == nil || slices.Contains(a.kinds, k)
}

// hasKey matches a key press against the action's keys even when the action
// is disabled, so that --readonly can say why a dangerous key does nothing.
func (a *action) hasKey(msg tea.KeyPressMsg) bool {
	return slices.Contains(a.Keys(), msg.String())
}

// describe is the long description, or the short one.
func (a *action) describe() string {
	if a.long != "" {
		return a.long
	}
	return a.Help().Desc
}

func act(modes mode, danger bool, help, desc string, keys ...string) action {
	return action{Binding: key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc)), modes: modes, danger: danger}
}

// keyMap lists every action. All returns them in display order; a test
// checks with reflection that no field is missing from All.
type keyMap struct {
	Quit, ForceQuit, Help, Command, Refresh    action
	NextPane, PrevPane, Panes, Back            action
	Up, Down, Top, Bottom                      action
	PageUp, PageDown, HalfUp, HalfDown         action
	Open, Detail, Filter                       action
	Sort, Reverse, Mark, Copy                  action
	Diff, Events                               action
	Logs, Follow, Wrap                         action
	Start, Stop, Terminate, Remove, Scale      action
	Delete, Rollback                           action
	ForceDeploy, UpdateRevision, NewImage      action // ecs_ops.go
	DiffWith                                   action
	Reboot, Console, AddRule, DeleteRule       action
	ImportKey, NewKeyPair                      action
	Create                                     action
	Restart, Prune, Inspect, Exec              action
	NextMatch                                  action
	Yes, No, Switch, Select, Dismiss           action
	Accept, Cancel, Complete, ClearLine, Erase action
	Cursor, EditLine                           action
	Launch, CancelRun                          action
	NextField, PrevField, Choose, Toggle       action
	Submit, Leave                              action
	Lifecycle, Doctor                          action
	Shell, Forward, StopForward                action
}

func defaultKeyMap() keyMap {
	return keyMap{
		Quit:      act(modeBrowse, false, "q", "quit", "q").explain("quit (asks first while a launch runs)"),
		ForceQuit: act(modeAllButRun, false, "ctrl+c", "quit", "ctrl+c"),
		Help:      act(modeBrowse, false, "?", "help", "?").explain("show or hide this help"),
		Command:   act(modeBrowse, false, ":", "command", ":").explain("command line: :instances, :docker, :q …"),
		Refresh:   act(modeBrowse, false, "ctrl+r", "refresh", "ctrl+r").explain("refresh the current pane's source now"),
		NextPane:  act(modeBrowse, false, "tab", "next pane", "tab"),
		PrevPane:  act(modeBrowse, false, "shift+tab", "previous pane", "shift+tab"),
		Panes: act(modeBrowse, false, "1-6", "panes", "1", "2", "3", "4", "5", "6").
			explain("go to instances, clusters, services, tasks, docker, events"),
		Back: act(modeBrowse, false, "esc", "back", "esc").explain("clear the filter, else go back a page or close help"),

		Up:       act(modeBrowse|modeReview, false, "k/↑", "up", "k", "up"),
		Down:     act(modeBrowse|modeReview, false, "j/↓", "down", "j", "down"),
		Top:      act(modeBrowse|modeReview, false, "g", "top", "g", "home"),
		Bottom:   act(modeBrowse|modeReview, false, "G", "bottom", "G", "end"),
		PageUp:   act(modeBrowse|modeReview, false, "pgup", "page up", "pgup"),
		PageDown: act(modeBrowse|modeReview, false, "pgdn", "page down", "pgdown"),
		HalfUp:   act(modeBrowse|modeReview, false, "ctrl+u", "half page up", "ctrl+u"),
		HalfDown: act(modeBrowse|modeReview, false, "ctrl+d", "half page down", "ctrl+d"),

		Open: act(modeTable, false, "enter", "open", "enter").
			explain("drill down (cluster › services › tasks › containers) or show details"),
		Detail: act(modeTable, false, "d", "detail", "d").explain("details and observed history of the row"),
		Filter: act(modeTable|modeLogs|modeInspect, false, "/", "filter", "/").explain("filter rows or log lines, or search the inspect JSON (case-insensitive; esc clears)"),
		Events: act(modeTable|modeDetail, false, "w", "events", "w").on("show the events of", resource.KindService).
			explain("every event of the selected service, newest first, live (as e1s's w); its deployments are in its detail (d)"),
		Diff: act(modeDetail, false, "D", "diff", "D").explain("a task definition revision: what changed since the previous revision (on or off)"),
		// Sort as in k9s (its shift+letter keys are taken here by S and
		// L): o walks the columns, O flips the order.
		Sort:    act(modeTable, false, "o", "sort", "o").explain("sort by the next column (after the last: the page's own order)"),
		Reverse: act(modeTable, false, "O", "reverse", "O").explain("reverse the sort order"),
		Mark: act(modeTable, false, "space", "mark", "space").
			explain("mark or unmark the row (and move down): stop, start, reboot, terminate and remove act on every marked row; esc clears the marks"),
		Copy: act(modeTable|modeDetail, false, "y", "copy", "y").
			explain("copy the row's id, name, ARN, IP or URL, or the last action's command, to the clipboard (OSC 52: works over SSH and in tmux)"),

		// Logs, as in lazydocker and k9s: l opens them, f follows (k9s's
		// autoscroll key is s, taken here by stop), w wraps long lines.
		Logs: act(modeTable|modeDetail, false, "l", "logs", "l").on("show the logs of", resource.KindDocker, resource.KindTask, resource.KindContainer).
			explain("the last 200 log lines of the selected container (a task: its first container), newest at the bottom"),
		Follow: act(modeLogs, false, "f", "follow", "f").explain("follow the logs: fetch again every 2 s (on or off)"),
		Wrap:   act(modeLogs, false, "w", "wrap", "w").explain("wrap long log lines instead of cutting them with …"),

		// Resource actions, on the selected row or the resource in the
		// detail view. Keys follow lazydocker (s stop) and k9s (s scale,
		// ctrl+k kill); d is already details, and ctrl+d half a page.
		Start: act(modeTable|modeDetail, true, "S", "start", "S").on("start", resource.KindInstance, resource.KindDocker, resource.KindCompose).
			explain("start the selected stopped instance, container or compose project"),
		Stop: act(modeTable|modeDetail, true, "s", "stop", "s").on("stop", resource.KindInstance, resource.KindTask, resource.KindDocker, resource.KindCompose).
			explain("stop the selected instance, task, container or compose project"),
		Terminate: act(modeTable|modeDetail, true, "ctrl+k", "terminate", "ctrl+k").on("terminate", resource.KindInstance).
			explain("terminate the selected instance (cannot be undone)"),
		Remove: act(modeTable|modeDetail, true, "ctrl+k", "remove", "ctrl+k").
			on("remove", resource.KindDocker, resource.KindImage, resource.KindVolume, resource.KindNetwork).
			explain("remove the selected container (forced if running), image (in use: asks to force), unused volume or network"),
		Delete: act(modeTable|modeDetail, true, "ctrl+k", "delete", "ctrl+k").on("delete", resource.KindCluster, resource.KindService).
			explain("delete the selected cluster (once it has no services), service (scaled to 0 first), on :sg a security group, on :taskdefs a revision (deregistered); you type its name to confirm"),
		Rollback: act(modeTable|modeDetail, true, "R", "roll back", "R").on("roll back", resource.KindService).
			explain("roll the selected service back to the revision before the one it runs (a new deployment)"),
		// C compares a revision with any other (D: with the previous one).
		DiffWith: act(modeDetail, false, "C", "compare", "C").
			explain("a task definition revision: pick any other revision of its family and see what changed from it to this one"),
		// F, U and I as e1s-style capitals: lower case s/S/i are taken.
		ForceDeploy: act(modeTable|modeDetail, true, "F", "force deploy", "F").on("force a new deployment of", resource.KindService).
			explain("force a new deployment of the selected service: new tasks of the same revision replace the running ones"),
		UpdateRevision: act(modeTable|modeDetail, true, "U", "update revision", "U").on("update", resource.KindService).
			explain("move the selected service to another revision of its task definition: pick one (newest first, the current one marked), then confirm"),
		NewImage: act(modeTable|modeDetail, true, "I", "new image", "I").on("register a new image for", resource.KindService).
			explain("register a copy of the service's revision (or, on :taskdefs, the revision shown) with one container's image changed, and on a service deploy it too"),
		// r restarts a container; on an instance it reboots it.
		Reboot: act(modeTable|modeDetail, true, "r", "reboot", "r").on("reboot", resource.KindInstance).
			explain("reboot the selected running instance (it stays running; shown as rebooting until its checks pass again)"),
		// V (view) for the console: C compares revisions, O reverses.
		Console: act(modeTable|modeDetail, false, "V", "console", "V").on("show the console output of", resource.KindInstance).
			explain("the console output of the selected instance (GetConsoleOutput; on the sandbox, its cloud-config run), scrollable"),
		// The :sg and :keypairs pages' own keys: + and - as in a list of
		// rules, I for import (i is inspect).
		AddRule: act(modeTable, true, "+", "add rule", "+").on("add a rule to", kindSecurityGroups).
			explain("on :sg, add an inbound rule to the selected group (SSH from my address, from a CIDR, or any port)"),
		DeleteRule: act(modeTable, true, "-", "delete rule", "-").on("delete a rule of", kindSecurityGroups).
			explain("on :sg, delete one inbound rule of the selected group"),
		ImportKey: act(modeTable, true, "I", "import key", "I").on("import", kindKeyPairs).
			explain("on :keypairs, import a public key (~/.ssh/id_*.pub offered) as a key pair"),
		NewKeyPair: act(modeForm, true, "ctrl+n", "new key pair", "ctrl+n").
			explain("on the instance wizard's Key pair field: create a key pair or import ~/.ssh/id_*.pub now, and fill it in"),
		Scale: act(modeTable|modeDetail, true, "s", "scale", "s").on("scale", resource.KindService).
			explain("set the desired count of the selected service"),
		// c was free on every pane; on services the cluster in view is
		// preselected.
		Create: act(modeTable|modeDetail, true, "c", "create", "c").on("create", resource.KindInstance, resource.KindCluster, resource.KindService).
			explain("create an instance, cluster or service (a wizard, then a review); on :sg a security group, on :keypairs a key pair"),

		// Docker, as in lazydocker: r restarts, i inspects (lazydocker's
		// config tab), e execs a shell (E there), P prunes dangling images.
		Restart: act(modeTable|modeDetail, true, "r", "restart", "r").on("restart", resource.KindDocker, resource.KindCompose).
			explain("restart the selected container, or every container of the compose project"),
		Prune: act(modeTable|modeDetail, true, "P", "prune", "P").on("prune", resource.KindImage).
			explain("remove every dangling image no container uses (docker image prune)"),
		Inspect: act(modeTable|modeDetail, false, "i", "inspect", "i").
			on("inspect", resource.KindDocker, resource.KindImage, resource.KindVolume, resource.KindNetwork).
			explain("the engine's JSON of the selected container, image, volume or network (/ searches)"),
		Exec: act(modeTable|modeDetail, true, "e", "shell", "e").on("open a shell in", resource.KindDocker).
			explain("a shell in the selected running container (docker exec -it; back here when it exits)"),
		// One action for both directions keeps help one line shorter.
		NextMatch: act(modeInspect, false, "n/N", "next/previous match", "n", "N").explain("go to the next (n) or previous (N) line matching the search"),

		Yes:    act(modeDialog|modeReview, false, "y", "yes", "y").explain("confirm the action"),
		No:     act(modeDialog|modeReview, false, "n", "no", "n").explain("cancel the action"),
		Switch: act(modeDialog|modeReview, false, "←/→", "choose", "left", "right", "h", "l", "tab", "shift+tab").explain("move between No and Yes"),
		Select: act(modeDialog|modePrompt|modeReview, false, "enter", "select", "enter").
			explain("press the chosen button (No by default); submit a prompt"),
		Dismiss: act(modeDialog|modePrompt|modeReview, false, "esc", "cancel", "esc").
			explain("close the dialog (or leave the plan review) without doing anything"),

		Accept:    act(modeInput, false, "enter", "run / keep filter", "enter"),
		Cancel:    act(modeInput, false, "esc", "cancel / clear filter", "esc"),
		Complete:  act(modeInput, false, "tab", "complete command", "tab"),
		ClearLine: act(modeInput|modePrompt|modeForm, false, "ctrl+u", "clear line", "ctrl+u"),
		Erase:     act(modeInput|modePrompt|modeForm, false, "backspace", "delete character", "backspace"),
		// In forms ←/→ are Choose's: on a text field they move the cursor.
		Cursor: act(modeInput|modePrompt, false, "←/→", "move cursor", "left", "right"),
		EditLine: act(modeInput|modePrompt|modeForm, false, "home/end ctrl+w…", "edit", editKeys()...).
			explain("home/end (ctrl+a/e), a word back or on (alt+←/→, alt+b/f), delete a word (ctrl+w), to the end (ctrl+k) or forward (delete)"),

		// Launches. L is a capital letter so that a stray l (which moves
		// between buttons in dialogs) never opens the wizard.
		Launch: act(modeBrowse, true, "L", "launch", "L").
			explain("open the launch wizard, or the checklist of the launch that is running"),
		CancelRun: act(modeRun, false, "ctrl+c", "cancel run", "ctrl+c").
			explain("ask whether to cancel the running launch (No by default); quits when none runs"),
		NextField: act(modeForm, false, "tab/↓", "next", "tab", "down").explain("check this field and go to the next"),
		PrevField: act(modeForm, false, "shift+tab/↑", "previous", "shift+tab", "up").explain("check this field and go to the previous"),
		Choose:    act(modeForm, false, "←/→", "choose", "left", "right").explain("change a choice (target, source, launch type…) or a toggle; in a text field, move the cursor"),
		Toggle:    act(modeForm, false, "space", "toggle", "space").explain("switch a toggle on or off (in text fields, a space)"),
		Submit:    act(modeForm, false, "enter", "review", "enter").explain("check every field and show the plan to review"),
		Leave:     act(modeForm, false, "esc", "leave", "esc").explain("leave the wizard; what was typed is kept for next time"),

		// v (view) draws the lifecycle; x (examine, as k9s's xray) runs
		// the doctor. Neither changes anything.
		Lifecycle: act(modeTable|modeDetail, false, "v", "lifecycle", "v").on("show the lifecycle of", resource.KindInstance, resource.KindTask, resource.KindService).
			explain("the lifecycle of the selected instance, task or service deployment: now, time in each state, what comes next"),
		Doctor: act(modeTable|modeDetail, false, "x", "doctor", "x").on("diagnose", resource.KindService, resource.KindInstance).
			explain("the doctor: why the selected service or instance is not healthy, root cause first, with evidence and fix"),
		// Sessions (sessions.go): e as on Docker containers (lazydocker's
		// shell key), F for forward as k9s's shift+f.
		Shell: act(modeTable|modeDetail, true, "e", "shell", "e").on("open a shell in", resource.KindTask, resource.KindContainer, resource.KindInstance).
			explain("a shell in the selected task's container (ECS Exec; a task with several asks which) or on the instance (SSM session); on the sandbox docker exec -it into the container that runs it (an instance that runs none gets a stand-in container); back here when it exits"),
		Forward: act(modeTable|modeDetail, false, "F", "forward", "F").on("forward a port of", resource.KindTask, resource.KindContainer).
			explain("forward the container's port to 127.0.0.1 (SSM port forwarding in the background, restarted when it drops; on the sandbox the port is already published there); :forwards lists them"),
		StopForward: act(modeTable, false, "s/ctrl+k", "stop forward", "s", "ctrl+k").on("stop", kindForward).
			explain("stop the selected port forward"),
	}
}

// all returns pointers to every action, in the order help shows them.
func (k *keyMap) all() []*action {
	return []*action{
		&k.Help, &k.Command, &k.Filter, &k.Open, &k.Detail, &k.Sort, &k.Reverse, &k.Mark, &k.Copy, &k.Diff, &k.DiffWith, &k.Events, &k.Logs, &k.Follow, &k.Wrap, &k.Back,
		&k.Up, &k.Down, &k.Top, &k.Bottom, &k.PageUp, &k.PageDown, &k.HalfUp, &k.HalfDown,
		&k.NextPane, &k.PrevPane, &k.Panes, &k.Refresh, &k.Quit, &k.ForceQuit,
		&k.Start, &k.Stop, &k.Terminate, &k.Remove, &k.Scale, &k.Delete, &k.Rollback, &k.ForceDeploy, &k.UpdateRevision, &k.NewImage, &k.Create,
		&k.Reboot, &k.Console, &k.AddRule, &k.DeleteRule, &k.ImportKey, &k.NewKeyPair,
		&k.Restart, &k.Prune, &k.Inspect, &k.Exec, &k.NextMatch,
		&k.Yes, &k.No, &k.Switch, &k.Select, &k.Dismiss,
		&k.Accept, &k.Cancel, &k.Complete, &k.ClearLine, &k.Erase, &k.Cursor, &k.EditLine,
		&k.Launch, &k.CancelRun, &k.Submit, &k.NextField, &k.PrevField, &k.Choose, &k.Toggle, &k.Leave,
		&k.Lifecycle, &k.Doctor,
		&k.Shell, &k.Forward, &k.StopForward,
	}
}

// resource returns the actions that change a resource, in hint order.
func (k *keyMap) resource() []*action {
	return []*action{&k.Stop, &k.Start, &k.Restart, &k.Reboot, &k.Scale, &k.Terminate, &k.Remove, &k.Delete, &k.Rollback, &k.Prune}
}

// setReadonly disables (or re-enables) every dangerous action: those that
// start, stop, terminate, remove or scale resources, or launch a stack.
func (k *keyMap) setReadonly(ro bool) {
	for _, a := range k.all() {
		if a.danger {
			a.SetEnabled(!ro)
		}
	}
}

// short is the hint line of a mode: the few keys someone new needs first.
// acts are the resource actions offered on the current pane; they come
// early, since they are what a pane adds to the general keys.
func (k *keyMap) short(m mode, acts []*action) []*action {
	switch m {
	case modeInput:
		return []*action{&k.Accept, &k.Cancel, &k.Complete, &k.ForceQuit}
	case modeDialog:
		return []*action{&k.Yes, &k.No, &k.Switch, &k.Select, &k.Dismiss}
	case modePrompt:
		return []*action{&k.Select, &k.Dismiss, &k.Erase, &k.ClearLine}
	case modeHelp:
		return []*action{&k.Back, &k.Down, &k.Up, &k.Quit}
	case modeForm:
		return []*action{&k.Submit, &k.NextField, &k.Choose, &k.Leave, &k.Toggle, &k.PrevField}
	case modeReview:
		return []*action{&k.Yes, &k.No, &k.Switch, &k.Select, &k.Down, &k.Up, &k.Dismiss}
	case modeRun:
		return []*action{&k.Back, &k.CancelRun, &k.Down, &k.Up, &k.Launch, &k.Command, &k.Help, &k.Quit}
	case modeDetail:
		return slices.Concat([]*action{&k.Back}, acts, []*action{&k.Down, &k.Up, &k.Command, &k.Help, &k.Quit})
	case modeInspect:
		return []*action{&k.Back, &k.Filter, &k.NextMatch, &k.Down, &k.Up, &k.Help, &k.Quit}
	case modeLogs:
		return []*action{&k.Back, &k.Follow, &k.Wrap, &k.Filter, &k.Down, &k.Up, &k.Bottom, &k.Refresh, &k.Help, &k.Quit}
	}
	return slices.Concat([]*action{&k.Help}, acts,
		[]*action{&k.Command, &k.Filter, &k.Open, &k.Back, &k.Detail, &k.Panes, &k.Quit, &k.Refresh, &k.Launch})
}

// where describes a mode set for the help overlay and the README.
func where(m mode) string {
	switch m {
	case modeAll:
		return "everywhere"
	case modeBrowse:
		return "anywhere but the command line, dialogs, wizards and plan review"
	case modeAllButRun:
		return "everywhere but the launch checklist"
	}
	var parts []string
	for _, x := range []struct {
		m    mode
		name string
	}{{modeTable, "tables"}, {modeDetail, "detail"}, {modeHelp, "help"}, {modeInput, "command line & filter"},
		{modeDialog, "dialogs"}, {modePrompt, "prompts"},
		{modeForm, "wizards"}, {modeReview, "plan review"}, {modeRun, "launch checklist"}, {modeLogs, "logs"},
		{modeInspect, "inspect"}} {
		if m&x.m != 0 {
			parts = append(parts, x.name)
		}
	}
	return strings.Join(parts, ", ")
}

// where describes where an action works: its modes, or for a resource
// action the panes of its kinds.
func (a *action) where() string {
	if a.kinds == nil {
		return where(a.modes)
	}
	names := make([]string, len(a.kinds))
	for i, k := range a.kinds {
		names[i] = kindName(k)
	}
	return strings.Join(names, ", ") + " (list or detail)"
}

// KeyTable returns the keymap as a Markdown table (key, action, where) for
// the README. Dangerous actions are marked; they are disabled by --readonly.
func KeyTable() string {
	k := defaultKeyMap()
	var b strings.Builder
	b.WriteString("| Key | Action | Where |\n|---|---|---|\n")
	for _, a := range k.all() {
		keys := make([]string, len(a.Keys()))
		for i, s := range a.Keys() {
			keys[i] = "`" + s + "`"
		}
		desc := a.describe()
		if a.danger {
			desc += " (dangerous: disabled by --readonly)"
		}
		b.WriteString("| " + strings.Join(keys, " ") + " | " + desc + " | " + a.where() + " |\n")
	}
	return b.String()
}
