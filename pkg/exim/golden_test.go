package exim

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spam-gear/spamcheck/pkg/internal/golden"
)

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
			args := golden.ReadArgs(t, argsFile)
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
			golden.Check(t, goldenFile, stdout.Bytes())
		})
	}
}
