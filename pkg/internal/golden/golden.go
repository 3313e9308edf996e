// Package golden compares a test's whole output with a file kept under
// testdata, and rewrites that file when the test binary runs with -update.
// Shared by the checkers' golden tests so each keeps only its cases.
package golden

import (
	"bufio"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the .golden files under testdata from the current output (never the inputs)")

// Updating reports whether -update was given.
func Updating() bool { return *update }

// Check compares got with the file at path; with -update it writes got
// there instead. Only files named *.golden are ever written, so a mistaken
// path cannot overwrite a test input.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if !strings.HasSuffix(path, ".golden") {
		t.Fatalf("golden.Check: %s is not a .golden file", path)
	}
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("output differs from %s (-want +got):\n%s", path, diff)
	}
}

// ReadArgs reads a command line kept one argument per line.
func ReadArgs(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var args []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		args = append(args, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return args
}
