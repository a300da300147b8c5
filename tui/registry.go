package tui

import (
	tea "charm.land/bubbletea/v2"

	"deckhand/internal/resource"
)

// The page registry. Adding a table page is one new file holding its
// listSpec (see page_instances.go) plus one line in lists; a page of any
// other kind is one file with a type that implements page (see detail.go)
// plus one line in otherCommands (or a key in the one keymap, keys.go)
// that pushes it.

// lists are the top-level table panes, in the order of the 1–6 keys (the
// ones with key set) and of the `:` commands that open them.
var lists = []struct {
	spec     *listSpec
	commands []string // the first is the name completion offers
	desc     string
}{
	{instancesPage, []string{"instances", "ec2", "inst"}, "EC2 instances"},
	{clustersPage, []string{"clusters", "ecs", "cl"}, "ECS clusters"},
	{servicesPage, []string{"services", "svc"}, "services of the focused cluster(s)"},
	{tasksPage, []string{"tasks", "task"}, "tasks of the focused cluster(s)"},
	{containersPage, []string{"containers", "co"}, "containers of those tasks"},
	{dockerPage, []string{"docker", "dk"}, "local Docker containers"},
	{composePage, []string{"compose", "projects"}, "Docker compose projects (containers by project label)"},
	{imagesPage, []string{"images", "img"}, "local Docker images"},
	{volumesPage, []string{"volumes", "vol"}, "local Docker volumes"},
	{networksPage, []string{"networks", "net"}, "local Docker networks"},
	{eventsPage, []string{"events", "ev"}, "changes observed this session"},
}

// otherCommands are the `:` commands that are not a top-level pane, in the
// order completion and help list them (after the panes').
var otherCommands = []command{
	{names: []string{"launch"}, desc: "launch a service (the wizard)",
		run: func(m *Model, _ []string) tea.Cmd { return m.launchKey() }},
	{names: []string{"launches"}, desc: "the checklist of the current or last launch",
		run: func(m *Model, _ []string) tea.Cmd { m.showLaunches(); return nil }},
	{names: []string{"destroy"}, desc: "destroy NAME [TARGET]: remove what a launch created", args: true,
		run: (*Model).planDestroy},
	{names: []string{"create"}, desc: "create instance|cluster|taskdef|service: a creation wizard", args: true,
		run: (*Model).createCommand},
	{names: []string{"taskdefs", "td"}, desc: "task definitions: families, revisions, a revision's detail and (D) its diff",
		run: (*Model).openTaskDefs},
	{names: []string{"sg", "securitygroups"}, desc: "security groups: who may reach which port; ctrl+k deletes one",
		run: (*Model).openSecurityGroups},
	{names: []string{"lifecycle", "lc"}, desc: "lifecycle instance|task|deployment: every state and transition explained", args: true,
		run: (*Model).openLifecycleCommand},
	{names: []string{"diag", "diagnose", "dx"}, desc: "the doctor: why the selected service or instance is not healthy (x)",
		run: (*Model).doctorCommand},
	{names: []string{"keypairs", "kp"}, desc: "EC2 key pairs: create (c), import a public key (I), delete (ctrl+k)",
		run: (*Model).openKeyPairs},
	{names: []string{"forwards", "pf"}, desc: "port forwards of this session (F on a task starts one); s stops one",
		run: (*Model).openForwards},
	{names: []string{"stats"}, desc: "the API budget: calls per family, waiting, throttled, rate cuts; each source's data age",
		run: (*Model).openStats},
	{names: []string{"profile"}, desc: "profile NAME: switch to a profile of the shared AWS config (tab completes)", args: true,
		run: (*Model).profileCommand},
	{names: []string{"region"}, desc: "region NAME: the same account in another region (tab completes)", args: true,
		run: (*Model).regionCommand},
	{names: []string{"sandbox"}, desc: "sandbox [REGION]: switch to the built-in sandbox account", args: true,
		run: (*Model).sandboxCommand},
	{names: []string{"help", "h"}, desc: "keys and commands",
		run: func(m *Model, _ []string) tea.Cmd { m.help, m.helpScroll = true, 0; return nil }},
	{names: []string{"quit", "q", "q!"}, desc: "quit deckhand",
		run: func(m *Model, _ []string) tea.Cmd { return m.quit() }},
}

// newTops makes the top-level panes, kept for the whole session (each
// keeps its cursor and filter when left).
func newTops() []*listPage {
	out := make([]*listPage, len(lists))
	for i, l := range lists {
		out[i] = newListPage(l.spec, l.spec.name, scope{})
		out[i].isTop = true
	}
	return out
}

// kindName is the plural a kind's pane is named by ("instances").
func kindName(k resource.Kind) string {
	for _, l := range lists {
		if l.spec.kind == k {
			return l.spec.name
		}
	}
	return string(k)
}

// isPage reports whether p is a page of type T (a launch wizard, a review…),
// for the flows that replace one page of a type by a newer one.
func isPage[T page](p page) bool {
	_, ok := p.(T)
	return ok
}
