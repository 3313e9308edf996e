package exim

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/report"
)

// runLog runs the tool in UTC on log (written to a file) with -l FILE and
// args, and returns stdout; any stderr or a non-zero status fails.
func runLog(t *testing.T, log string, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mainlog")
	if err := os.WriteFile(path, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args = append([]string{"-l", path}, args...)
	if code := run(args, strings.NewReader(""), &stdout, &stderr, time.Now(), time.UTC, nil); code != 0 || stderr.Len() > 0 {
		t.Fatalf("%q: exit %d, stderr %q", args, code, stderr.String())
	}
	return stdout.String()
}

func arrival(stamp, user string) string {
	return stamp + " 1xWzJG-0000GT-3d <= " + user + "@example.org U=" + user + " P=local S=1803"
}

// TestNowDoesNotBoundTheEnd: with --now=T the lines stamped after T count,
// as in a live run at clock time T (SPEC §1 "--now"), in both syntaxes.
// Exim's stamps carry the year, so no horizon applies.
func TestNowDoesNotBoundTheEnd(t *testing.T) {
	first := arrival("2026-11-27 17:30:00", "alice")
	log := strings.Join([]string{
		arrival("2026-11-27 16:59:00", "alice"), // before the window
		first,
		arrival("2026-11-27 18:00:01", "alice"), // just after --now
		arrival("2026-11-28 17:00:00", "alice"), // 23 h after
		arrival("2026-11-29 18:00:00", "alice"), // two days after
	}, "\n") + "\n"
	for _, tc := range []struct {
		name   string
		args   []string
		header string
	}{
		{"flags", []string{"-p", "1hour", "-m", "3"}, report.Header("1hour", "3")},
		{"positional", []string{"3600", "3"}, report.Header("3600seconds", "3")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runLog(t, log, append(tc.args, "--now", "2026-11-27 18:00:00")...)
			want := tc.header + "\n\n" + "4 -- " + first + "\n"
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCRLFLogKeepsCR: a CRLF log is parsed as if it were LF (the key gets
// no '\r'), and the report's first line keeps every byte, CR included, as
// the old tool printed it.
func TestCRLFLogKeepsCR(t *testing.T) {
	smtp := "2026-11-27 17:40:00 1xWzJa-0000hu-ya <= info@edge.example H=mail.edge.example (edge.example) [198.51.100.20] P=esmtps S=4000"
	log := arrival("2026-11-27 17:30:00", "alice") + "\r\n" +
		arrival("2026-11-27 17:31:00", "alice") + "\r\n" +
		smtp + "\r\n" + smtp + "\r\n"
	got := runLog(t, log, "-p", "1hour", "-m", "1", "--now", "2026-11-27 18:00:00")
	want := report.Header("1hour", "1") + "\n\n" +
		"2 -- " + arrival("2026-11-27 17:30:00", "alice") + "\r\n" +
		"2 -- " + smtp + "\r\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}
