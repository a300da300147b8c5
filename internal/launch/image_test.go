package launch

import "testing"

// TestImageNames: the names the targets and the destroys must agree on.
// The wanted values are spelled out, not derived, so a change of the
// naming rule shows here.
func TestImageNames(t *testing.T) {
	const id = "sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
	tests := []struct {
		name, got, want string
	}{
		{"repository", ImageRepository("web"), "deckhand/web"},
		{"build tag", ImageName("web"), "deckhand/web:latest"},
		{"push tag", PushTag("123456789012.dkr.ecr.us-east-1.amazonaws.com/deckhand/web", id),
			"123456789012.dkr.ecr.us-east-1.amazonaws.com/deckhand/web:0a1b2c3d4e5f"},
		{"push tag, sandbox registry", PushTag("localhost:5000/deckhand/api", "abc"), "localhost:5000/deckhand/api:abc"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if l := StackLabels("web"); len(l) != 1 || l["deckhand.stack"] != "web" {
		t.Errorf("StackLabels(web) = %v, want only deckhand.stack=web", l)
	}
}

// TestIsStackTag: the tags a launch gives an image (the build's and the
// push's under a registry) are deckhand's; others are someone else's, and
// a destroy keeps an image carrying one.
func TestIsStackTag(t *testing.T) {
	tests := []struct {
		tag  string
		want bool
	}{
		{"deckhand/web:latest", true},
		{"123456789012.dkr.ecr.us-east-1.amazonaws.com/deckhand/web:0a1b2c3d", true},
		{"localhost:5000/deckhand/web:1", true},
		{"deckhand/web2:latest", false},
		{"deckhand/we:latest", false},
		{"someone/deckhand/web:1", false},
		{"web:latest", false},
		{"123456789012.dkr.ecr.us-east-1.amazonaws.com/other:1", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := IsStackTag(tc.tag, "web"); got != tc.want {
			t.Errorf("IsStackTag(%q, web) = %v, want %v", tc.tag, got, tc.want)
		}
	}
}

func TestShortID(t *testing.T) {
	tests := []struct{ id, want string }{
		{"sha256:0a1b2c3d4e5f60718293a4b5", "0a1b2c3d4e5f"},
		{"0a1b2c3d4e5f60718293a4b5", "0a1b2c3d4e5f"}, // a container ID has no prefix
		{"0a1b2c3d4e5f", "0a1b2c3d4e5f"},
		{"sha256:abc", "abc"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := ShortID(tc.id); got != tc.want {
			t.Errorf("ShortID(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}
