package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"deckhand/internal/budget"
	"deckhand/tui"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    options
		wantErr string
	}{
		{name: "defaults", want: options{apiRate: budget.DefaultRate, refresh: 15 * time.Second, sandboxSpeed: 1}},
		{name: "env fills endpoint and profile", env: map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_PROFILE": "dev"},
			want: options{apiRate: budget.DefaultRate, endpointURL: "http://127.0.0.1:5000", profile: "dev", refresh: 15 * time.Second, sandboxSpeed: 1}},
		{name: "flags win over env", args: []string{"--endpoint-url", "http://x:1", "--profile", "prod"}, env: map[string]string{"AWS_ENDPOINT_URL": "http://y:2"},
			want: options{apiRate: budget.DefaultRate, endpointURL: "http://x:1", profile: "prod", refresh: 15 * time.Second, sandboxSpeed: 1}},
		{name: "all flags", args: []string{"--region", "eu-west-1", "--refresh", "30s", "--readonly", "--docker-host", "tcp://h:2375", "--version"},
			want: options{apiRate: budget.DefaultRate, region: "eu-west-1", refresh: 30 * time.Second, sandboxSpeed: 1, readonly: true, dockerHost: "tcp://h:2375", showVersion: true}},
		{name: "sandbox", args: []string{"--sandbox", "--sandbox-speed", "20", "--sandbox-reset"},
			want: options{apiRate: budget.DefaultRate, sandbox: true, sandboxSpeed: 20, sandboxReset: true, refresh: 15 * time.Second}},
		{name: "sandbox API rate", args: []string{"--sandbox", "--sandbox-api-rate", "2"},
			want: options{apiRate: budget.DefaultRate, sandbox: true, sandboxSpeed: 1, sandboxAPIRate: 2, refresh: 15 * time.Second}},
		{name: "sandbox API rate negative", args: []string{"--sandbox-api-rate", "-1"}, wantErr: "--sandbox-api-rate -1 is out of range"},
		{name: "sandbox API rate not a number", args: []string{"--sandbox-api-rate", "NaN"}, wantErr: "--sandbox-api-rate NaN is out of range"},
		{name: "sandbox speed zero", args: []string{"--sandbox-speed", "0"}, wantErr: "--sandbox-speed 0 is out of range"},
		{name: "sandbox with endpoint", args: []string{"--sandbox", "--endpoint-url", "http://x:1"}, wantErr: "exclude each other"},
		{name: "endpoint with another scheme", args: []string{"--endpoint-url", "ftp://x"}, wantErr: `--endpoint-url "ftp://x" must start with http:// or https://`},
		{name: "endpoint not a URL", args: []string{"--endpoint-url", "notaurl"}, wantErr: `--endpoint-url "notaurl" must start with http://`},
		{name: "endpoint without host", args: []string{"--endpoint-url", "http://"}, wantErr: "has no host"},
		{name: "endpoint from env is checked too", env: map[string]string{"AWS_ENDPOINT_URL": "ftp://x"}, wantErr: "--endpoint-url"},
		{name: "region not a region", args: []string{"--region", "not-a-region"}, wantErr: `--region "not-a-region" is not an AWS region name`},
		{name: "gov region", args: []string{"--region", "us-gov-west-1"}, want: options{apiRate: budget.DefaultRate, region: "us-gov-west-1", refresh: 15 * time.Second, sandboxSpeed: 1}},
		{name: "refresh too short", args: []string{"--refresh", "10ms"}, wantErr: "--refresh 10ms is too short"},
		{name: "refresh in seconds, as k9s takes it", args: []string{"--refresh", "5"}, want: options{apiRate: budget.DefaultRate, refresh: 5 * time.Second, sandboxSpeed: 1}},
		{name: "refresh not a duration", args: []string{"--refresh", "soon"}, wantErr: `"soon" is not a duration: give seconds (5) or a duration`},
		{name: "refresh negative", args: []string{"--refresh", "-3"}, wantErr: "is negative"},
		{name: "stray argument", args: []string{"instances"}, wantErr: `unexpected argument "instances"`},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: "unknown flag --nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL", tc.env["AWS_ENDPOINT_URL"])
			t.Setenv("AWS_PROFILE", tc.env["AWS_PROFILE"])
			got, err := parseFlags(tc.args, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.want.theme == "" {
				tc.want.theme = tui.ThemeAuto
			}
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// parseFlags parses a TUI command line and returns its options (the TUI
// is not started); help goes to w.
func parseFlags(args []string, w io.Writer) (options, error) {
	var got options
	root := newRoot(func(_ context.Context, o options) error {
		got = o
		return nil
	})
	root.SetArgs(args)
	root.SetOut(w)
	root.SetErr(w)
	err := root.Execute()
	return got, err
}
