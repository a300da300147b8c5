package elbproxy

import (
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"deckhand/dockerops"
)

const (
	// Repository is the proxy image's name; its tag is the first 12 hex
	// digits of the deckhand binary's sha256, so a rebuilt deckhand gets
	// a new image and an unchanged one reuses the old.
	Repository = "deckhand/elb-proxy"
	// Label is set on the image, with the tag as its value, so old proxy
	// images can be found (dockerops.ImagesByLabel) and cleaned up.
	Label = "deckhand.elb-proxy"
)

// dockerfile puts deckhand alone into an empty image: no registry is
// needed (none may be reachable), and the image is as small as deckhand.
const dockerfile = `FROM scratch
COPY deckhand /deckhand
ENTRYPOINT ["/deckhand", "elb-proxy"]
`

// Static reports whether the ELF executable at path is statically linked:
// it has no PT_INTERP program header, so it needs no dynamic loader or
// libc and runs in a FROM-scratch image. A file that is not an ELF
// executable is an error.
func Static(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	return static(f, path)
}

func static(r io.ReaderAt, path string) (bool, error) {
	ef, err := elf.NewFile(r)
	if err != nil {
		return false, fmt.Errorf("%s is not an ELF executable: %w", path, err)
	}
	defer ef.Close()
	// ET_DYN without an interpreter is a static-PIE: runnable too.
	if ef.Type != elf.ET_EXEC && ef.Type != elf.ET_DYN {
		return false, fmt.Errorf("%s is not an ELF executable (it is %v)", path, ef.Type)
	}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			return false, nil
		}
	}
	return true, nil
}

// buildMu makes concurrent EnsureImage calls (two load balancers created
// at once) build the image once: the second finds it.
var buildMu sync.Mutex

// EnsureImage makes sure the engine has the proxy image for binary (the
// running deckhand, os.Executable()) and returns its reference,
// deckhand/elb-proxy:<sha256 prefix>. It builds the image only when the
// engine lacks it. A dynamically linked binary is refused: it could not
// start in an image without libc.
func EnsureImage(ctx context.Context, eng *dockerops.Engine, binary string) (string, error) {
	// One open file for the check, the hash and the copy: if go build
	// replaces the binary meanwhile (by rename), all three still see the
	// same contents, so the tag always names what the image holds.
	f, err := os.Open(binary)
	if err != nil {
		return "", fmt.Errorf("elb-proxy image: %w", err)
	}
	defer f.Close()
	ok, err := static(f, binary)
	if err != nil {
		return "", fmt.Errorf("elb-proxy image: %w", err)
	}
	if !ok {
		return "", fmt.Errorf("elb-proxy image: %s is dynamically linked, so it cannot run in a FROM-scratch image; build deckhand with CGO_ENABLED=0 (scripts/run does)", binary)
	}
	tag, err := tagOf(f)
	if err != nil {
		return "", fmt.Errorf("elb-proxy image: reading %s: %w", binary, err)
	}
	ref := Repository + ":" + tag

	buildMu.Lock()
	defer buildMu.Unlock()
	if _, err := eng.InspectImage(ctx, ref); err == nil {
		return ref, nil
	} else if !dockerops.IsNotFound(err) {
		return "", fmt.Errorf("elb-proxy image: %w", err)
	}
	dir, err := os.MkdirTemp("", "deckhand-elb-proxy-")
	if err != nil {
		return "", fmt.Errorf("elb-proxy image: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := writeContext(dir, f); err != nil {
		return "", fmt.Errorf("elb-proxy image: %w", err)
	}
	// A failed build's *dockerops.BuildError carries the step's output.
	opts := dockerops.BuildOptions{Dir: dir, Tags: []string{ref}, Labels: map[string]string{Label: tag}}
	if _, err := eng.Build(ctx, opts, nil); err != nil {
		return "", fmt.Errorf("elb-proxy image %s: %w", ref, err)
	}
	return ref, nil
}

// tagOf is the image tag of a deckhand binary: its sha256, 12 hex digits.
func tagOf(bin io.ReaderAt) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(bin, 0, 1<<62)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// pruneAfter is how old another build's proxy image must be before
// PruneOld removes it: a second deckhand of another build may be running
// and about to use the image it built minutes ago.
const pruneAfter = time.Hour

// PruneOld removes the proxy images of other deckhand builds that no
// container uses and that are over an hour old, keeping the one binary
// (the running deckhand) would use. Every build leaves a 70–88 MB image
// behind otherwise. It returns the refs removed.
func PruneOld(ctx context.Context, eng *dockerops.Engine, binary string) ([]string, error) {
	f, err := os.Open(binary)
	if err != nil {
		return nil, fmt.Errorf("elb-proxy images: %w", err)
	}
	defer f.Close()
	tag, err := tagOf(f)
	if err != nil {
		return nil, fmt.Errorf("elb-proxy images: reading %s: %w", binary, err)
	}
	return eng.PruneOldTags(ctx, Repository, tag, pruneAfter)
}

// writeContext puts the Dockerfile and a copy of the binary into dir.
// dockerops.Build takes a directory; the copy is the price of reusing it.
func writeContext(dir string, bin io.ReaderAt) error {
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		return err
	}
	out, err := os.OpenFile(filepath.Join(dir, "deckhand"), os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, io.NewSectionReader(bin, 0, 1<<62)); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
