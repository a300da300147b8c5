package dockerops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
)

// BuildOptions describes an image build.
type BuildOptions struct {
	Dir        string // the build context
	Tags       []string
	BuildArgs  map[string]string
	Dockerfile string // relative to Dir; default "Dockerfile"; must be inside Dir
	// Labels are added to the image (docker build --label), e.g. the
	// launch's deckhand.stack, so destroy finds what it built.
	Labels map[string]string
}

// BuildError is a failed build: the step that failed, the engine's message
// and the last lines that step printed.
type BuildError struct {
	Step    string   // e.g. "2/3 : RUN false"; empty if no step had started
	Message string   // the engine's error
	Output  []string // the failing step's last lines of output
}

func (e *BuildError) Error() string {
	var b strings.Builder
	b.WriteString("docker build failed")
	if e.Step != "" {
		// "2/3 : RUN false" reads better as "2/3 (RUN false)".
		n, cmd, _ := strings.Cut(e.Step, " : ")
		b.WriteString(" at step " + n)
		if cmd != "" {
			b.WriteString(" (" + cmd + ")")
		}
	}
	b.WriteString(": " + e.Message)
	for _, l := range e.Output {
		b.WriteString("\n    " + l)
	}
	return b.String()
}

// keepLines is how much of the failing step's output a BuildError keeps.
const keepLines = 10

// Build sends Dir (less what .dockerignore excludes) to the engine's
// builder and returns the image ID. progress, if not nil, receives each
// line of build output as it arrives.
//
// It uses the classic builder (API builder version 1): BuildKit over the
// API needs a session the moby client does not provide, and Docker 20.10
// defaults to the classic builder for API clients anyway.
func (e *Engine) Build(ctx context.Context, opts BuildOptions, progress func(line string)) (string, error) {
	if e.readOnly {
		return "", ErrReadOnly
	}
	if progress == nil {
		progress = func(string) {}
	}
	dockerfile := opts.Dockerfile
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	if filepath.IsAbs(dockerfile) {
		rel, err := filepath.Rel(opts.Dir, dockerfile)
		if err != nil {
			return "", fmt.Errorf("docker build: Dockerfile %s: %w", dockerfile, err)
		}
		dockerfile = rel
	}
	dockerfile = path.Clean(filepath.ToSlash(dockerfile))
	if dockerfile == ".." || strings.HasPrefix(dockerfile, "../") {
		return "", fmt.Errorf("docker build: Dockerfile %s is outside the build context %s", opts.Dockerfile, opts.Dir)
	}
	ign, err := readIgnore(opts.Dir)
	if err != nil {
		return "", err
	}
	args := make(map[string]*string, len(opts.BuildArgs))
	for k, v := range opts.BuildArgs {
		args[k] = &v
	}

	// Stream the tar rather than build it in memory: a context can be big.
	pr, pw := io.Pipe()
	defer pr.Close() // stops the writer if the engine gave up early
	go func() { pw.CloseWithError(writeContext(pw, opts.Dir, ign, dockerfile)) }()

	res, err := e.cli.ImageBuild(ctx, pr, client.ImageBuildOptions{
		Tags:        opts.Tags,
		BuildArgs:   args,
		Dockerfile:  dockerfile,
		Labels:      opts.Labels,
		Remove:      true,
		ForceRemove: true, // no intermediate containers left behind by a failed step
		Version:     build.BuilderV1,
	})
	if err != nil {
		return "", fmt.Errorf("docker build: %w", e.explain(err))
	}
	defer res.Body.Close()
	return decodeBuild(res.Body, progress)
}

// decodeBuild reads the builder's JSON message stream.
func decodeBuild(r io.Reader, progress func(string)) (string, error) {
	var (
		id, step, partial string
		out               []string
	)
	line := func(l string) {
		l = stripANSI(strings.TrimRight(l, "\r"))
		progress(l)
		if s, ok := strings.CutPrefix(l, "Step "); ok {
			step, out = s, out[:0]
			return
		}
		if s, ok := strings.CutPrefix(l, "Successfully built "); ok && id == "" {
			id = strings.TrimSpace(s)
		}
		if strings.HasPrefix(l, " ---> ") || strings.HasPrefix(l, "Removing intermediate container ") {
			return // the builder's bookkeeping, not the step's output
		}
		if out = append(out, l); len(out) > keepLines {
			out = out[1:]
		}
	}
	dec := json.NewDecoder(r)
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", fmt.Errorf("docker build: reading the engine's output: %w", err)
		}
		if m.Stream != "" {
			// A stream chunk may hold several lines or part of one.
			partial += m.Stream
			for {
				l, rest, ok := strings.Cut(partial, "\n")
				if !ok {
					break
				}
				line(l)
				partial = rest
			}
		}
		if m.Status != "" && (m.Progress == nil || m.Progress.Total == 0) {
			progress(strings.TrimSpace(m.ID + " " + m.Status))
		}
		if m.Aux != nil {
			var aux struct{ ID string }
			if json.Unmarshal(*m.Aux, &aux) == nil && aux.ID != "" {
				id = aux.ID
			}
		}
		if m.Error != nil {
			if partial != "" {
				line(partial)
			}
			return "", &BuildError{Step: step, Message: strings.TrimSpace(m.Error.Message), Output: out}
		}
	}
	if partial != "" {
		line(partial)
	}
	if id == "" {
		return "", fmt.Errorf("docker build: the engine reported no image ID (last output: %q)", strings.Join(out, " | "))
	}
	return id, nil
}
