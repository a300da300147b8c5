package aws

import (
	"deckhand/internal/cloud"

	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
)

// credentialsTimeout bounds CheckCredentials: SSO, web identity and
// credential_process may need a network round trip or two.
const credentialsTimeout = 5 * time.Second

// imdsTimeout bounds it when nothing but the EC2 instance role is left in the
// chain, which is the case on every machine without credentials. On EC2 the
// metadata service answers in milliseconds; off EC2 a silent address would
// otherwise cost the SDK's retries of 500 ms waits (the full 5 s above).
const imdsTimeout = 2 * time.Second

// NoCredentialsError says that the SDK's credential chain found nothing
// usable. Its message lists where deckhand looked and how to fix it; it never
// contains a secret (only whether variables are set, never their values).
type NoCredentialsError struct {
	Profile string // the profile in effect ("" = default)
	Err     error  // what the SDK said, if anything
}

func (e *NoCredentialsError) Unwrap() error { return e.Err }

// ErrorCode lets callers treat it like any coded AWS failure.
func (e *NoCredentialsError) ErrorCode() string { return cloud.CodeNoCredentials }

func (e *NoCredentialsError) Error() string {
	profile := e.Profile
	if profile == "" {
		profile = "default"
	}
	set := func(names ...string) string {
		var have []string
		for _, n := range names {
			if os.Getenv(n) != "" {
				have = append(have, n)
			}
		}
		if len(have) == 0 {
			return "not set"
		}
		return "set: " + strings.Join(have, ", ")
	}
	var b strings.Builder
	b.WriteString("no usable AWS credentials. deckhand looked for:\n")
	fmt.Fprintf(&b, "  - environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (%s)\n", set("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"))
	fmt.Fprintf(&b, "  - profile %q (AWS_PROFILE or --profile) in ~/.aws/config and ~/.aws/credentials\n", profile)
	fmt.Fprintf(&b, "  - SSO for that profile (log in with `aws sso login --profile %s`)\n", profile)
	fmt.Fprintf(&b, "  - web identity: AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN (%s)\n", set("AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"))
	fmt.Fprintf(&b, "  - an EC2 instance role (instance metadata service)\n")
	if e.Err != nil {
		fmt.Fprintf(&b, "The AWS SDK said: %s\n", redact(e.Err.Error()))
	}
	b.WriteString("To fix: run `aws configure`, choose a profile with --profile NAME, " +
		"or use a local emulator (moto, LocalStack) with --endpoint-url http://127.0.0.1:5000 and any test credentials.")
	return b.String()
}

// CheckCredentials asks the credential chain for credentials without calling
// any AWS API, so that a missing login is reported before the first screen
// rather than as an error on every pane.
func (c *Client) CheckCredentials(ctx context.Context) error {
	if c.cfg.Credentials == nil {
		return &NoCredentialsError{Profile: c.profile}
	}
	limit := credentialsTimeout
	if sdkaws.IsCredentialsProvider(c.cfg.Credentials, (*ec2rolecreds.Provider)(nil)) {
		limit = imdsTimeout
	}
	tctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	creds, err := c.cfg.Credentials.Retrieve(tctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err() // the caller gave up; that says nothing about credentials
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("timed out after %v looking for credentials: %w", limit, err)
		}
		return &NoCredentialsError{Profile: c.profile, Err: err}
	}
	if !creds.HasKeys() {
		return &NoCredentialsError{Profile: c.profile}
	}
	return nil
}
