package aws

import (
	"deckhand/internal/cloud"

	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"

	"deckhand/internal/testbed"
	"deckhand/internal/watch"
)

// opErr builds the error value the SDK returns for an API error: a
// smithy.GenericAPIError inside a smithy.OperationError.
func opErr(service, op, code, msg string) error {
	return &smithy.OperationError{ServiceID: service, OperationName: op,
		Err: fmt.Errorf("https response error StatusCode: 403, RequestID: x, %w",
			&smithy.GenericAPIError{Code: code, Message: msg})}
}

func TestErrorFormatting(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		want       string
		denied     bool
		throttle   bool
		notContain []string
	}{
		{
			name:   "ec2 unauthorized gets the IAM action",
			err:    opErr("EC2", "DescribeInstances", "UnauthorizedOperation", "You are not authorized to perform this operation."),
			want:   "ec2:DescribeInstances: UnauthorizedOperation: You are not authorized to perform this operation. (needs IAM permission ec2:DescribeInstances)",
			denied: true,
		},
		{
			name:   "ecs access denied",
			err:    opErr("ECS", "DescribeServices", "AccessDeniedException", "User: arn:aws:iam::1:user/x is not authorized"),
			want:   "ecs:DescribeServices: AccessDeniedException: User: arn:aws:iam::1:user/x is not authorized (needs IAM permission ecs:DescribeServices)",
			denied: true,
		},
		{
			name:   "sts access denied",
			err:    opErr("STS", "GetCallerIdentity", "AccessDenied", "denied"),
			want:   "sts:GetCallerIdentity: AccessDenied: denied (needs IAM permission sts:GetCallerIdentity)",
			denied: true,
		},
		{
			name:   "prefixed EC2 code",
			err:    opErr("EC2", "DescribeInstances", "Client.UnauthorizedOperation", "no"),
			want:   "ec2:DescribeInstances: Client.UnauthorizedOperation: no (needs IAM permission ec2:DescribeInstances)",
			denied: true,
		},
		{
			name:   "elbv2 access denied names the elasticloadbalancing action",
			err:    opErr("Elastic Load Balancing v2", "CreateLoadBalancer", "AccessDenied", "User: arn:aws:iam::1:user/x is not authorized"),
			want:   "elbv2:CreateLoadBalancer: AccessDenied: User: arn:aws:iam::1:user/x is not authorized (needs IAM permission elasticloadbalancing:CreateLoadBalancer)",
			denied: true,
		},
		{
			name: "not found has no permission hint",
			err:  opErr("ECS", "ListServices", "ClusterNotFoundException", "Cluster not found."),
			want: "ecs:ListServices: ClusterNotFoundException: Cluster not found.",
		},
		{
			name:     "throttling is recognised by the watcher",
			err:      opErr("ECS", "DescribeTasks", "ThrottlingException", "Rate exceeded"),
			want:     "ecs:DescribeTasks: ThrottlingException: Rate exceeded",
			throttle: true,
		},
		{
			name: "EC2's encoded authorization blob is dropped",
			err: opErr("EC2", "StopInstances", "UnauthorizedOperation",
				"You are not authorized to perform this operation. Encoded authorization failure message: "+strings.Repeat("AbC9", 200)),
			want:       "ec2:StopInstances: UnauthorizedOperation: You are not authorized to perform this operation. (decode the full reason with `aws sts decode-authorization-message`) (needs IAM permission ec2:StopInstances)",
			denied:     true,
			notContain: []string{"AbC9"},
		},
		{
			name: "credentials in a message are redacted",
			err: opErr("STS", "GetCallerIdentity", "InvalidClientTokenId",
				"The key AKIAIOSFODNN7EXAMPLE with secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY and X-Amz-Security-Token=FQoGZXIvYXdzEJr%2F token=abc is invalid"),
			want:       "sts:GetCallerIdentity: InvalidClientTokenId: The key [redacted] with secret [redacted] and X-Amz-Security-Token=[redacted] token=[redacted] is invalid",
			notContain: []string{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI", "FQoGZXIvYXdzEJr", "abc"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := wrap("x", "y", tc.err)
			var e *cloud.Error
			if !errors.As(err, &e) {
				t.Fatalf("wrap returned %T", err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("Error() =\n  %s\nwant\n  %s", got, tc.want)
			}
			if e.AccessDenied() != tc.denied {
				t.Errorf("AccessDenied() = %v, want %v", e.AccessDenied(), tc.denied)
			}
			if watch.IsThrottle(err) != tc.throttle {
				t.Errorf("watch.IsThrottle = %v, want %v", watch.IsThrottle(err), tc.throttle)
			}
			for _, s := range tc.notContain {
				if strings.Contains(err.Error(), s) {
					t.Errorf("Error() contains %q", s)
				}
			}
			if !errors.Is(err, tc.err) {
				t.Error("Unwrap does not lead back to the SDK error")
			}
		})
	}
}

