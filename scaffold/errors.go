package scaffold

import (
	"fmt"
	"strings"
)

// FieldError reports an invalid input: which field, the offending value,
// what is wrong with it and how to fix it, so the CLI and TUI can show the
// message as is.
type FieldError struct {
	Field   string // "name", "port", "dir" or "mode"
	Value   string // the value as given (empty values are shown as "")
	Problem string // e.g. "must start with a lowercase letter"
	Fix     string // e.g. "use a name like \"pyflask\""
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("scaffold: %s %q %s; %s", e.Field, e.Value, e.Problem, e.Fix)
}

// ExistsError is returned in Refuse mode when target files already exist.
// It names every one of them so the user fixes everything in one go.
type ExistsError struct {
	Dir   string
	Files []string // names relative to Dir, in generation order
}

func (e *ExistsError) Error() string {
	return fmt.Sprintf("scaffold: refusing to overwrite existing files in %s: %s; use --skip-existing to keep them or --overwrite to replace them",
		e.Dir, strings.Join(e.Files, ", "))
}
