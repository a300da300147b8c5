package launch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
)

// CheckIPURL answers the caller's public address as text.
const CheckIPURL = "https://checkip.amazonaws.com"

// LookupPublicIP asks url (CheckIPURL when "") for this machine's public
// address: a call outside the account, so callers make it only when the
// user chose to (the EC2 target's address step, :sg's "SSH from my
// address"), never on the sandbox.
func LookupPublicIP(ctx context.Context, url string) (string, error) {
	if url == "" {
		url = CheckIPURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 100))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s answered HTTP %d", url, resp.StatusCode)
	}
	ip := strings.TrimSpace(string(b))
	if _, err := netip.ParseAddr(ip); err != nil {
		return "", fmt.Errorf("%s answered %q, not an address", url, ip)
	}
	return ip, nil
}
