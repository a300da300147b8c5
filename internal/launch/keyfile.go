package launch

import (
	"os"
	"path/filepath"
)

// SavePrivateKey writes key to path with mode 0600, never over a file (nor
// through a symlink: O_EXCL refuses both), creating its directory 0700.
// AWS keeps no copy of a created key pair's private key, so this is the
// only one.
func SavePrivateKey(path string, key []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// PathExists reports whether anything is at path, a dangling symlink
// included: SavePrivateKey refuses to write through one, so it must be
// found before a key pair is created, not after.
func PathExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
