package tui

import (
	"testing"

	"deckhand/internal/resource"
)

// TestRolloutField: the service detail's line on how deployments roll.
func TestRolloutField(t *testing.T) {
	for _, tc := range []struct {
		c    resource.DeploymentConfig
		want string // "" = no line
	}{
		{resource.DeploymentConfig{}, ""},
		{resource.DeploymentConfig{CircuitBreaker: true, Rollback: true, MinHealthy: 100, MaxPercent: 200},
			"circuit breaker on, rolls back a failed deployment · keeps 100% healthy, runs up to 200% while rolling"},
		{resource.DeploymentConfig{CircuitBreaker: true}, "circuit breaker on, no rollback"},
		{resource.DeploymentConfig{MinHealthy: 50, MaxPercent: 100}, "circuit breaker off · keeps 50% healthy, runs up to 100% while rolling"},
	} {
		f, ok := rolloutField(tc.c)
		if got := map[bool]string{true: f.value}[ok]; got != tc.want {
			t.Errorf("rolloutField(%+v) = %q, want %q", tc.c, got, tc.want)
		}
	}
}
