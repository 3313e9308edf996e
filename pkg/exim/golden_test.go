package exim

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.golden from the current output")

// TestGolden runs each testdata/golden/NAME.args (one argument per line,
// paths relative to testdata/) and compares the whole standard output with
// NAME.golden. Every case must exit 0 with nothing on stderr. Times without
// a zone are read in UTC; no default log exists.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/golden/*.args")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, argsFile := range cases {
		name := strings.TrimSuffix(filepath.Base(argsFile), ".args")
		t.Run(name, func(t *testing.T) {
			args := readArgs(t, argsFile)
			goldenFile, err := filepath.Abs(strings.TrimSuffix(argsFile, ".args") + ".golden")
			if err != nil {
				t.Fatal(err)
			}
			t.Chdir("testdata")
			var stdout, stderr bytes.Buffer
			code := run(args, strings.NewReader(""), &stdout, &stderr, time.Now(), time.UTC, nil)
			if code != 0 || stderr.Len() != 0 {
				t.Fatalf("exim-spam-check %q: exit %d, stderr:\n%s", args, code, stderr.String())
			}
			if *update {
				if err := os.WriteFile(goldenFile, stdout.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenFile)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), stdout.String()); diff != "" {
				t.Errorf("exim-spam-check %q mismatch (-want +got):\n%s", args, diff)
			}
		})
	}
}

func readArgs(t *testing.T, path string) []string {
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
