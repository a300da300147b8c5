package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFlagsBeforeOrAfterCommand: the global flags mean the same before
// and after the command, a command's own flags may come before its name
// too, and a flag's value is never taken for the command.
func TestFlagsBeforeOrAfterCommand(t *testing.T) {
	tests := []struct {
		args string
		cmd  string            // the command cobra picks
		want map[string]string // flag → parsed value
		pos  []string          // positional arguments left
	}{
		{"--sandbox launch --name web", "launch", map[string]string{"sandbox": "true", "name": "web"}, nil},
		{"launch --name web --sandbox", "launch", map[string]string{"sandbox": "true", "name": "web"}, nil},
		{"--region eu-west-1 --sandbox-speed 10 destroy --name web", "destroy", map[string]string{"region": "eu-west-1", "sandbox-speed": "10", "name": "web"}, nil},
		{"--profile=prod launch", "launch", map[string]string{"profile": "prod"}, nil},
		{"--name web --target local launch ./svc", "launch", map[string]string{"name": "web", "target": "local"}, []string{"./svc"}},
		{"launch ./svc --timeout 90 --readonly", "launch", map[string]string{"timeout": "1m30s", "readonly": "true"}, []string{"./svc"}},
		{"--docker-host tcp://h:2375 destroy --name web", "destroy", map[string]string{"docker-host": "tcp://h:2375"}, nil},
		{"--region launch", "deckhand", map[string]string{"region": "launch"}, nil}, // launch is --region's value
		{"--sandbox --refresh 5", "deckhand", map[string]string{"sandbox": "true", "refresh": "5s"}, nil},
		{"--refresh 2.5 --theme light", "deckhand", map[string]string{"refresh": "2.5s", "theme": "light"}, nil},
		{"--refresh 1m30s", "deckhand", map[string]string{"refresh": "1m30s"}, nil},
		{"scaffold ./svc --port 8080", "scaffold", map[string]string{"port": "8080"}, []string{"./svc"}},
	}
	for _, tc := range tests {
		t.Run(tc.args, func(t *testing.T) {
			// Find and ParseFlags are what Execute does before running.
			root := newRoot(nil)
			cmd, rest, err := root.Find(strings.Fields(tc.args))
			if err != nil {
				t.Fatal(err)
			}
			if cmd.Name() != tc.cmd {
				t.Fatalf("command %q, want %q", cmd.Name(), tc.cmd)
			}
			if err := cmd.ParseFlags(rest); err != nil {
				t.Fatal(err)
			}
			for name, want := range tc.want {
				fl := cmd.Flags().Lookup(name)
				if fl == nil || fl.Value.String() != want {
					t.Errorf("--%s = %v, want %q", name, fl, want)
				}
			}
			if pos := cmd.Flags().Args(); strings.Join(pos, " ") != strings.Join(tc.pos, " ") {
				t.Errorf("positional %q, want %q", pos, tc.pos)
			}
		})
	}
}

// TestTUIOptions: what the TUI is started with, through execute as main
// runs it.
func TestTUIOptions(t *testing.T) {
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	tests := []struct {
		args string
		want func(options) bool
	}{
		{"--refresh 5", func(o options) bool { return o.refresh == 5*time.Second }},
		{"--theme light --mouse", func(o options) bool { return o.theme == "light" && o.mouse }},
		{"", func(o options) bool { return o.theme == "auto" && o.refresh == 15*time.Second && o.sandboxSpeed == 1 }},
		{"--sandbox --sandbox-speed 50 --sandbox-reset", func(o options) bool { return o.sandbox && o.sandboxSpeed == 50 && o.sandboxReset }},
		{"--readonly --docker-host unix:///x.sock --log-file /tmp/l", func(o options) bool {
			return o.readonly && o.dockerHost == "unix:///x.sock" && o.logFile == "/tmp/l"
		}},
	}
	for _, tc := range tests {
		t.Run(tc.args, func(t *testing.T) {
			var got *options
			code := execute(context.Background(), strings.Fields(tc.args), os.Stdout, os.Stderr, func(_ context.Context, o options) error {
				got = &o
				return nil
			})
			if code != 0 || got == nil || !tc.want(*got) {
				t.Errorf("exit %d, options %+v", code, got)
			}
		})
	}
}

