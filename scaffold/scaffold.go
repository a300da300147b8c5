// Package scaffold writes a small Flask web service into a directory: the
// app with a welcome page and a /health endpoint, its unittest, pinned
// requirements, a Dockerfile (non-root, healthcheck, gunicorn on 0.0.0.0) and
// a .dockerignore. It is what takes an empty directory to something
// `docker build` can turn into a running service.
//
// It never overwrites a file silently: by default existing files make
// Generate fail, naming every one (Refuse); Skip and Overwrite are explicit.
package scaffold

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"deckhand/internal/launch"
)

// Defaults for the zero Options.
const (
	// DefaultName is the tutorial's image name (docker build -t pyflask .).
	DefaultName = "pyflask"
	DefaultPort = 5000
	// MaxNameLen is launch's stack-name limit: the name is the stack's.
	MaxNameLen = launch.MaxStackName
	// MinPort: the container runs as a non-root user, and outside Docker a
	// non-root process cannot listen below 1024. Publish on a low host port
	// with docker run -p 80:5000 instead.
	MinPort = 1024
)

// Mode says what Generate does with target files that already exist.
type Mode int

const (
	Refuse    Mode = iota // fail with *ExistsError, writing nothing (default)
	Skip                  // keep existing files, write only missing ones
	Overwrite             // replace existing files
)

func (m Mode) String() string {
	switch m {
	case Refuse:
		return "refuse"
	case Skip:
		return "skip"
	case Overwrite:
		return "overwrite"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Options configure the generated project. The zero value is valid.
type Options struct {
	// Name is the app name, shown in the welcome text and meant as the
	// stack's name (the image is deckhand/NAME): launch.ValidateStackName's
	// rule, 1–32 lowercase letters, digits and '-', starting with a letter,
	// no "--" and no '-' at the end. Empty means DefaultName.
	Name string
	// Port the app listens on inside the container (ENV PORT, EXPOSE).
	// 0 means DefaultPort; otherwise MinPort–65535.
	Port int
	Mode Mode
}

// Action is what Generate does, or would do, with one file.
type Action string

const (
	ActionCreate    Action = "create"
	ActionOverwrite Action = "overwrite"
	ActionSkip      Action = "skip"     // exists, Mode is Skip
	ActionConflict  Action = "conflict" // exists, Mode is Refuse: nothing is written
)

// File is one entry of a Plan.
type File struct {
	Name    string // relative to the project directory, e.g. "app.py"
	Action  Action
	Content []byte // what would be written (also for skip and conflict)
}

// Result says what Generate did. Names are relative to Dir, in generation
// order. On error it lists what was written before the failure.
type Result struct {
	Dir     string
	Written []string
	Skipped []string
}

//go:embed templates/*.tmpl
var templateFS embed.FS

// The templates only put three values in ({{.Name}}, {{.Port}},
// {{.Welcome}}), so fill does it with a strings.Replacer rather than
// text/template: template execution looks methods up by name through
// reflection, and a reachable reflect MethodByName makes the Go linker keep
// every exported method of every type in the binary (all 2,439 of the EC2
// client's among them) — 36 MB more of code and tables that every deckhand
// process mapped (issue 8's RSS).
var placeholder = regexp.MustCompile(`{{[^}]*}}`)

// fill renders one template; a placeholder it does not know is an error, so
// that a typo fails the tests instead of shipping "{{.Nmae}}".
func fill(tmpl string, values map[string]string) ([]byte, error) {
	var unknown string
	out := placeholder.ReplaceAllStringFunc(tmpl, func(p string) string {
		v, ok := values[strings.TrimSpace(p[2:len(p)-2])]
		if !ok && unknown == "" {
			unknown = p
		}
		return v
	})
	if unknown != "" {
		return nil, fmt.Errorf("unknown placeholder %s", unknown)
	}
	return []byte(out), nil
}

// targets maps generated files to their templates, in generation order.
// .dockerignore's template has no leading dot because embed skips dot files.
var targets = []struct{ name, tmpl string }{
	{"app.py", "app.py.tmpl"},
	{"test_app.py", "test_app.py.tmpl"},
	{"requirements.txt", "requirements.txt.tmpl"},
	{"Dockerfile", "Dockerfile.tmpl"},
	{".dockerignore", "dockerignore.tmpl"},
}

// FileNames lists the files Generate writes, in order.
func FileNames() []string {
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.name
	}
	return names
}

// WelcomeText is what the generated app answers on "/" for the app name
// (DefaultName if empty). It keeps the tutorial's sentence so checks written
// against the tutorial still match.
func WelcomeText(name string) string {
	if name == "" {
		name = DefaultName
	}
	return name + ": Welcome to Python Flask Web Service!"
}

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	return o
}

