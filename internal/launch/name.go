package launch

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxStackName keeps derived names inside every target's limits: ECS and
// ECR names, IAM role names ("deckhand-<stack>-execution" ≤ 64) and
// Docker image repositories.
const MaxStackName = 32

// NameError is an invalid stack name, with the problem and a fix.
type NameError struct {
	Name    string
	Problem string
	Fix     string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("stack name %q %s; %s", e.Name, e.Problem, e.Fix)
}

// ValidateStackName checks a stack name: 1–32 lowercase letters, digits
// and hyphens, starting with a letter. It also may not end with a hyphen
// or contain two in a row, because Docker image names (deckhand/<stack>)
// reject those.
func ValidateStackName(name string) error {
	fail := func(problem string) error {
		return &NameError{Name: name, Problem: problem, Fix: "use 1–32 lowercase letters, digits and '-', starting with a letter, e.g. " + strconv.Quote(suggest(name))}
	}
	switch {
	case name == "":
		return fail("is empty")
	case len(name) > MaxStackName:
		return fail(fmt.Sprintf("is %d characters long; at most %d are allowed", len(name), MaxStackName))
	case name[0] < 'a' || name[0] > 'z':
		return fail("must start with a lowercase letter")
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return fail(fmt.Sprintf("contains %q; only lowercase letters, digits and '-' are allowed", r))
		}
	}
	if strings.HasSuffix(name, "-") || strings.Contains(name, "--") {
		return fail("must not end with '-' or contain \"--\" (Docker image names cannot)")
	}
	return nil
}

// suggest turns an invalid name into a valid one for the error's fix.
func suggest(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	s := strings.TrimLeft(b.String(), "0123456789-")
	if len(s) > MaxStackName {
		s = s[:MaxStackName]
	}
	if s = strings.TrimRight(s, "-"); s == "" {
		return "web"
	}
	return s
}
