package exim

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/spam-gear/spamcheck/pkg/internal/golden"
)

// TestGolden runs testdata/golden/*.args and compares whole outputs with
// their .golden files (see golden.RunCases). Times without a zone are read
// in UTC; no default log exists.
func TestGolden(t *testing.T) {
	golden.RunCases(t, "exim-spam-check", func(args []string, stdout, stderr io.Writer) int {
		return run(args, strings.NewReader(""), stdout, stderr, time.Now(), time.UTC, nil)
	})
}
