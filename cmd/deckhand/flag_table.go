package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagTable renders the flags of the command tree as the README's
// markdown tables: the global flags, the TUI's, then one table per
// subcommand. The README's copy is checked against it by a test, as the
// key table is against tui.KeyTable, so the two cannot drift. It reads
// only the definitions: defaults that come from the environment
// (AWS_PROFILE…) are not shown, so the table is the same on every
// machine.
func flagTable(root *cobra.Command) string {
	var b strings.Builder
	section := func(title string, fs *pflag.FlagSet) {
		fmt.Fprintf(&b, "%s\n\n", title)
		writeFlags(&b, fs)
		b.WriteString("\n")
	}
	section("Global flags, before or after the command:", root.PersistentFlags())
	section("`deckhand` (the TUI):", root.LocalNonPersistentFlags())
	for _, c := range root.Commands() {
		if c.Hidden || !c.IsAvailableCommand() || c.Name() == "completion" || c.Name() == "help" {
			continue
		}
		section(fmt.Sprintf("`deckhand %s`: %s", c.Name(), lowerFirst(c.Short)), c.LocalNonPersistentFlags())
	}
	b.WriteString("`deckhand completion bash|zsh|fish` prints the shell's completion script (commands, flags, and the values of --profile, --region, --target, --theme, --health-check and --ami-distro); `deckhand COMMAND --help` shows a command's flags.\n")
	return b.String()
}

// writeFlags writes one table; the env column only when a flag has one.
func writeFlags(b *strings.Builder, fs *pflag.FlagSet) {
	withEnv := false
	fs.VisitAll(func(fl *pflag.Flag) { withEnv = withEnv || len(fl.Annotations[envAnnotation]) > 0 })
	if withEnv {
		b.WriteString("| flag | env | meaning |\n|---|---|---|\n")
	} else {
		b.WriteString("| flag | meaning |\n|---|---|\n")
	}
	fs.VisitAll(func(fl *pflag.Flag) {
		if fl.Hidden || fl.Name == "help" {
			return
		}
		name, usage := pflag.UnquoteUsage(fl)
		flag := "--" + fl.Name
		if name != "" {
			flag += " " + name
		}
		env := fl.Annotations[envAnnotation]
		if def := fl.DefValue; len(env) == 0 && !zeroDefault(def) {
			// Environment defaults vary by machine; the rest are fixed.
			usage += " (default " + def + ")"
		}
		cells := []string{"`" + flag + "`"}
		if withEnv {
			var es []string
			for _, e := range env {
				if !strings.Contains(e, " ") {
					e = "`" + e + "`"
				}
				es = append(es, e)
			}
			cells = append(cells, strings.Join(es, ", "))
		}
		cells = append(cells, strings.ReplaceAll(usage, "|", `\|`))
		fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
	})
}

func zeroDefault(v string) bool {
	switch v {
	case "", "0", "false", "[]", "0s":
		return true
	}
	return false
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
