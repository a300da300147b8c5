// Package cloud is the contract between deckhand's AWS backends and the
// code that uses them: the capability interfaces, the specs and their
// validators, the plain types they exchange, the error type and the watch
// sources. It imports no AWS SDK package, so the TUI, the sandbox and the
// launch targets can depend on it without pulling the SDK in; package aws
// implements it with the SDK, package aws/sandbox without.
package cloud

import (
	"errors"
	"strings"
)

// ErrReadonly is returned by mutating calls when the client was loaded with
// Options.Readonly.
var ErrReadonly = errors.New("deckhand is in read-only mode (--readonly): this action is disabled")

// Identity is who the credentials belong to.
type Identity struct {
	Account string
	ARN     string
	UserID  string
}

// Codes deckhand gives to failures that carry no AWS error code, so that
// callers can tell "AWS said no" from "we never reached AWS".
const (
	CodeRequestSendFailed = "RequestSendFailed" // connection refused, DNS, TLS…
	CodeNoCredentials     = "NoCredentials"     // the SDK found no usable credentials
)

// Error is every failed AWS call as deckhand reports it: which call, the
// AWS error code, and a message that is safe to show (credentials removed).
type Error struct {
	Service   string // "ec2", "ecs", "sts": the IAM action prefix (but "elbv2", see iamAction)
	Operation string // e.g. "DescribeInstances"
	Code      string // AWS error code, or one of the Code* constants, or ""
	Message   string
	// Field is set on errors of deckhand's own validation (see validate.go):
	// the spec field at fault, e.g. "Containers[0].Image".
	Field string
	Err   error // the SDK error, for errors.Is/As (context.Canceled…), or ErrInvalidInput
}

// ErrorCode makes *Error satisfy the interface watch.IsThrottle looks for.
func (e *Error) ErrorCode() string { return e.Code }

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Service + ":" + e.Operation + ": ")
	if e.Code != "" && e.Code != CodeRequestSendFailed && e.Code != CodeNoCredentials {
		b.WriteString(e.Code + ": ")
	}
	b.WriteString(e.Message)
	if e.AccessDenied() {
		b.WriteString(" (needs IAM permission " + iamAction(e.Service) + ":" + e.Operation + ")")
	}
	return b.String()
}

// AccessDenied reports whether AWS refused the call for lack of permission.
func (e *Error) AccessDenied() bool {
	switch e.Code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
		"UnauthorizedException", "AuthorizationError", "NotAuthorized":
		return true
	}
	// EC2 sometimes prefixes codes ("Client.UnauthorizedOperation").
	return strings.HasSuffix(e.Code, ".UnauthorizedOperation") || strings.HasSuffix(e.Code, ".AccessDenied")
}

// iamAction is the IAM action prefix of an Error's Service. They are the
// same but for Elastic Load Balancing v2, whose errors say "elbv2" (which
// tells it from the classic load balancer API) while its IAM actions are
// "elasticloadbalancing:CreateLoadBalancer" for both versions.
func iamAction(service string) string {
	if service == "elbv2" {
		return "elasticloadbalancing"
	}
	return service
}
