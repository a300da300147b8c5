package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// seconds is a duration flag that also takes a bare number as seconds, as
// k9s and e1s do (--refresh 5): Go's own syntax (15s, 2m, 1m30s) still works.
type seconds struct{ d *time.Duration }

func (s seconds) String() string {
	if s.d == nil || *s.d == 0 {
		return "" // no "(default 0s)" in the usage
	}
	return s.d.String()
}

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
func durationVar(fs *flag.FlagSet, d *time.Duration, name string, def time.Duration, usage string) {
	*d = def
	fs.Var(seconds{d}, name, usage)
}