func TestErrorKeepsContext(t *testing.T) {
	err := wrap("ecs", "ListTasks", &smithy.OperationError{ServiceID: "ECS", OperationName: "ListTasks", Err: context.Canceled})
	if !errors.Is(err, context.Canceled) || err.Error() != "ecs:ListTasks: canceled" {
		t.Errorf("got %v", err)
	}
	if wrap("ecs", "ListTasks", nil) != nil {
		t.Error("wrap(nil) is not nil")
	}
}

// TestErrorsFromMoto gets real errors: an unknown cluster (an AWS error
// code) and a refused connection (no AWS code at all).
func TestErrorsFromMoto(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, _ := f.client(t)

	for _, tc := range []struct {
		name string
		call func() error
		op   string
	}{
		{"services", func() error { _, err := c.Services(ctx, "no-such-cluster"); return err }, "ListServices"},
		{"tasks", func() error { _, err := c.Tasks(ctx, "no-such-cluster"); return err }, "ListTasks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e *cloud.Error
			if err := tc.call(); !errors.As(err, &e) {
				t.Fatalf("got %T %v, want *Error", err, err)
			}
			if e.Service != "ecs" || e.Operation != tc.op || e.Code != "ClusterNotFoundException" || e.AccessDenied() {
				t.Errorf("got %+v", e)
			}
			if !strings.HasPrefix(e.Error(), "ecs:"+tc.op+": ClusterNotFoundException: ") {
				t.Errorf("Error() = %q", e.Error())
			}
		})
	}

	t.Run("connection refused", func(t *testing.T) {
		// One attempt: the SDK would otherwise retry with backoff (about 4 s).
		dead, err := load(ctx, Options{EndpointURL: "http://127.0.0.1:1", Region: "us-east-1"}, config.WithRetryMaxAttempts(1))
		if err != nil {
			t.Fatal(err)
		}
		_, err = dead.Instances(ctx)
		var e *cloud.Error
		if !errors.As(err, &e) {
			t.Fatalf("got %T %v, want *Error", err, err)
		}
		if e.Service != "ec2" || e.Operation != "DescribeInstances" || e.Code != cloud.CodeRequestSendFailed {
			t.Errorf("got %+v", e)
		}
		want := "ec2:DescribeInstances: cannot reach http://127.0.0.1:1: connection refused"
		if e.Error() != want {
			t.Errorf("Error() = %q, want %q", e.Error(), want)
		}
	})
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"plain message":                                       "plain message",
		"aws_secret_access_key = abc/def+g":                   "aws_secret_access_key = [redacted]",
		`"SessionToken":"IQoJb3JpZ2luX2VjE"`:                  `"SessionToken":"[redacted]"`,
		"sha1 0123456789abcdef0123456789abcdef01234567 stays": "sha1 0123456789abcdef0123456789abcdef01234567 stays",
		"arn:aws:iam::123456789012:role/Admin stays":          "arn:aws:iam::123456789012:role/Admin stays",
		"ASIAY34FZKBOKMUTVV7A":                                "[redacted]",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestUndecodableErrorBody: moto with IAM enforced answers ECS's JSON
// protocol with an XML error. The error shows AWS's code and message and the
// HTTP status, not the SDK's "deserialization failed".
func TestUndecodableErrorBody(t *testing.T) {
	m := testbed.StartMotoEnv(t, "INITIAL_NO_AUTH_ACTION_COUNT=0")
	c, err := Load(context.Background(), Options{EndpointURL: m.URL, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Clusters(context.Background())
	var e *cloud.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	t.Logf("error: %s", e.Error())
	if e.Code == "" || strings.Contains(e.Error(), "deserialization") || !strings.Contains(e.Message, "HTTP 403") {
		t.Errorf("error = %q (code %q), want AWS's code, the HTTP status and no deserializer words", e.Error(), e.Code)
	}
}
