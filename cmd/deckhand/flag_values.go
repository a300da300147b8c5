package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// The flag types pflag lacks. Their Set errors are the second half of the
// message the user sees ("--refresh \"soon\" " + error), see flagError.

// seconds is a duration flag that also takes a bare number as seconds, as
// k9s and e1s do (--refresh 5): Go's own syntax (15s, 2m, 1m30s) still works.
type seconds struct{ d *time.Duration }

func (s seconds) String() string {
	if s.d == nil || *s.d == 0 {
		return "" // no "(default 0s)" in the usage
	}
	return s.d.String()
}

func (s seconds) Type() string { return "duration" }

func (s seconds) Set(v string) error {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n < 0 {
			return fmt.Errorf("%q is negative: give seconds (5) or a duration (15s, 2m)", v)
		}
		*s.d = time.Duration(n * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%q is not a duration: give seconds (5) or a duration (15s, 2m)", v)
	}
	*s.d = d
	return nil
}

// durationVar registers a seconds flag with its default.
func durationVar(fs *pflag.FlagSet, d *time.Duration, name string, def time.Duration, usage string) {
	*d = def
	fs.Var(seconds{d}, name, usage)
}

// choice is a string flag that takes one of a fixed list, so a typo is
// refused at parse time with the list rather than found later. The
// choices also feed shell completion (completeChoices).
type choice struct {
	v       *string
	choices []string
}

func (c choice) String() string { return *c.v }

func (c choice) Type() string { return "string" }

func (c choice) Set(v string) error {
	for _, ok := range c.choices {
		if v == ok {
			*c.v = v
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", v, strings.Join(c.choices, ", "))
}

// choiceVar registers a choice flag; def is what an unset flag holds.
func choiceVar(fs *pflag.FlagSet, v *string, name, def string, choices []string, usage string) {
	*v = def
	fs.Var(choice{v, choices}, name, usage)
}
