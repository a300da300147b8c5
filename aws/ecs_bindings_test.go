package aws

import (
	"slices"
	"testing"

	"deckhand/internal/resource"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// ECS reports where a bridge- or host-mode container's ports are published
// in containers[].networkBindings; toTask keeps them.
func TestToTaskNetworkBindings(t *testing.T) {
	task := toTask(ecstypes.Task{
		TaskArn: sdkaws.String("arn:aws:ecs:us-east-1:1:task/prod/abc123"),
		Containers: []ecstypes.Container{
			{Name: sdkaws.String("web"), NetworkBindings: []ecstypes.NetworkBinding{
				{BindIP: sdkaws.String("0.0.0.0"), HostPort: sdkaws.Int32(32768), ContainerPort: sdkaws.Int32(80), Protocol: ecstypes.TransportProtocolTcp},
				{BindIP: sdkaws.String("::"), HostPort: sdkaws.Int32(32768), ContainerPort: sdkaws.Int32(80), Protocol: ecstypes.TransportProtocolTcp},
				{ContainerPort: sdkaws.Int32(53), Protocol: ecstypes.TransportProtocolUdp},
			}},
			{Name: sdkaws.String("sidecar")},
		},
	}, "")
	want := []resource.Binding{
		{HostIP: "0.0.0.0", HostPort: 32768, ContainerPort: 80, Protocol: "tcp"},
		{HostIP: "::", HostPort: 32768, ContainerPort: 80, Protocol: "tcp"},
		{ContainerPort: 53, Protocol: "udp"},
	}
	if got := task.Containers[0].NetworkBindings; !slices.Equal(got, want) {
		t.Errorf("web's bindings = %+v, want %+v", got, want)
	}
	if got := task.Containers[1].NetworkBindings; got != nil {
		t.Errorf("sidecar's bindings = %+v, want none", got)
	}
}
