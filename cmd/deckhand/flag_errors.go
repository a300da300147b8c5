package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagError rewords pflag's parse errors as deckhand's other usage errors
// read: the flag first, then the value, then what to give instead
// ("--sandbox-speed \"fast\" is not a number, e.g. --sandbox-speed 10"),
// and makes them usage errors (exit 2).
func flagError(cmd *cobra.Command, err error) error {
	var (
		iv *pflag.InvalidValueError
		ne *pflag.NotExistError
		vr *pflag.ValueRequiredError
	)
	switch {
	case errors.As(err, &iv):
		fl := iv.GetFlag()
		return usagef("--%s %q %s", fl.Name, iv.GetValue(), invalidBecause(fl, iv.Unwrap()))
	case errors.As(err, &vr):
		fl := vr.GetFlag()
		name, _ := pflag.UnquoteUsage(fl)
		return usagef("--%s needs a value: --%s %s (see %s --help)", fl.Name, fl.Name, name, cmd.CommandPath())
	case errors.As(err, &ne) && ne.GetSpecifiedShortnames() != "":
		// Only -h is short; "-n" is most likely --name mistyped.
		msg := fmt.Sprintf("unknown flag -%s: deckhand's flags are long", ne.GetSpecifiedShortnames())
		if near := closestFlag(cmd, ne.GetSpecifiedShortnames()); near != "" {
			msg += "; did you mean --" + near + "?"
		}
		return usagef("%s (see %s --help)", msg, cmd.CommandPath())
	case errors.As(err, &ne):
		return unknownFlag(cmd, ne.GetSpecifiedName())
	}
	return usagef("%v (see %s --help)", err, cmd.CommandPath())
}

// invalidBecause says why a value was refused. The custom types (seconds,
// choice) say it themselves; pflag's number and bool parsers only say
// "strconv.ParseFloat: …", which is not for users.
func invalidBecause(fl *pflag.Flag, cause error) string {
	switch fl.Value.Type() {
	case "int":
		return "is not a whole number, e.g. --" + fl.Name + " 5000"
	case "float64":
		return "is not a number, e.g. --" + fl.Name + " 10"
	case "bool":
		return "is not true or false: give --" + fl.Name + " alone, or --" + fl.Name + "=false"
	}
	msg := cause.Error()
	// seconds repeats the value at the start of its message; drop it.
	if i := strings.Index(msg, " is "); i > 0 && strings.HasPrefix(msg, `"`) {
		msg = msg[i+1:]
	}
	return msg
}

// unknownFlag names the flag the user typed and where it belongs: a flag
// of another command (--refresh on launch) says which command takes it,
// a typo gets the closest flag of this command.
func unknownFlag(cmd *cobra.Command, name string) error {
	for _, c := range append([]*cobra.Command{cmd.Root()}, cmd.Root().Commands()...) {
		if c != cmd && !c.Hidden && c.Flags().Lookup(name) != nil {
			where := c.CommandPath()
			if c == cmd.Root() {
				where = "the TUI (deckhand without a command)"
			}
			return usagef("--%s is not a flag of %s: it belongs to %s", name, cmd.CommandPath(), where)
		}
	}
	msg := fmt.Sprintf("unknown flag --%s", name)
	if near := closestFlag(cmd, name); near != "" {
		msg += "; did you mean --" + near + "?"
	}
	return usagef("%s (see %s --help for the flags)", msg, cmd.CommandPath())
}

// closestFlag is the flag of cmd nearest to name by edit distance, when
// it is near enough to be a typo, else the first that name begins
// (--sandbox-s for --sandbox-speed).
func closestFlag(cmd *cobra.Command, name string) string {
	best, bestD, prefix := "", 3, ""
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if d := editDistance(name, fl.Name); d < bestD {
			best, bestD = fl.Name, d
		}
		if prefix == "" && name != "" && strings.HasPrefix(fl.Name, name) {
			prefix = fl.Name
		}
	})
	if best == "" {
		return prefix
	}
	return best
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
