// Package doctor answers "why is this service (or instance) not healthy"
// in one report: small checks, each a function over plain inputs (the
// service, its tasks, task definition, target health, security groups,
// log lines — gathered once, by gather.go), each returning findings with
// the evidence and its times, how sure it is, and the fix. The report
// puts the root cause first and says one verdict. It is free of the SDK:
// the TUI page and `deckhand doctor` both use it, over any cloud.Account.
package doctor

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Certainty is how sure a finding is.
type Certainty string

const (
	Certain Certainty = "certain" // AWS says so in as many words
	Likely  Certainty = "likely"  // the evidence points there; one step is inferred
)

// Evidence is one fact behind a finding, with when it was true.
type Evidence struct {
	At   time.Time // zero when it is a setting, not an event
	Text string
}

// Fix is what to do: an action deckhand offers (Key, Action) with its CLI
// equivalent, or the exact CLI or console step.
type Fix struct {
	Key    string // the deckhand key, "" when deckhand has no action for it
	Action string // what the key does
	CLI    string // the command that does it ("" when there is none)
	Step   string // in words, when it is not one command
}

// Finding is one thing wrong.
type Finding struct {
	Check     string // the check's id: "image-missing", "exec-role-ecr"…
	What      string // what is wrong, one sentence
	Evidence  []Evidence
	Certainty Certainty
	Fix       Fix
	// Cause is false for a finding that follows from another (the circuit
	// breaker tripped because tasks failed to start): it is listed after
	// the causes and never made the verdict while a cause is known.
	Cause bool
	// Note is a finding that does not make the resource unhealthy: it
	// matters only for what the user did not ask about (SSH to an
	// instance when no port was named). Listed last.
	Note bool
	rank int // the checks' order: root causes first
}

// Report is the doctor's answer about one resource.
type Report struct {
	Subject  string // "service demo/web", "instance i-0…"
	Verdict  string
	Healthy  bool
	Findings []Finding
	// Unread says what could not be read, with why: a check that could
	// not run is not a clean bill of health.
	Unread []string
	At     time.Time
}

// finish orders the findings (causes first, by rank, certain before
// likely) and writes the verdict.
func finish(r *Report, fs []Finding, healthy string) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.Cause != b.Cause {
			if a.Cause {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(certRank(a.Certainty), certRank(b.Certainty)))
	})
	slices.SortStableFunc(fs, func(a, b Finding) int {
		switch {
		case a.Note == b.Note:
			return 0
		case b.Note:
			return -1
		}
		return 1
	})
	r.Findings = fs
	wrong := slices.ContainsFunc(fs, func(f Finding) bool { return !f.Note })
	switch {
	case !wrong && len(fs) > 0:
		r.Healthy, r.Verdict = true, "Healthy: "+healthy+" ("+itoa(len(fs))+" note(s) below)"
	case len(fs) == 0 && len(r.Unread) == 0:
		r.Healthy, r.Verdict = true, "Healthy: "+healthy
	case len(fs) == 0:
		r.Healthy, r.Verdict = true, "Nothing wrong found in what could be read ("+healthy+"), but some of it could not be read"
	default:
		f := fs[0]
		r.Verdict = f.What
		if f.Certainty == Likely {
			r.Verdict = "Likely: " + f.What
		}
	}
}

func certRank(c Certainty) int {
	if c == Certain {
		return 0
	}
	return 1
}

// Causes lists the checks of the findings that are causes, in order.
func (r Report) Causes() []string {
	var out []string
	for _, f := range r.Findings {
		if f.Cause {
			out = append(out, f.Check)
		}
	}
	return out
}

// CLI builds an aws command line for the account (region, profile,
// endpoint), as the TUI's dialogs show it.
type CLI func(args ...string) string

// plainCLI is "aws " and the arguments, for a caller that gives no CLI.
func plainCLI(args ...string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$*?[]{}|&;<>()`\\") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return "aws " + strings.Join(q, " ")
}

// Text renders the report as plain lines, w cells wide at most (0 = no
// limit): the verdict, then each finding with its evidence and fix. The
// TUI page and the headless command print the same lines.
func (r Report) Text(loc *time.Location) []string {
	if loc == nil {
		loc = time.UTC
	}
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("15:04:05") + "  "
	}
	mark := "✗"
	if r.Healthy {
		mark = "✓"
	}
	out := []string{mark + " " + r.Subject + ": " + r.Verdict}
	for i, f := range r.Findings {
		kind := "cause"
		switch {
		case f.Note:
			kind = "note"
		case !f.Cause:
			kind = "follows from it"
		}
		out = append(out, "", itoa(i+1)+". "+f.What+"  ["+string(f.Certainty)+", "+kind+"; "+f.Check+"]")
		for _, e := range f.Evidence {
			out = append(out, "     "+at(e.At)+e.Text)
		}
		if f.Fix.Key != "" {
			out = append(out, "   Fix: "+f.Fix.Key+" "+f.Fix.Action)
		}
		if f.Fix.Step != "" {
			out = append(out, "   Fix: "+f.Fix.Step)
		}
		if f.Fix.CLI != "" {
			out = append(out, "     $ "+f.Fix.CLI)
		}
	}
	if len(r.Unread) > 0 {
		out = append(out, "", "Could not read (those checks did not run):")
		for _, u := range r.Unread {
			out = append(out, "  - "+u)
		}
	}
	return out
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
