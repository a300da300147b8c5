package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// errNoState is load's answer when there is no state file yet.
var errNoState = errors.New("no sandbox state file")

// read reads the state file; errNoState when there is none.
func read(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoState
	}
	if err != nil {
		return nil, fmt.Errorf("read sandbox state: %w", err)
	}
	return b, nil
}

// decode parses a state file. A file of another version, or one that is
// not a sandbox state at all, is an error that tells the user how to start
// over.
func decode(path string, b []byte) (*state, error) {
	var head struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("sandbox state %s is damaged (%v); run with --sandbox-reset to start the sandbox account afresh", path, err)
	}
	if head.Version != stateVersion {
		return nil, fmt.Errorf("sandbox state %s has format version %d, but this deckhand reads version %d; run with --sandbox-reset to start the sandbox account afresh",
			path, head.Version, stateVersion)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("sandbox state %s is damaged (%v); run with --sandbox-reset to start the sandbox account afresh", path, err)
	}
	if st.Regions == nil {
		st.Regions = map[string]*region{}
	}
	if err := check(&st); err != nil {
		return nil, fmt.Errorf("sandbox state %s is damaged (%v); run with --sandbox-reset to start the sandbox account afresh", path, err)
	}
	return &st, nil
}

// backup keeps the state file at path, before a reset replaces it, as
// path.bak-<UTC time>: a reset must not silently lose an account the user
// may want back (or a damaged file they want to look at). It returns the
// backup's path, "" when there was no file.
func backup(path string, now time.Time) (string, error) {
	b, err := read(path)
	if errors.Is(err, errNoState) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	to := path + ".bak-" + now.UTC().Format("20060102T150405.000Z")
	if err := write(to, b); err != nil {
		return "", fmt.Errorf("back up sandbox state: %w", err)
	}
	return to, nil
}

// save writes the state atomically: a reader (or a crash) sees the old file
// or the new one, never half of one. It returns what it wrote.
func save(path string, st *state) ([]byte, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encode sandbox state: %w", err)
	}
	return b, write(path, b)
}

func write(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("save sandbox state: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op after the rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("save sandbox state: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("save sandbox state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save sandbox state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save sandbox state: %w", err)
	}
	return nil
}

// lock takes the account's lock: an exclusive lock on a sibling ".lock"
// file, which separate deckhand processes (and separate Accounts of one
// process) share. It waits until the lock is free or ctx ends.
func lock(ctx context.Context, path string) (unlock func(), err error) {
	return lockFile(ctx, path+".lock")
}

// lockFile takes an exclusive lock on the file at name, waiting until it
// is free or ctx is done.
func lockFile(ctx context.Context, name string) (unlock func(), err error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock sandbox state: %w", err)
	}
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock sandbox state: %w", err)
		}
		if ok {
			return func() { unlockFile(f); f.Close() }, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}
