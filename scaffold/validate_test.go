package scaffold

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInvalidFields(t *testing.T) {
	base := t.TempDir()
	aFile := filepath.Join(base, "a-file")
	writeFile(t, aFile, "x\n")

	tests := []struct {
		name    string
		dir     string // "" means a fresh temp dir
		opts    Options
		field   string
		problem string
	}{
		{"uppercase name", "", Options{Name: "MyApp"}, "name", "must start with a lowercase letter"},
		{"name with upper inside", "", Options{Name: "myApp"}, "name", `contains 'A'`},
		{"name starting with digit", "", Options{Name: "1app"}, "name", "must start with a lowercase letter"},
		{"name starting with dash", "", Options{Name: "-app"}, "name", "must start with a lowercase letter"},
		{"name with underscore", "", Options{Name: "my_app"}, "name", `contains '_'`},
		{"name with dot", "", Options{Name: "my.app"}, "name", `contains '.'`},
		{"name with space", "", Options{Name: "my app"}, "name", `contains ' '`},
		{"non-ASCII name", "", Options{Name: "caf\u00e9"}, "name", `contains 'é'`},
		{"name ending with dash", "", Options{Name: "app-"}, "name", "must not end with '-'"},
		{"41-char name", "", Options{Name: "a" + strings.Repeat("b", 40)}, "name", "41 characters"},
		{"negative port", "", Options{Port: -1}, "port", "is not a TCP port"},
		{"port too big", "", Options{Port: 65536}, "port", "is not a TCP port"},
		{"privileged port", "", Options{Port: 80}, "port", "privileged"},
		{"port 1023", "", Options{Port: 1023}, "port", "privileged"},
		{"unknown mode", "", Options{Mode: Mode(7)}, "mode", "not a known mode"},
		{"empty dir", "-", Options{}, "dir", "is empty"},
		{"dir is a file", aFile, Options{}, "dir", "is a file"},
		{"dir below a file", filepath.Join(aFile, "sub"), Options{}, "dir", "not a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir
			switch dir {
			case "":
				dir = t.TempDir()
			case "-":
				dir = ""
			}
			for fn, call := range map[string]func() error{
				"Plan":     func() error { _, err := Plan(dir, tc.opts); return err },
				"Generate": func() error { _, err := Generate(dir, tc.opts); return err },
			} {
				err := call()
				var fe *FieldError
				if !errors.As(err, &fe) {
					t.Fatalf("%s: err = %v, want *FieldError", fn, err)
				}
				if fe.Field != tc.field || !strings.Contains(fe.Problem, tc.problem) || fe.Fix == "" {
					t.Errorf("%s: FieldError %+v, want field %q, problem containing %q and a fix", fn, fe, tc.field, tc.problem)
				}
				if msg := err.Error(); !strings.Contains(msg, tc.field) || !strings.Contains(msg, fe.Fix) {
					t.Errorf("%s: message %q should name the field and the fix", fn, msg)
				}
			}
			if tc.dir == "" {
				assertOnlyFiles(t, dir)
			}
		})
	}
}

func TestUnwritableDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permission bits do not stop root, so an unwritable directory cannot be made here")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	_, err := Generate(dir, Options{})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "dir" || !strings.Contains(fe.Problem, "not writable") {
		t.Fatalf("err = %v, want FieldError on dir saying it is not writable", err)
	}
	assertOnlyFiles(t, dir)
}

// writeTemp's error mapping, testable as root: a directory that vanished
// is not a permission problem but must still come back as a dir FieldError.
func TestWriteTempReportsDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gone")
	_, err := writeTemp(dir, File{Name: "app.py", Content: []byte("x")})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "dir" || fe.Fix == "" {
		t.Fatalf("err = %v, want FieldError on dir", err)
	}
}

func TestValidOptions(t *testing.T) {
	for _, opts := range []Options{
		{},
		{Name: "a"},
		{Name: "a" + strings.Repeat("0", MaxNameLen-1)},
		{Name: "my-app2"},
		{Port: MinPort},
		{Port: 65535},
		{Mode: Skip},
		{Mode: Overwrite},
	} {
		if err := opts.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v, want nil", opts, err)
		}
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[Mode]string{Refuse: "refuse", Skip: "skip", Overwrite: "overwrite", Mode(9): "Mode(9)"} {
		if got := m.String(); got != want {
			t.Errorf("Mode(%d).String() = %q, want %q", int(m), got, want)
		}
	}
}
