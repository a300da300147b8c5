package aws

import (
	"deckhand/internal/cloud"

	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// wrap turns an SDK error into *Error. service and op name the call; the
// values the SDK carries in smithy.OperationError take precedence.
func wrap(service, op string, err error) error {
	if err == nil {
		return nil
	}
	e := &cloud.Error{Service: service, Operation: op, Err: err}
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		if oe.ServiceID != "" {
			e.Service = iamPrefix(oe.ServiceID)
		}
		if oe.OperationName != "" {
			e.Operation = oe.OperationName
		}
	}
	var api smithy.APIError
	var send *smithyhttp.RequestSendError
	var undecoded *smithy.DeserializationError
	switch {
	case errors.As(err, &api):
		e.Code = api.ErrorCode()
		e.Message = api.ErrorMessage()
		if e.Message == "" {
			e.Message = describeHTTP(err)
		}
	case errors.Is(err, context.Canceled):
		e.Message = "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		e.Message = "timed out"
	case errors.As(err, &send):
		e.Code = cloud.CodeRequestSendFailed
		e.Message = describeSend(send)
	case isCredentialsFailure(err):
		e.Code = cloud.CodeNoCredentials
		e.Message = "no usable AWS credentials: " + inner(err, oe)
	case errors.As(err, &undecoded):
		e.Code, e.Message = undecodedError(err, undecoded)
	default:
		e.Message = inner(err, oe)
	}
	e.Message = redact(trimAuthBlob(e.Message))
	return e
}

// iamPrefix is the IAM action prefix of an SDK service ID ("EC2" → "ec2",
// "CloudWatch Logs" → "logs").
func iamPrefix(serviceID string) string {
	switch id := strings.ToLower(serviceID); id {
	case "cloudwatch logs":
		return "logs"
	case "resource groups tagging api":
		return "tag"
	case "elastic load balancing v2":
		return "elbv2" // as validate_elb.go names it; iamAction has the IAM prefix
	default:
		return id
	}
}

// inner is the error text without the SDK's "operation error EC2:
// DescribeInstances, " prefix, which Error() already says better.
func inner(err error, oe *smithy.OperationError) string {
	if oe != nil && oe.Err != nil {
		return oe.Err.Error()
	}
	return err.Error()
}

// describeSend says where the request could not go and why, e.g. "cannot
// reach http://127.0.0.1:5000: connection refused".
func describeSend(send *smithyhttp.RequestSendError) string {
	cause := send.Err
	target := ""
	var ue *url.Error
	if errors.As(cause, &ue) {
		if u, err := url.Parse(ue.URL); err == nil {
			target = u.Scheme + "://" + u.Host
		}
		cause = ue.Err
	}
	msg := cause.Error()
	// "dial tcp 127.0.0.1:1: connect: connection refused" → keep the last
	// clause, which is the reason a human needs.
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.Contains(msg, "dial") {
		msg = msg[i+2:]
	}
	if target == "" {
		return "request failed: " + msg
	}
	return "cannot reach " + target + ": " + msg
}

// describeHTTP covers API errors without a message (e.g. an HTML 403 from a
// proxy): the HTTP status is the best we have.
func describeHTTP(err error) string {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return "HTTP " + re.Response.Status
	}
	var me *retry.MaxAttemptsError
	if errors.As(err, &me) {
		return me.Err.Error()
	}
	return "no message"
}

// xmlErrorCode and xmlErrorMessage find an AWS error in an XML body.
var (
	xmlErrorCode    = regexp.MustCompile(`<Code>([^<]+)</Code>`)
	xmlErrorMessage = regexp.MustCompile(`<Message>([^<]*)</Message>`)
)

// undecodedError says what an error response the SDK could not parse
// holds. moto answers some JSON-protocol calls (ECS, logs) in the XML of the
// query protocol, so the SDK's own words were "deserialization failed";
// the HTTP status and the body's code and message (or its first line) are
// what the user needs.
func undecodedError(err error, de *smithy.DeserializationError) (code, msg string) {
	status := ""
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		status = "HTTP " + re.Response.Status + ": "
	}
	body := strings.TrimSpace(string(de.Snapshot))
	if m := xmlErrorCode.FindStringSubmatch(body); m != nil {
		code = m[1]
		if mm := xmlErrorMessage.FindStringSubmatch(body); mm != nil && mm[1] != "" {
			return code, status + mm[1]
		}
		return code, status + "(no message)"
	}
	line, _, _ := strings.Cut(body, "\n")
	if len(line) > 200 {
		line = line[:200] + "…"
	}
	if line == "" {
		line = "(empty body)"
	}
	return "", status + "the response could not be read: " + line
}

// isCredentialsFailure recognises the SDK's signing step failing to get
// credentials; the SDK has no exported type for it.
func isCredentialsFailure(err error) bool {
	s := err.Error()
	return strings.Contains(s, "get credentials") || strings.Contains(s, "failed to refresh cached credentials") ||
		strings.Contains(s, "failed to retrieve credentials")
}

// trimAuthBlob drops EC2's "Encoded authorization failure message: <kilobytes
// of base64>", which is useless on screen; the rest of the message says what
// was denied.
func trimAuthBlob(s string) string {
	if i := strings.Index(s, "Encoded authorization failure message:"); i >= 0 {
		return strings.TrimSpace(s[:i]) + " (decode the full reason with `aws sts decode-authorization-message`)"
	}
	return s
}

var (
	// Access key IDs (long-term AKIA…, temporary ASIA…).
	reAccessKey = regexp.MustCompile(`\b(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b`)
	// name=value or name: value where the name says it is a secret.
	reNamedSecret    = regexp.MustCompile(`(?i)\b(aws_secret_access_key|aws_session_token|secret_?access_?key|session_?token|security_?token|x-amz-security-token|x-amz-signature|x-amz-credential|signature|password)(["']?\s*[:=]\s*["']?)[^\s"'&,;]+`)
	reAssignedSecret = regexp.MustCompile(`(?i)\b(token|secret|credential)=[^\s"'&,;]+`)
	// Session tokens and similar: long base64 runs.
	reLongBlob = regexp.MustCompile(`[A-Za-z0-9/+=]{100,}`)
	// Secret access keys: 40 base64 characters of mixed case and digits.
	reSecretKey = regexp.MustCompile(`[A-Za-z0-9/+]{40}`)
)

// redact removes anything that looks like a credential from s. It errs on
// the side of hiding: an error message is never worth leaking a key.
func redact(s string) string {
	s = reAccessKey.ReplaceAllString(s, "[redacted]")
	s = reNamedSecret.ReplaceAllString(s, "$1$2[redacted]")
	s = reAssignedSecret.ReplaceAllString(s, "$1=[redacted]")
	s = reLongBlob.ReplaceAllString(s, "[redacted]")
	return reSecretKey.ReplaceAllStringFunc(s, func(m string) string {
		if strings.ContainsAny(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") &&
			strings.ContainsAny(m, "abcdefghijklmnopqrstuvwxyz") &&
			strings.ContainsAny(m, "0123456789") {
			return "[redacted]"
		}
		return m
	})
}