// TestBadFlagValues: every bad value is refused before anything runs,
// exit 2, with a message that names the flag and says what to give.
func TestBadFlagValues(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "svc")
	tests := []struct {
		args string
		want string
	}{
		{"--refresh soon", `deckhand: --refresh "soon" is not a duration: give seconds (5) or a duration (15s, 2m)`},
		{"--refresh -3", `--refresh "-3" is negative`},
		{"--refresh 0.5", "--refresh 500ms is too short: use 1s or more"},
		{"--theme blue", `deckhand: --theme "blue" is not one of auto, dark, light`},
		{"--sandbox-speed fast", `--sandbox-speed "fast" is not a number, e.g. --sandbox-speed 10`},
		{"--api-rate 0", "--api-rate 0 is out of range"},
		{"--mouse=maybe", `--mouse "maybe" is not true or false`},
		{"--region mars-1 launch --name web --target ec2 --dry-run", `deckhand launch: --region "mars-1" is not an AWS region name`},
		{"--endpoint-url notaurl", `--endpoint-url "notaurl" must start with http://`},
		{"launch --name web --target local --port x", `deckhand launch: --port "x" is not a whole number, e.g. --port 5000`},
		{"launch --name", "deckhand launch: --name needs a value: --name NAME"},
		{"launch --tagret local", "unknown flag --tagret; did you mean --target?"},
		{"launch --name web --target local --refresh 5", "--refresh is not a flag of deckhand launch: it belongs to the TUI"},
		{"launch -n web", "unknown flag -n"},
		{"lauch", `unexpected argument "lauch"`},
		{"lauch", "did you mean launch?"},
		{"scaffold --sandbox " + dir, "deckhand scaffold: --sandbox does not apply to scaffold"},
		{"--region eu-west-1 scaffold " + dir, "--region does not apply to scaffold"},
	}
	for _, tc := range tests {
		t.Run(tc.args, func(t *testing.T) {
			code, handled, stdout, stderr := cli(strings.Fields(tc.args)...)
			if !handled || code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("TUI started %v, exit %d, stderr %q; want exit 2 with %q (stdout %q)", !handled, code, stderr, tc.want, stdout)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Fatalf("%s was written", dir)
			}
		})
	}
}

// TestCompletion: deckhand completion prints each shell's script, and the
// completions it asks deckhand for (cobra's __complete, which every script
// calls) list the commands but not the internal elb-proxy, the flags,
// and the values of the flags that take one of a few words.
func TestCompletion(t *testing.T) {
	for _, tc := range []struct{ shell, want string }{
		{"bash", "complete -o default -F __start_deckhand deckhand"},
		{"zsh", "#compdef deckhand"},
		{"fish", "complete -c deckhand"},
	} {
		code, _, stdout, stderr := cli("completion", tc.shell)
		if code != 0 || !strings.Contains(stdout, tc.want) {
			t.Errorf("completion %s: exit %d, lacks %q\n%s", tc.shell, code, tc.want, stderr)
		}
	}
	// --profile completes the profiles of the files the AWS CLI reads.
	conf := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(conf, []byte("[default]\nregion = us-east-1\n[profile h-cli-dev]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", conf)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	tests := []struct {
		args     string
		want     []string
		unwanted []string
	}{
		{"", []string{"launch", "destroy", "scaffold", "completion"}, []string{"elb-proxy"}},
		{"--sandbox la", []string{"launch"}, nil},
		{"launch --target", []string{"local", "fargate", "ec2"}, nil},
		{"destroy --target", []string{"local", "fargate", "ec2"}, nil},
		{"--theme", []string{"auto", "dark", "light"}, nil},
		{"launch --ami-distro", []string{"al2023", "ubuntu-24.04"}, nil},
		{"launch --ti", []string{"--timeout"}, nil},
		{"--san", []string{"--sandbox", "--sandbox-speed", "--sandbox-reset"}, nil},
		{"launch --region", []string{"us-east-1", "eu-west-1"}, nil},
		{"--profile", []string{"default", "h-cli-dev"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.args, func(t *testing.T) {
			args := append([]string{"__complete"}, strings.Fields(tc.args)...)
			if !strings.HasSuffix(tc.args, "la") && !strings.HasSuffix(tc.args, "-ti") && !strings.HasSuffix(tc.args, "-san") {
				args = append(args, "") // complete a new word
			}
			code, _, stdout, stderr := cli(args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			words := map[string]bool{}
			for _, l := range strings.Split(stdout, "\n") {
				w, _, _ := strings.Cut(l, "\t")
				words[w] = true
			}
			for _, w := range tc.want {
				if !words[w] {
					t.Errorf("completions lack %q:\n%s", w, stdout)
				}
			}
			for _, w := range tc.unwanted {
				if words[w] {
					t.Errorf("completions offer %q:\n%s", w, stdout)
				}
			}
		})
	}
}

// TestBashCompletes sources the bash script into a real bash and asks it
// to complete, as pressing tab does: the script calls the built binary.
func TestBashCompletes(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	// cobra's bash script needs the bash-completion package, as bash users
	// have it (Debian: apt-get install bash-completion).
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(bashCompletion); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no " + bashCompletion + ": scripts/test installs bash-completion (apt-get install bash-completion)")
		}
		t.Skip("no " + bashCompletion + ": apt-get install bash-completion")
	}
	bin := binary(t)
	script := `source ` + bashCompletion + `
source <(deckhand completion bash)
complete_line() { COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<<"$COMP_LINE"; [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); __start_deckhand; echo "${COMPREPLY[*]}"; }
complete_line "deckhand "
complete_line "deckhand --sandbox launch --target "
complete_line "deckhand --theme l"`
	cmd := exec.Command(bash, "--norc", "--noprofile", "-c", script)
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"))
	// Stdout only: outside a real tab press bash's compopt complains on
	// stderr that no completion is running.
	var errb strings.Builder
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s%s", err, out, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines of completions, got:\n%s", out)
	}
	for i, want := range [][]string{{"launch", "destroy", "scaffold", "completion"}, {"local", "fargate", "ec2"}, {"light"}} {
		got := strings.Fields(lines[i])
		for _, w := range want {
			if !contains(got, w) {
				t.Errorf("line %d: %q lacks %q", i+1, lines[i], w)
			}
		}
	}
	if strings.Contains(lines[0], "elb-proxy") {
		t.Errorf("bash offers the internal elb-proxy: %s", lines[0])
	}
}
