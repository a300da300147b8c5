// Package testbed starts and finds the real parts integration tests run
// against: a moto server for AWS and a Docker engine. When a part is missing
// a test skips with a loud message, or fails when CI=true, because in CI a
// missing part means the test command did not set the machine up.
package testbed

import (
	"os"
	"testing"
)

// Missing skips t, or fails it under CI=true, naming the part and the fix.
func Missing(t testing.TB, part, fix string) {
	t.Helper()
	msg := "\n*** " + part + " is not available: " + fix + " ***\n"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "(CI=true: a missing test dependency is a failure)")
	}
	t.Skip(msg)
}