// Validate reports the first invalid option as a *FieldError. Generate and
// Plan call it; callers can use it to check flags before doing anything else.
func (o Options) Validate() error {
	o = o.withDefaults()
	if err := validateName(o.Name); err != nil {
		return err
	}
	if o.Port < 0 || o.Port > 65535 {
		return &FieldError{"port", strconv.Itoa(o.Port), "is not a TCP port",
			"use a port between 1024 and 65535, e.g. 5000"}
	}
	if o.Port < MinPort {
		return &FieldError{"port", strconv.Itoa(o.Port),
			"is a privileged port, which the container's non-root user may not be able to listen on",
			"listen on e.g. 5000 and publish it on the host's low port with docker run -p 80:5000"}
	}
	if o.Mode < Refuse || o.Mode > Overwrite {
		return &FieldError{"mode", o.Mode.String(), "is not a known mode",
			"use Refuse, Skip (--skip-existing) or Overwrite (--overwrite)"}
	}
	return nil
}

// validateName is the stack-name rule of internal/launch, the one place it
// lives: the name becomes the stack, image and ECS names, so scaffold must
// not accept what launch refuses (it once allowed 40 characters and "--").
func validateName(name string) error {
	var ne *launch.NameError
	if errors.As(launch.ValidateStackName(name), &ne) {
		return &FieldError{"name", name, ne.Problem, ne.Fix}
	}
	return nil
}

// Render returns the generated files' contents for opts, without looking
// at any directory. Actions are all ActionCreate.
func Render(opts Options) ([]File, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	values := map[string]string{".Name": opts.Name, ".Port": strconv.Itoa(opts.Port), ".Welcome": WelcomeText(opts.Name)}
	files := make([]File, 0, len(targets))
	for _, t := range targets {
		tmpl, err := templateFS.ReadFile("templates/" + t.tmpl)
		if err == nil {
			var content []byte
			if content, err = fill(string(tmpl), values); err == nil {
				files = append(files, File{Name: t.name, Action: ActionCreate, Content: content})
				continue
			}
		}
		return nil, fmt.Errorf("scaffold: rendering %s: %w", t.name, err)
	}
	return files, nil
}

// Plan lists what Generate(dir, opts) would do, writing nothing; it is
// what --dry-run shows. Invalid input gives a *FieldError. In Refuse mode
// with existing files it returns the complete plan (those files marked
// ActionConflict) together with the same *ExistsError Generate would return.
func Plan(dir string, opts Options) ([]File, error) {
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	files, err := Render(opts)
	if err != nil {
		return nil, err
	}
	var conflicts []string
	for i := range files {
		f := &files[i]
		path := filepath.Join(dir, f.Name)
		// Lstat: a symlink (even a dangling one) counts as existing, so we
		// never write through it to some other place.
		info, err := os.Lstat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return nil, fmt.Errorf("scaffold: checking %s: %w", path, err)
		}
		switch opts.Mode {
		case Skip:
			f.Action = ActionSkip
		case Overwrite:
			if info.IsDir() {
				return nil, fmt.Errorf("scaffold: %s is a directory, --overwrite only replaces files; move it away", path)
			}
			f.Action = ActionOverwrite
		default:
			f.Action = ActionConflict
			conflicts = append(conflicts, f.Name)
		}
	}
	if len(conflicts) > 0 {
		return files, &ExistsError{Dir: dir, Files: conflicts}
	}
	return files, nil
}

// checkDir rejects directories that cannot work before anything is read.
// A directory that does not exist yet is fine: Generate creates it.
func checkDir(dir string) error {
	if dir == "" {
		return &FieldError{"dir", dir, "is empty", `give the project directory, e.g. "." for the current one`}
	}
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return &FieldError{"dir", dir, "cannot be used: " + causeOf(err), "choose a directory path you can access"}
	case !info.IsDir():
		return &FieldError{"dir", dir, "is a file, not a directory", "choose a new or existing directory"}
	}
	return nil
}

// causeOf drops the path from *PathError so messages do not repeat it.
func causeOf(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Generate writes the project into dir (created 0755 if missing, modulo
// umask) according to opts. Files are written 0644 and atomically: each
// goes to a temp file in dir first, and only when all temp files are
// complete are they moved into place. Create-only files are linked into
// place, so a file that appears meanwhile is still never overwritten.
func Generate(dir string, opts Options) (Result, error) {
	res := Result{Dir: dir}
	files, err := Plan(dir, opts)
	if err != nil {
		return res, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, &FieldError{"dir", dir, "cannot be created: " + causeOf(err), "choose a path whose parent directories you can write to"}
	}
	return write(dir, opts.Mode, files)
}
