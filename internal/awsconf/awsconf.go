// Package awsconf reads what the TUI offers for an in-app account switch —
// the profile names in the AWS shared config files and the region names —
// without the AWS SDK, so that tui (which must not import the SDK) can be
// handed them as plain functions and lists.
package awsconf

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Files are the shared config and credentials files the AWS CLI and SDK
// read: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE when set, else
// ~/.aws/config and ~/.aws/credentials.
func Files() (config, credentials string) {
	home, _ := os.UserHomeDir()
	config = filepath.Join(home, ".aws", "config")
	credentials = filepath.Join(home, ".aws", "credentials")
	if f := os.Getenv("AWS_CONFIG_FILE"); f != "" {
		config = f
	}
	if f := os.Getenv("AWS_SHARED_CREDENTIALS_FILE"); f != "" {
		credentials = f
	}
	return config, credentials
}

// Profiles lists the profiles of both files, sorted, each once. A file
// that does not exist holds none (a machine may have only one of them);
// any other read error is returned with the profiles read so far.
func Profiles() ([]string, error) {
	config, creds := Files()
	var out []string
	var errs []error
	for _, f := range []struct {
		path   string
		config bool
	}{{config, true}, {creds, false}} {
		file, err := os.Open(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		names, err := sections(file, f.config)
		file.Close()
		if err != nil {
			errs = append(errs, err)
		}
		out = append(out, names...)
	}
	slices.Sort(out)
	return slices.Compact(out), errors.Join(errs...)
}

// sections returns the profile names of one file. In the config file a
// profile is [default] or [profile NAME]; other sections ([sso-session X],
// [services X]) are not profiles. In the credentials file every section is
// a profile, named without the "profile " prefix.
func sections(r io.Reader, config bool) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "[") {
			continue
		}
		end := strings.IndexByte(line, ']')
		if end < 0 {
			continue // not a section header; the SDK refuses the file, not us
		}
		name := strings.TrimSpace(line[1:end])
		if config {
			switch {
			case name == "default":
			case strings.HasPrefix(name, "profile ") || strings.HasPrefix(name, "profile\t"):
				name = strings.TrimSpace(name[len("profile"):])
			default:
				continue
			}
		}
		if name != "" && !strings.ContainsAny(name, " \t") {
			out = append(out, name)
		}
	}
	return out, sc.Err()
}
