package aws

import (
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"deckhand/internal/resource"
)

// TestToServiceDeploymentConfig maps DescribeServices' deploymentConfiguration
// (moto 5 drops it, so the SDK value is built here) and orders the events
// newest first whatever order ECS sends them in.
func TestToServiceDeploymentConfig(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		dc   *types.DeploymentConfiguration
		want resource.DeploymentConfig
	}{
		{"none reported", nil, resource.DeploymentConfig{}},
		{"breaker with rollback", &types.DeploymentConfiguration{
			DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true},
			MinimumHealthyPercent:    sdkaws.Int32(100), MaximumPercent: sdkaws.Int32(200)},
			resource.DeploymentConfig{CircuitBreaker: true, Rollback: true, MinHealthy: 100, MaxPercent: 200}},
		{"breaker without rollback, 50%", &types.DeploymentConfiguration{
			DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true},
			MinimumHealthyPercent:    sdkaws.Int32(50), MaximumPercent: sdkaws.Int32(150)},
			resource.DeploymentConfig{CircuitBreaker: true, MinHealthy: 50, MaxPercent: 150}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := toService(types.Service{ServiceArn: sdkaws.String("arn:svc"), DeploymentConfiguration: tc.dc,
				Events: []types.ServiceEvent{
					{CreatedAt: sdkaws.Time(t0), Message: sdkaws.String("older")},
					{CreatedAt: sdkaws.Time(t0.Add(time.Minute)), Message: sdkaws.String("newer")},
				}}, "arn:cluster")
			if s.Config != tc.want {
				t.Errorf("Config = %+v, want %+v", s.Config, tc.want)
			}
			if len(s.Events) != 2 || s.Events[0].Message != "newer" || s.LastEvent.Message != "newer" {
				t.Errorf("events = %+v, last %+v; want newest first", s.Events, s.LastEvent)
			}
		})
	}
}
