package timestamp

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// looksDated is a loose test of "this line starts with a timestamp",
// independent of the exact shapes: a month word and a day, a 4-digit year
// and a dash, or PHP's "[dd-". Every such corpus line must parse.
var looksDated = regexp.MustCompile(`^(?:[A-Z][a-z]{2} +\d|\d{4}-|\[\d\d-)`)

// TestCorpus reads the real log lines kept in testdata/corpus (copied from
// ../shared/corpus, provenance in testdata/corpus/SOURCES.md) and, when the
// shared tree is there, the shared corpus itself, which may have grown.
// Every line that starts with a timestamp must parse, to the instant and
// length the oracle computes; no other line may parse.
func TestCorpus(t *testing.T) {
	dirs := []string{filepath.Join("testdata", "corpus")}
	shared := filepath.Join("..", "..", "..", "shared", "corpus")
	if _, err := os.Stat(shared); err == nil {
		dirs = append(dirs, shared)
	} else {
		t.Logf("%s not present (%v): testing the copy only", shared, err)
	}
	madrid := mustLoad(t, "Europe/Madrid")
	now := at3339(testNow)
	o := oracle{now: now, loc: madrid}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.log"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) < 10 {
			t.Fatalf("%s: only %d log files", dir, len(files))
		}
		for _, file := range files {
			t.Run(file, func(t *testing.T) {
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				p := NewParser(now, madrid)
				dated := 0
				for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
					var got parsed
					got.T, got.N, got.OK = p.Parse(line)
					var want parsed
					want.T, want.N, want.OK = o.parse(string(line))
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s:%d: Parse(%.60q) mismatch (-want +got):\n%s", file, i+1, line, diff)
					}
					if looks := looksDated.Match(line); looks != got.OK {
						t.Errorf("%s:%d: Parse(%.60q) ok = %v, but line looks dated: %v", file, i+1, line, got.OK, looks)
					}
					if got.OK {
						dated++
					}
				}
				t.Logf("%d dated lines", dated)
			})
		}
	}
}
