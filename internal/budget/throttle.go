package budget

import "errors"

// throttleCodes are the error codes by which AWS services say "slow down":
// EC2's RequestLimitExceeded, ECS's and most JSON services'
// ThrottlingException, and the older or rarer spellings some services use.
var throttleCodes = map[string]bool{
	"RequestLimitExceeded":      true,
	"ThrottlingException":       true,
	"Throttling":                true,
	"TooManyRequestsException":  true,
	"RequestThrottled":          true,
	"ThrottledException":        true,
	"RequestThrottledException": true,
	"SlowDown":                  true,
}

// IsThrottleCode reports whether code is one of AWS's throttling codes.
func IsThrottleCode(code string) bool { return throttleCodes[code] }

// IsThrottle reports whether err carries one of AWS's throttling codes
// (an error with an ErrorCode method: the SDK's API errors, cloud.Error).
// The SDK middleware and the sandbox both decide with it whether a call
// was throttled, so that the budget reacts to the sandbox's throttling
// exactly as to AWS's.
func IsThrottle(err error) bool {
	var coded interface{ ErrorCode() string }
	return err != nil && errors.As(err, &coded) && IsThrottleCode(coded.ErrorCode())
}
