// Package lifecycle holds the state graphs of the resources deckhand shows
// (an EC2 instance, an ECS task, a service deployment) — every state with a
// one-line meaning and every transition with what causes it — and lays them
// out as box-drawn text that fits 80×24 and reads without colour. It is
// plain data and strings, free of the SDK and of the TUI, so the TUI page,
// the doctor and a test can all use the same graph.
package lifecycle

import "time"

// State is one state of a lifecycle.
type State struct {
	Name    string
	Meaning string // one line, short enough for an 80-column row
}

// Transition is one edge of the graph: what moves a resource From → To.
// Verb is the deckhand action that causes it ("stop", "start",
// "terminate", "scale", "roll back"; "" when AWS moves it by itself), CLI
// the AWS CLI operation that does the same ("" when none), and By says in
// words what causes it.
type Transition struct {
	From, To string
	Verb     string
	CLI      string
	By       string
}

// Graph is a lifecycle: its states in display order and its transitions.
type Graph struct {
	Name        string // "instance", "task", "deployment": the :lifecycle argument
	Title       string
	States      []State
	Transitions []Transition
	// Linear is true when the states follow one another in display
	// order (the ECS task), so the layout draws the flow with ↓.
	Linear bool
	// Note is one line the generic view adds under the graph.
	Note string
}

// Next lists the transitions out of state, in the graph's order.
func (g Graph) Next(state string) []Transition {
	var out []Transition
	for _, t := range g.Transitions {
		if t.From == state {
			out = append(out, t)
		}
	}
	return out
}

// Meaning is the state's one-line meaning, or "".
func (g Graph) Meaning(state string) string {
	for _, s := range g.States {
		if s.Name == state {
			return s.Meaning
		}
	}
	return ""
}

// Has reports whether the graph has the state.
func (g Graph) Has(state string) bool {
	for _, s := range g.States {
		if s.Name == state {
			return true
		}
	}
	return false
}

// EC2 is an instance's lifecycle (AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html).
// rebooting is not a state EC2 reports (a rebooting instance stays
// running), but it is a step learners look for, so it is drawn.
var EC2 = Graph{Name: "instance", Title: "EC2 instance lifecycle",
	Note: "billed while running (and stopping to hibernate); status checks start once it runs",
	States: []State{
		{"pending", "placed on a host and booting; not billed"},
		{"running", "up and billed; status checks tell health"},
		{"rebooting", "restarting in place (EC2 still says running)"},
		{"stopping", "shutting down on its way to stopped"},
		{"stopped", "off: no compute bill, EBS volumes kept"},
		{"shutting-down", "being deleted; instance store data is lost"},
		{"terminated", "gone for good; listed ~1 h, cannot start"},
	},
	Transitions: []Transition{
		{From: "pending", To: "running", By: "EC2, once it has booted"},
		{From: "running", To: "stopping", Verb: "stop", CLI: "ec2 stop-instances", By: "StopInstances, or a shutdown inside it"},
		{From: "running", To: "rebooting", Verb: "reboot", CLI: "ec2 reboot-instances", By: "RebootInstances"},
		{From: "running", To: "shutting-down", Verb: "terminate", CLI: "ec2 terminate-instances", By: "TerminateInstances"},
		{From: "rebooting", To: "running", By: "EC2, after the restart"},
		{From: "stopping", To: "stopped", By: "EC2, once it has shut down"},
		{From: "stopped", To: "pending", Verb: "start", CLI: "ec2 start-instances", By: "StartInstances"},
		{From: "stopped", To: "shutting-down", Verb: "terminate", CLI: "ec2 terminate-instances", By: "TerminateInstances"},
		{From: "shutting-down", To: "terminated", By: "EC2, once it is gone"},
	},
}

