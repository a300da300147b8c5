package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// write carries out a plan in two phases. Phase 1 writes every file that is
// to be written into a temp file in dir; if any fails, all temp files are
// removed and dir is as it was. Phase 2 moves them into place.
func write(dir string, mode Mode, files []File) (Result, error) {
	res := Result{Dir: dir}
	type pending struct {
		name, tmp string
		replace   bool
	}
	var todo []pending
	removeTemps := func(from int) {
		for _, p := range todo[from:] {
			os.Remove(p.tmp)
		}
	}
	for _, f := range files {
		switch f.Action {
		case ActionSkip:
			res.Skipped = append(res.Skipped, f.Name)
			continue
		case ActionConflict:
			// Plan returned an *ExistsError for this; never write it.
			removeTemps(0)
			return res, &ExistsError{Dir: dir, Files: []string{f.Name}}
		}
		tmp, err := writeTemp(dir, f)
		if err != nil {
			removeTemps(0)
			return res, err
		}
		todo = append(todo, pending{f.Name, tmp, f.Action == ActionOverwrite})
	}

	var raced []string
	for i, p := range todo {
		target := filepath.Join(dir, p.name)
		var err error
		if p.replace {
			err = os.Rename(p.tmp, target)
		} else {
			err = linkNew(p.tmp, target)
		}
		switch {
		case errors.Is(err, fs.ErrExist):
			// Someone created the file after Plan looked. Keep theirs.
			os.Remove(p.tmp)
			if mode == Skip {
				res.Skipped = append(res.Skipped, p.name)
			} else {
				raced = append(raced, p.name)
			}
		case err != nil:
			removeTemps(i)
			return res, fmt.Errorf("scaffold: writing %s: %w", target, err)
		default:
			res.Written = append(res.Written, p.name)
		}
	}
	if len(raced) > 0 {
		return res, &ExistsError{Dir: dir, Files: raced}
	}
	return res, nil
}

// writeTemp writes f into a new hidden temp file in dir (same directory, so
// the final rename or link is atomic) and returns its path.
func writeTemp(dir string, f File) (string, error) {
	tmp, err := os.CreateTemp(dir, "."+f.Name+".deckhand-*")
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return "", &FieldError{"dir", dir, "is not writable", "choose a directory you can write to, or fix its permissions"}
		}
		return "", &FieldError{"dir", dir, "cannot be written to: " + causeOf(err), "choose a directory on a writable file system"}
	}
	name := tmp.Name()
	_, err = tmp.Write(f.Content)
	if err == nil {
		// CreateTemp makes 0600 files, and COPY keeps modes: the container's
		// non-root user could not read them. 0644 also matches an editor's.
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("scaffold: writing %s: %w", filepath.Join(dir, f.Name), err)
	}
	return name, nil
}

// linkNew moves tmp to target only if target does not exist: a hard link
// fails with EEXIST instead of replacing, unlike rename. File systems
// without hard links fall back to check-then-rename, which has a small race.
func linkNew(tmp, target string) error {
	err := os.Link(tmp, target)
	if err == nil {
		// The content is in place under target; a leftover temp name is
		// harmless, so a failure here is not worth failing the write.
		os.Remove(tmp)
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		return err
	}
	if _, serr := os.Lstat(target); serr == nil {
		return fs.ErrExist
	} else if !errors.Is(serr, fs.ErrNotExist) {
		return serr
	}
	return os.Rename(tmp, target)
}
