package tui

import (
	"testing"

	"deckhand/internal/resource"
)

func TestFormatBindings(t *testing.T) {
	for _, tc := range []struct {
		bs    []resource.Binding
		ports string
		urls  string
	}{
		{nil, "", ""},
		{[]resource.Binding{{HostIP: "127.0.0.1", HostPort: 49153, ContainerPort: 8080, Protocol: "tcp"}},
			"127.0.0.1:49153->8080/tcp", "http://127.0.0.1:49153"},
		{[]resource.Binding{ // ECS on an EC2 container instance, bridge mode: not on this machine
			{HostIP: "0.0.0.0", HostPort: 32768, ContainerPort: 80, Protocol: "tcp"},
			{HostIP: "::", HostPort: 32768, ContainerPort: 80, Protocol: "tcp"}},
			"0.0.0.0:32768->80/tcp, [::]:32768->80/tcp", ""},
		{[]resource.Binding{{ContainerPort: 53, Protocol: "udp"}, {HostIP: "::1", HostPort: 5353, ContainerPort: 53, Protocol: "udp"}},
			"53/udp, [::1]:5353->53/udp", ""},
		{[]resource.Binding{{HostIP: "::1", HostPort: 8000, ContainerPort: 80}}, "[::1]:8000->80/tcp", "http://[::1]:8000"},
	} {
		if got := formatBindings(tc.bs); got != tc.ports {
			t.Errorf("formatBindings(%+v) = %q, want %q", tc.bs, got, tc.ports)
		}
		if got := bindingURLs(tc.bs); got != tc.urls {
			t.Errorf("bindingURLs(%+v) = %q, want %q", tc.bs, got, tc.urls)
		}
	}
}

// A container's detail says where its port is published and, when that is
// this machine, the address to open.
func TestContainerDetailPorts(t *testing.T) {
	m := &Model{}
	c := resource.Container{Name: "app", TaskARN: "arn:t", LastStatus: "RUNNING",
		NetworkBindings: []resource.Binding{{HostIP: "127.0.0.1", HostPort: 49153, ContainerPort: 8080, Protocol: "tcp"}}}
	got := map[string]string{}
	for _, f := range m.fields(c) {
		got[f.name] = f.value
	}
	if got["Ports"] != "127.0.0.1:49153->8080/tcp" || got[openAt] != "http://127.0.0.1:49153" {
		t.Errorf("fields %q", got)
	}
	if s := containerSummary(c); s != "RUNNING, 127.0.0.1:49153->8080/tcp" {
		t.Errorf("summary %q", s)
	}
}

// A sandbox instance's detail gives the address of the container its user
// data runs; an instance without one has no such field.
func TestInstanceDetailOpenAt(t *testing.T) {
	m := &Model{}
	in := resource.Instance{ID: "i-1", State: "running",
		LocalBindings: []resource.Binding{{HostIP: "127.0.0.1", HostPort: 49160, ContainerPort: 8080, Protocol: "tcp"}}}
	got := map[string]string{}
	for _, f := range m.fields(in) {
		got[f.name] = f.value
	}
	if got[openAt] != "http://127.0.0.1:49160" {
		t.Errorf("fields %q", got)
	}
	in.LocalBindings = nil
	for _, f := range m.fields(in) {
		if f.name == openAt && f.value != "" {
			t.Errorf("%s = %q without bindings", openAt, f.value)
		}
	}
}

// TestInstanceUserDataFailureShown: a failed user-data command shows in the
// CHECKS column (the status checks still pass) and in the detail.
func TestInstanceUserDataFailureShown(t *testing.T) {
	m, feeds := newLoaded(t, 120, 30)
	bad := instance("i-0aaa1111bbbb2222c", "web-1", "running")
	bad.StatusCheck = "ok"
	bad.UserDataFailures = []string{"docker run app:v1: exec: \"/app\": no such file or directory"}
	send(m, feeds["ec2"].update(ec2Set(bad), t0))
	press(m, "1")
	mustContain(t, screen(m), "user data failed")
	press(m, "enter")
	mustContain(t, screen(m), "User data", "failed: docker run app:v1")
}
