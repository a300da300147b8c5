package main

import (
	"fmt"
	"net/url"
	"regexp"
)

// regionPattern is the shape of every AWS region name (us-east-1,
// eu-central-2, us-gov-west-1, cn-north-1, us-iso-east-1, us-isob-east-1).
// A pattern rather than a fixed list, so a region AWS opens next year is not
// refused; what it catches is the typo that would otherwise retry forever.
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$`)

// checkAccountFlags refuses an --endpoint-url or --region that can never
// work, naming the flag, before deckhand opens or creates anything: without
// it the TUI retried the bad endpoint for good and launch ran its first
// steps before failing.
func checkAccountFlags(endpointURL, region string) error {
	if endpointURL != "" {
		u, err := url.Parse(endpointURL)
		switch {
		case err != nil:
			return fmt.Errorf("--endpoint-url %q is not a URL: %v; give one such as http://127.0.0.1:5000", endpointURL, err)
		case u.Scheme != "http" && u.Scheme != "https":
			return fmt.Errorf("--endpoint-url %q must start with http:// or https://, e.g. http://127.0.0.1:5000", endpointURL)
		case u.Host == "":
			return fmt.Errorf("--endpoint-url %q has no host: give one such as http://127.0.0.1:5000", endpointURL)
		}
	}
	if region != "" && !regionPattern.MatchString(region) {
		return fmt.Errorf("--region %q is not an AWS region name: use one such as us-east-1 or eu-west-1 (list them with `aws account list-regions`)", region)
	}
	return nil
}
