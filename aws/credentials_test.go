package aws

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// clearCredentials leaves the SDK nothing to find: no variables, no files,
// no instance metadata. t.Setenv restores everything afterwards.
func clearCredentials(t *testing.T) {
	for _, k := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_ENDPOINT_URL",
	} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestCheckCredentialsNone(t *testing.T) {
	clearCredentials(t)
	ctx := context.Background()
	c, err := Load(ctx, Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = c.CheckCredentials(ctx)
	took := time.Since(start)
	var nc *NoCredentialsError
	if !errors.As(err, &nc) {
		t.Fatalf("got %T %v, want *NoCredentialsError", err, err)
	}
	// Not a timing assertion: a timeout would mean IMDS was still tried.
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("CheckCredentials timed out instead of failing fast: %v", err)
	}
	t.Logf("CheckCredentials failed after %v", took)
	msg := err.Error()
	for _, want := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "--profile", "~/.aws/config", "~/.aws/credentials",
		"aws sso login --profile default", "web identity", "EC2 instance role",
		"aws configure", "--endpoint-url http://127.0.0.1:5000",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

// TestCheckCredentialsNamesProfileNeverSecrets: with a profile that has a
// region but no keys, the message names the profile; with a secret in the
// environment, the message says the variable is set but not its value.
func TestCheckCredentialsNamesProfileNeverSecrets(t *testing.T) {
	clearCredentials(t)
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config")
	if err := os.WriteFile(cfgFile, []byte("[profile team]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	// Only half of a key pair: the SDK ignores it, so there are no credentials.
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

	c, err := Load(context.Background(), Options{Profile: "team"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Region() != "eu-west-1" {
		t.Errorf("Region() = %q, want the profile's eu-west-1", c.Region())
	}
	err = c.CheckCredentials(context.Background())
	var nc *NoCredentialsError
	if !errors.As(err, &nc) {
		t.Fatalf("got %T %v", err, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, `profile "team"`) || !strings.Contains(msg, "aws sso login --profile team") ||
		!strings.Contains(msg, "set: AWS_SECRET_ACCESS_KEY") {
		t.Errorf("message:\n%s", msg)
	}
	if strings.Contains(msg, "wJalrXUtnFEMI") {
		t.Errorf("message leaks the secret:\n%s", msg)
	}
}

func TestLoadUnknownProfile(t *testing.T) {
	clearCredentials(t)
	_, err := Load(context.Background(), Options{Profile: "nope", Region: "us-east-1"})
	if err == nil || !strings.Contains(err.Error(), `AWS profile "nope" not found`) {
		t.Errorf("got %v", err)
	}
	// The files read are named, not an empty list ("not found in ;").
	if err != nil && !strings.Contains(err.Error(), "not found in "+os.DevNull+" or "+os.DevNull) {
		t.Errorf("error does not name the files read: %v", err)
	}
}

func TestLoadNoRegion(t *testing.T) {
	clearCredentials(t)
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	if _, err := Load(context.Background(), Options{}); err == nil || !strings.Contains(err.Error(), "no AWS region") {
		t.Errorf("got %v", err)
	}
}

// TestIdentityAndEndpoint checks STS through moto, the option-vs-environment
// endpoint choice, and the readonly flag.
func TestIdentityAndEndpoint(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	c, err := Load(ctx, Options{EndpointURL: f.m.URL, Region: "us-east-1", Readonly: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint() != f.m.URL || c.Region() != "us-east-1" || !c.Readonly() {
		t.Errorf("Endpoint %q Region %q Readonly %v", c.Endpoint(), c.Region(), c.Readonly())
	}
	if err := c.CheckCredentials(ctx); err != nil {
		t.Errorf("CheckCredentials with moto's test credentials: %v", err)
	}
	id, err := c.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id.Account != "123456789012" || !strings.HasPrefix(id.ARN, "arn:aws:") || id.UserID == "" {
		t.Errorf("Identity = %+v", id)
	}

	// AWS_ENDPOINT_URL alone (no option) is honoured by the SDK itself.
	t.Setenv("AWS_ENDPOINT_URL", f.m.URL)
	c, err = Load(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint() != f.m.URL || c.Readonly() {
		t.Errorf("Endpoint %q Readonly %v", c.Endpoint(), c.Readonly())
	}
	if _, err := c.Identity(ctx); err != nil {
		t.Errorf("Identity via AWS_ENDPOINT_URL: %v", err)
	}
	cluster := f.cluster(t, "env")
	f.runTasks(t, cluster, f.taskDef(t, "env"), "", 1)
	if tasks, err := c.Tasks(ctx, cluster); err != nil || len(tasks) != 1 {
		t.Errorf("Tasks via AWS_ENDPOINT_URL: %d, %v", len(tasks), err)
	}

	// The option wins over the environment.
	c, err = Load(ctx, Options{EndpointURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint() != "http://127.0.0.1:1" {
		t.Errorf("Endpoint %q", c.Endpoint())
	}
}

// TestCheckCredentialsSilentIMDS points the instance-metadata client at a
// server that accepts connections and never answers, as a firewalled
// 169.254.169.254 does off EC2: CheckCredentials must give up on its own
// bound rather than wait for the SDK's retries.
func TestCheckCredentialsSilentIMDS(t *testing.T) {
	clearCredentials(t)
	os.Unsetenv("AWS_EC2_METADATA_DISABLED")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // hold it open, say nothing
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://"+l.Addr().String())

	c, err := Load(context.Background(), Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	err = c.CheckCredentials(context.Background())
	var nc *NoCredentialsError
	if !errors.As(err, &nc) || !strings.Contains(err.Error(), "timed out after "+imdsTimeout.String()) {
		t.Errorf("got %v", err)
	}
}
