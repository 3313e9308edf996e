// Package golden compares a test's whole output with a file kept under
// testdata, and rewrites that file when the test binary runs with -update.
// Shared by the checkers' golden tests so each keeps only its cases.
package golden

import (
	"bufio"
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spam-gear/spamcheck/pkg/cli"

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

// RunCases runs every testdata/golden/NAME.args (one argument per line,
// paths relative to testdata/, where the tool runs) as subtest NAME and
// compares the tool's whole standard output with NAME.golden. Each case
// must exit 0 with nothing on stderr. run is the tool with its clock and
// zone already fixed by the caller.
func RunCases(t *testing.T, tool string, run func(args []string, stdout, stderr io.Writer) int) {
	t.Helper()
	cases, err := filepath.Glob("testdata/golden/*.args")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	// The JSON document names the release; a version bump must not change
	// every golden file.
	saved := cli.Version
	cli.Version = "golden"
	defer func() { cli.Version = saved }()
	for _, argsFile := range cases {
		name := strings.TrimSuffix(filepath.Base(argsFile), ".args")
		t.Run(name, func(t *testing.T) {
			args := ReadArgs(t, argsFile)
			goldenFile, err := filepath.Abs(strings.TrimSuffix(argsFile, ".args") + ".golden")
			if err != nil {
				t.Fatal(err)
			}
			t.Chdir("testdata")
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr); code != 0 || stderr.Len() != 0 {
				t.Fatalf("%s %q: exit %d, stderr:\n%s", tool, args, code, stderr.String())
			}
			Check(t, goldenFile, stdout.Bytes())
		})
	}
}