// Task is an ECS task's lifecycle (AmazonECS/latest/developerguide/task-lifecycle-explanation.html):
// its lastStatus walks down the list; desiredStatus says where ECS wants it.
var Task = Graph{Name: "task", Title: "ECS task lifecycle (lastStatus)", Linear: true,
	Note: "desiredStatus is where ECS wants it (RUNNING, or STOPPED once asked to stop); lastStatus is where it is",
	States: []State{
		{"PROVISIONING", "ECS sets up what it needs (awsvpc: an ENI)"},
		{"PENDING", "pulling images, creating the containers"},
		{"ACTIVATING", "registering with load balancers"},
		{"RUNNING", "the essential containers run"},
		{"DEACTIVATING", "deregistering from load balancers, draining"},
		{"STOPPING", "SIGTERM, then SIGKILL after stopTimeout"},
		{"DEPROVISIONING", "ECS releases what it set up (the ENI)"},
		{"STOPPED", "done; stop code and reason say why"},
	},
	Transitions: []Transition{
		{From: "PROVISIONING", To: "PENDING", By: "ECS, once its resources exist"},
		{From: "PENDING", To: "ACTIVATING", By: "ECS, once the containers have started"},
		{From: "PENDING", To: "STOPPING", By: "a failed start: TaskFailedToStart (e.g. CannotPullContainerError)"},
		{From: "ACTIVATING", To: "RUNNING", By: "ECS, once it is registered"},
		{From: "RUNNING", To: "DEACTIVATING", Verb: "stop", CLI: "ecs stop-task", By: "StopTask, an essential container exiting, or the service replacing it"},
		{From: "DEACTIVATING", To: "STOPPING", By: "ECS, once the targets have drained"},
		{From: "STOPPING", To: "DEPROVISIONING", By: "ECS, once the containers have exited"},
		{From: "DEPROVISIONING", To: "STOPPED", By: "ECS, once the ENI is released"},
	},
}

// Deployment is a service deployment's rolloutState, with what the
// deployment circuit breaker does (deployment-circuit-breaker.html).
// ROLLBACK is not a rolloutState: it is the new deployment of the last
// COMPLETED revision that the circuit breaker starts (IN_PROGRESS, its
// reason says "rolling back"), drawn as a state so its place is seen.
var Deployment = Graph{Name: "deployment", Title: "ECS service deployment (rolloutState)",
	Note: "PRIMARY is the deployment rolling out; ACTIVE ones are being replaced",
	States: []State{
		{"IN_PROGRESS", "new tasks start, old ones drain"},
		{"COMPLETED", "the desired count runs, healthy"},
		{"FAILED", "the circuit breaker saw too many failures"},
		{"ROLLBACK", "redeploying the last COMPLETED revision"},
		{"INACTIVE", "replaced by a newer deployment"},
	},
	Transitions: []Transition{
		{From: "IN_PROGRESS", To: "COMPLETED", By: "ECS, once the desired count runs healthy"},
		{From: "IN_PROGRESS", To: "FAILED", By: "the circuit breaker: failed tasks reach its threshold"},
		{From: "IN_PROGRESS", To: "INACTIVE", Verb: "roll back", CLI: "ecs update-service --task-definition", By: "a newer deployment (UpdateService)"},
		{From: "FAILED", To: "ROLLBACK", By: "the circuit breaker, when rollback is on"},
		{From: "ROLLBACK", To: "COMPLETED", By: "ECS, once the old revision runs again"},
		{From: "COMPLETED", To: "INACTIVE", Verb: "roll back", CLI: "ecs update-service --task-definition", By: "a newer deployment (UpdateService)"},
		{From: "COMPLETED", To: "COMPLETED", Verb: "scale", CLI: "ecs update-service --desired-count", By: "a new desired count (same deployment)"},
	},
}

// Graphs are the lifecycles by name, for `:lifecycle NAME`.
var Graphs = []Graph{EC2, Task, Deployment}

// ByName finds a graph by its Name (or a prefix of it).
func ByName(name string) (Graph, bool) {
	for _, g := range Graphs {
		if name != "" && len(name) <= len(g.Name) && g.Name[:len(name)] == name {
			return g, true
		}
	}
	return Graph{}, false
}

// Mark is a state a resource was seen entering, and when.
type Mark struct {
	State string
	At    time.Time
}

// Spent sums the time spent in each state from marks (oldest first): each
// state lasts until the next mark, the last one until now. A state entered
// twice adds up. Marks with a zero time are skipped.
func Spent(marks []Mark, now time.Time) map[string]time.Duration {
	out := map[string]time.Duration{}
	var ms []Mark
	for _, m := range marks {
		if !m.At.IsZero() && m.State != "" {
			ms = append(ms, m)
		}
	}
	for i, m := range ms {
		end := now
		if i+1 < len(ms) {
			end = ms[i+1].At
		}
		if d := end.Sub(m.At); d > 0 {
			out[m.State] += d
		} else if _, ok := out[m.State]; !ok {
			out[m.State] = 0
		}
	}
	return out
}
