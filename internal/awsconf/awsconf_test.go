package awsconf

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSections(t *testing.T) {
	for _, c := range []struct {
		name   string
		text   string
		config bool
		want   []string
	}{
		{"config", "[default]\nregion = us-east-1\n[profile prod]\n[profile  dev ]\n", true, []string{"default", "prod", "dev"}},
		{"config skips other sections", "[sso-session corp]\n[services local]\n[plain]\n[profile a]\n", true, []string{"a"}},
		{"credentials", "[default]\naws_access_key_id = x\n[ci]\n", false, []string{"default", "ci"}},
		{"comments and junk", "# [profile no]\n; [profile no]\n[profile ok] # note\n[broken\nkey = [x]\n", true, []string{"ok"}},
		{"a space in a name is no profile", "[profile a b]\n[x y]\n", false, nil},
		{"empty", "", true, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := sections(strings.NewReader(c.text), c.config)
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("sections = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestProfilesHonoursTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	cf, kf := filepath.Join(dir, "c"), filepath.Join(dir, "k")
	os.WriteFile(cf, []byte("[default]\n[profile b]\n[profile a]\n"), 0o600)
	os.WriteFile(kf, []byte("[a]\n[c]\n"), 0o600)
	t.Setenv("AWS_CONFIG_FILE", cf)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", kf)
	got, err := Profiles()
	if want := []string{"a", "b", "c", "default"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("Profiles = %q, %v; want %q", got, err, want)
	}
	// Missing files hold no profile and are no error; HOME's are not read.
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none2"))
	if got, err := Profiles(); err != nil || len(got) != 0 {
		t.Errorf("Profiles with no files = %q, %v", got, err)
	}
	// A directory where a file should be is an error, not silence.
	t.Setenv("AWS_CONFIG_FILE", dir)
	if _, err := Profiles(); err == nil {
		t.Error("Profiles read a directory without an error")
	}
}

func TestRegionsSortedAndUnique(t *testing.T) {
	if !slices.IsSorted(Regions) || len(slices.Compact(slices.Clone(Regions))) != len(Regions) {
		t.Errorf("Regions is not sorted and unique: %q", Regions)
	}
	for _, r := range []string{"us-east-1", "eu-west-1", "us-gov-west-1", "cn-north-1"} {
		if !IsRegion(r) {
			t.Errorf("IsRegion(%q) = false", r)
		}
	}
	if IsRegion("aws-global") || IsRegion("eu-wset-1") {
		t.Error("a pseudo-region or a typo is in the list")
	}
}

func FuzzSections(f *testing.F) {
	f.Add("[profile a]\n[default]\n", true)
	f.Add("[a]\n", false)
	f.Fuzz(func(t *testing.T, text string, config bool) {
		names, _ := sections(strings.NewReader(text), config)
		for _, n := range names {
			if n == "" || strings.ContainsAny(n, " \t\n]") {
				t.Errorf("bad profile name %q from %q", n, text)
			}
		}
	})
}
