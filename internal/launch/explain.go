package launch

import (
	"errors"
	"strings"

	"deckhand/dockerops"
	"deckhand/internal/explain"
)

// awsExplanations cover the API error codes of a launch that
// internal/explain (shared with the TUI, about why tasks and instances
// stop) does not: mostly credentials and quotas. The SDK's errors already
// carry the operation and the code; these add the "so what do I do".
// Targets add step-specific ones through Step.Explain.
var awsExplanations = map[string]string{
	"AccessDenied":              "these credentials may not do this; ask for the IAM permission named in the message, or use another --profile",
	"AccessDeniedException":     "these credentials may not do this; ask for the IAM permission named in the message, or use another --profile",
	"UnauthorizedOperation":     "these credentials may not do this EC2 operation; ask for the IAM permission, or use another --profile",
	"ExpiredToken":              "the session's credentials expired; log in again (aws sso login, or refresh the keys)",
	"ExpiredTokenException":     "the session's credentials expired; log in again (aws sso login, or refresh the keys)",
	"RequestExpired":            "the request's signature is too old: the machine's clock is probably wrong",
	"InvalidClientTokenId":      "AWS does not know this access key: it was deleted, or belongs to another partition",
	"ThrottlingException":       "AWS is rate-limiting this account; wait a minute and run the launch again (it picks up where it stopped)",
	"ClusterNotFoundException":  "the ECS cluster does not exist (any more); run the launch again to create it",
	"ServiceNotActiveException": "the ECS service is being deleted or was deleted; wait until it is gone, then launch again",
	"VcpuLimitExceeded":         "the account's vCPU quota for this instance family is used up; request a quota increase or stop other instances",
}

// Explain returns a plain explanation of err when one is known, else "".
// Execute uses it for StepError.Hint when the step's own Explain has none.
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var coded interface{ ErrorCode() string } // smithy-go's APIError
	if errors.As(err, &coded) {
		if s := explain.Reason(coded.ErrorCode()); s != "" {
			return s
		}
		if s, ok := awsExplanations[coded.ErrorCode()]; ok {
			return s
		}
	}
	if errors.Is(err, dockerops.ErrReadOnly) {
		return "deckhand runs with --readonly, which refuses every change; drop --readonly, or use --dry-run to only see the plan"
	}
	var push *dockerops.PushError
	if errors.As(err, &push) && push.Unauthorized() {
		return "the registry refused the credentials: check user and password (an ECR login token from GetAuthorizationToken is valid for 12 hours, for one account and region)"
	}
	var nr *dockerops.NotReadyError
	if errors.As(err, &nr) {
		switch {
		case strings.HasPrefix(nr.Reason, "exited"):
			return "the app stopped on start; its log lines above usually say why (a Python traceback points at the app's code or a missing package)"
		case strings.HasPrefix(nr.Reason, "is unhealthy"):
			return "the app runs but its HEALTHCHECK fails; check the health endpoint the Dockerfile probes"
		}
		return "the app did not answer in time: it may be slow to start (raise --timeout) or listen on another port than the image EXPOSEs"
	}
	msg := strings.ToLower(err.Error())
	var build *dockerops.BuildError
	if errors.As(err, &build) {
		from := strings.Contains(strings.ToLower(build.Step), "from ")
		if from || strings.Contains(msg, "pull access denied") || strings.Contains(msg, "manifest unknown") ||
			strings.Contains(msg, "no such host") || strings.Contains(msg, "dial tcp") {
			return "the base image is not on this machine and could not be pulled; build a local one (scripts/python-base-image) and pass --base-image deckhand/python-base:bookworm"
		}
		return "a Dockerfile step failed; its output above shows why"
	}
	// ECS and EC2 put their codes inside messages too ("stoppedReason:
	// CannotPullContainerError: …"), which a wait step may report.
	if s := explain.Reason(err.Error()); s != "" {
		return s
	}
	switch {
	case strings.Contains(msg, "port is already allocated") || strings.Contains(msg, "address already in use"):
		return "another program or container already uses that host port; choose another with --port, or leave --port out to get a free one"
	case strings.Contains(msg, "no space left on device"):
		return "the Docker engine's disk is full; free space with docker system prune"
	}
	return ""
}
