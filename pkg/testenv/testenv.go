// Package testenv decides what a test does when a real component it needs
// (a daemon, a program, root) is missing: outside CI it skips with a message
// that says how to enable it; under CI=true, where everything must run, it
// fails.
package testenv

import (
	"fmt"
	"os"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true), where nothing may
// skip for lack of a component.
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing stops t for a missing prerequisite: a skip saying what is missing
// and how to enable the test, or under CI=true a failure.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatal(msg + " (CI=true requires it)")
	}
	t.Skip(msg)
}
