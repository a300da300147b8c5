package dockerops

import (
	"archive/tar"
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ignoreRule is one line of .dockerignore, split into path segments.
type ignoreRule struct {
	neg   bool // a "!" line re-includes what earlier lines excluded
	parts []string
}

// ignorer implements the common part of .dockerignore: per-segment globs
// (* ? [..] as in path.Match), "**" for any number of segments, "!"
// exceptions (the last matching line wins), comments, and a pattern that
// names a directory excluding everything below it. Not supported: escapes
// with "\" and the Go-regexp corner cases of moby/patternmatcher.
type ignorer struct {
	rules  []ignoreRule
	hasNeg bool
}

func readIgnore(dir string) (ignorer, error) {
	f, err := os.Open(filepath.Join(dir, ".dockerignore"))
	if errors.Is(err, fs.ErrNotExist) {
		return ignorer{}, nil
	}
	if err != nil {
		return ignorer{}, fmt.Errorf("docker build: %w", err)
	}
	defer f.Close()
	return parseIgnore(f)
}

func parseIgnore(r io.Reader) (ignorer, error) {
	var ig ignorer
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		var rule ignoreRule
		if l, rule.neg = strings.CutPrefix(l, "!"); rule.neg {
			ig.hasNeg = true
		}
		l = path.Clean(strings.TrimPrefix(filepath.ToSlash(strings.TrimSpace(l)), "/"))
		if l == "." {
			continue
		}
		rule.parts = strings.Split(l, "/")
		ig.rules = append(ig.rules, rule)
	}
	if err := sc.Err(); err != nil {
		return ignorer{}, fmt.Errorf("docker build: .dockerignore: %w", err)
	}
	return ig, nil
}

// ignored reports whether rel (slash-separated, relative to the context)
// is excluded.
func (ig ignorer) ignored(rel string) bool {
	name := strings.Split(rel, "/")
	out := false
	for _, r := range ig.rules {
		// A rule matching a parent directory matches everything below it.
		for k := 1; k <= len(name); k++ {
			if matchParts(r.parts, name[:k]) {
				out = !r.neg
				break
			}
		}
	}
	return out
}

func matchParts(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchParts(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// writeContext tars dir into w. Owners are zeroed (the engine does that
// too, and it keeps builds reproducible across users); the Dockerfile and
// .dockerignore are always sent, as the docker CLI does, because the
// builder needs them even when they exclude themselves.
func writeContext(w io.Writer, dir string, ig ignorer, dockerfile string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != dockerfile && rel != ".dockerignore" && ig.ignored(rel) {
			if d.IsDir() && !ig.hasNeg && !strings.HasPrefix(dockerfile, rel+"/") {
				return filepath.SkipDir // nothing below can come back
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		var link string
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		case !info.Mode().IsRegular() && !info.IsDir():
			return nil // sockets, devices, pipes: nothing a build can use
		}
		hdr, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		hdr.Name = rel
		if info.IsDir() {
			hdr.Name += "/"
		}
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return fmt.Errorf("docker build: packing %s: %w", dir, err)
	}
	return tw.Close()
}
