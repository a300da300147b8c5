package doctor

import (
	"slices"
	"strings"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// ServiceInput is everything the service checks look at, read once.
type ServiceInput struct {
	Cluster string // the cluster's name, for the CLI lines
	Service resource.Service
	Tasks   []resource.Task // the service's tasks: running and stopped (ECS keeps those ~1 h)
	// TaskDefs are the task definitions of the service's deployments, by ARN.
	TaskDefs map[string]resource.TaskDefinition
	// Targets are each target group's targets (DescribeTargetHealth).
	Targets map[string][]cloud.TargetHealth
	// Groups are the region's security groups, by id.
	Groups map[string]cloud.SecurityGroup
	// Logs are log lines of task containers, by task ARN (the essential
	// container the doctor read).
	Logs map[string][]string
	Now  time.Time
	CLI  CLI
}

// serviceChecks run in this order; rank is their place in the report.
var serviceChecks = []func(in *ServiceInput) []Finding{
	checkPull, checkCrash, checkPorts, checkSecurityGroups, checkTargets, checkContainerHealth,
	checkPlacement, checkBreaker, checkStuck, checkCount,
}

// Service runs every service check.
func Service(in ServiceInput, unread []string) Report {
	if in.CLI == nil {
		in.CLI = plainCLI
	}
	s := in.Service
	r := Report{Subject: "service " + in.Cluster + "/" + s.Name, Unread: unread, At: in.Now}
	var fs []Finding
	for i, c := range serviceChecks {
		for _, f := range c(&in) {
			f.rank = i
			fs = append(fs, f)
		}
	}
	// Failing targets follow from a port or a security group that is
	// wrong: the symptom, not a second cause.
	if slices.ContainsFunc(fs, func(f Finding) bool { return f.Check == "port-mismatch" || f.Check == "sg-blocks-lb" }) {
		for i := range fs {
			if fs[i].Check == "target-health" {
				fs[i].Cause = false
			}
		}
	}
	// Failures whose tasks ECS has forgotten: say so first, rather than a
	// "fix the cause above" with nothing above.
	cause := slices.ContainsFunc(fs, func(f Finding) bool { return f.Cause })
	failing := slices.ContainsFunc(fs, func(f Finding) bool { return f.Check == "circuit-breaker" || f.Check == "below-desired" })
	if !cause && failing && len(in.stopped()) == 0 {
		fs = append(fs, Finding{Check: "cause-gone", Certainty: Certain, rank: -1,
			What:     "tasks failed, but ECS no longer lists them (it keeps stopped tasks about an hour), so why cannot be read now",
			Evidence: []Evidence{{At: s.LastEvent.At, Text: "last event: " + oneLine(s.LastEvent.Message, 200)}},
			Fix: Fix{Step: "start new tasks and examine them while they fail (x again, or deckhand doctor)",
				CLI: in.CLI("ecs", "update-service", "--cluster", in.Cluster, "--service", s.Name, "--force-new-deployment")}})
	}
	finish(&r, fs, itoa(int(s.Running))+"/"+itoa(int(s.Desired))+" running, deployment "+cmpOr(s.Rollout, "steady"))
	return r
}

// stopped are the service's stopped tasks, newest first.
func (in *ServiceInput) stopped() []resource.Task {
	var out []resource.Task
	for _, t := range in.Tasks {
		if t.LastStatus == "STOPPED" || t.DesiredStatus == "STOPPED" && !t.StoppingAt.IsZero() {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b resource.Task) int { return stopTime(b).Compare(stopTime(a)) })
	return out
}

func stopTime(t resource.Task) time.Time {
	if !t.StoppedAt.IsZero() {
		return t.StoppedAt
	}
	if !t.StoppingAt.IsZero() {
		return t.StoppingAt
	}
	return t.CreatedAt
}

// reasons are the texts a task's failure is written in: its stopped
// reason and its containers'.
func reasons(t resource.Task) string {
	s := t.StopCode + " " + t.StoppedReason
	for _, c := range t.Containers {
		s += " " + c.Reason
	}
	return s
}

func firstImage(td resource.TaskDefinition, t resource.Task) string {
	for _, c := range t.Containers {
		if c.Image != "" && c.Reason != "" {
			return c.Image
		}
	}
	for _, c := range td.Containers {
		if c.Essential {
			return c.Image
		}
	}
	if len(t.Containers) > 0 {
		return t.Containers[0].Image
	}
	return "?"
}

// splitImage splits REGISTRY/REPO:TAG into the repository (without the
// registry) and the tag.
func splitImage(ref string) (repo, tag string) {
	tag = "latest"
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref, tag = ref[:i], ref[i+1:]
	}
	if i := strings.Index(ref, "/"); i >= 0 && strings.ContainsAny(ref[:i], ".:") {
		ref = ref[i+1:]
	}
	return ref, tag
}

func lastSegment(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func firstOr(xs []string) string {
	if len(xs) > 0 {
		return xs[0]
	}
	return ""
}

func since(now, t time.Time) string {
	d := now.Sub(t).Round(time.Minute)
	if d < time.Hour {
		return itoa(int(d.Minutes())) + " min"
	}
	return itoa(int(d.Hours())) + " h " + itoa(int(d.Minutes())%60) + " min"
}
