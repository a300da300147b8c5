package cloud

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The exact command lines deckhand runs for sessions on AWS.
func TestSessionArgv(t *testing.T) {
	all := CLIContext{Region: "eu-west-1", Profile: "oncall", Endpoint: "http://127.0.0.1:5000"}
	for _, tc := range []struct {
		name string
		got  []string
		want string // words joined by |
	}{
		{"exec, no context", ECSExecArgv(CLIContext{}, "demo", "0123abcd", "app"),
			"aws|ecs|execute-command|--cluster|demo|--task|0123abcd|--container|app|--interactive|--command|/bin/sh"},
		{"exec, region, profile and endpoint", ECSExecArgv(all, "demo", "0123abcd", "web"),
			"aws|ecs|execute-command|--cluster|demo|--task|0123abcd|--container|web|--interactive|--command|/bin/sh|--region|eu-west-1|--profile|oncall|--endpoint-url|http://127.0.0.1:5000"},
		{"exec, region only", ECSExecArgv(CLIContext{Region: "us-east-2"}, "c", "t", "n"),
			"aws|ecs|execute-command|--cluster|c|--task|t|--container|n|--interactive|--command|/bin/sh|--region|us-east-2"},
		{"ssm", SSMSessionArgv(CLIContext{}, "i-0abc"),
			"aws|ssm|start-session|--target|i-0abc"},
		{"ssm, profile", SSMSessionArgv(CLIContext{Profile: "p"}, "i-0abc"),
			"aws|ssm|start-session|--target|i-0abc|--profile|p"},
		{"forward, cluster ARN and task ARN become names", PortForwardArgv(CLIContext{Region: "us-east-1"},
			"arn:aws:ecs:us-east-1:123456789012:cluster/demo", "arn:aws:ecs:us-east-1:123456789012:task/demo/0123abcd", "0123abcd-1234", 8080, 18080),
			`aws|ssm|start-session|--target|ecs:demo_0123abcd_0123abcd-1234|--document-name|AWS-StartPortForwardingSession|--parameters|{"portNumber":["8080"],"localPortNumber":["18080"]}|--region|us-east-1`},
		{"forward, names", PortForwardArgv(CLIContext{}, "demo", "abcd", "rt", 80, 80),
			`aws|ssm|start-session|--target|ecs:demo_abcd_rt|--document-name|AWS-StartPortForwardingSession|--parameters|{"portNumber":["80"],"localPortNumber":["80"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(tc.got, "|"); got != tc.want {
				t.Errorf("argv\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// The prerequisite messages, with PATH pointing at temporary directories
// that hold (or not) executables named aws and session-manager-plugin.
func TestMissingSessionTools(t *testing.T) {
	exe := func(t *testing.T, dir, name string, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\nexit 0\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, a, b string) // two directories on PATH
		want  []string
	}{
		{"both there", func(t *testing.T, a, b string) { exe(t, a, "aws", 0o755); exe(t, b, "session-manager-plugin", 0o755) }, nil},
		{"neither", func(t *testing.T, a, b string) {}, []string{MissingAWSCLI, MissingPlugin}},
		{"no plugin", func(t *testing.T, a, b string) { exe(t, a, "aws", 0o755) }, []string{MissingPlugin}},
		{"no aws", func(t *testing.T, a, b string) { exe(t, b, "session-manager-plugin", 0o700) }, []string{MissingAWSCLI}},
		{"not executable", func(t *testing.T, a, b string) { exe(t, a, "aws", 0o644); exe(t, a, "session-manager-plugin", 0o600) },
			[]string{MissingAWSCLI, MissingPlugin}},
		{"a directory is no program", func(t *testing.T, a, b string) {
			os.Mkdir(filepath.Join(a, "aws"), 0o755)
			exe(t, b, "session-manager-plugin", 0o755)
		}, []string{MissingAWSCLI}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := t.TempDir(), t.TempDir()
			tc.setup(t, a, b)
			got := MissingSessionTools(a + string(os.PathListSeparator) + b)
			if !slices.Equal(got, tc.want) {
				t.Errorf("missing\n got %q\nwant %q", got, tc.want)
			}
		})
	}
	// The messages say how to install each.
	for _, s := range []string{MissingAWSCLI, MissingPlugin} {
		if !strings.Contains(s, "install") || !strings.Contains(s, "https://docs.aws.amazon.com/") {
			t.Errorf("%q does not say how to install it", s)
		}
	}
}
