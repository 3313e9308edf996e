package postfix

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

// runLog runs the tool in UTC on log (written to a file) with args after
// -l FILE, and returns stdout; any stderr or a non-zero status fails.
func runLog(t *testing.T, log string, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mail.log")
	if err := os.WriteFile(path, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args = append([]string{"-l", path}, args...)
	if code := run(args, strings.NewReader(""), &stdout, &stderr, time.Now(), time.UTC); code != 0 || stderr.Len() > 0 {
		t.Fatalf("%q: exit %d, stderr %q", args, code, stderr.String())
	}
	return stdout.String()
}

func saslLine(stamp, user string) string {
	return stamp + " mx1 postfix/smtpd[4242]: 4A1B2C3D: client=unknown[192.0.2.5], sasl_method=PLAIN, sasl_username=" + user
}

// TestNowDoesNotBoundTheEnd: with --now=T the lines stamped after T, up to
// the year-inference horizon (24 h), count, as in a live run at clock time
// T (SPEC §1 "--now"). A line 24.5 h ahead is last year's: out.
func TestNowDoesNotBoundTheEnd(t *testing.T) {
	first := saslLine("Nov 27 17:30:00", "bob")
	log := strings.Join([]string{
		saslLine("Nov 27 16:59:00", "bob"), // before the window
		first,
		saslLine("Nov 27 18:05:00", "bob"), // 5 min after --now
		saslLine("Nov 28 17:00:00", "bob"), // 23 h after --now
		saslLine("Nov 28 18:30:00", "bob"), // 24.5 h: Nov 28 2025, out
	}, "\n") + "\n"
	got := runLog(t, log, "-p", "1hour", "-m", "3", "--now", "2026-11-27 18:00:00")
	want := report.Header("1hour", "3") + "\n\n" + "3 (1 nets/1 unknowns/1 IPs/0 webmail) -- " + first + "\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

// TestCRLFLogKeepsCR: a CRLF log is parsed as if it were LF (the user does
// not get a '\r' appended), and the report's first line is printed with
// every byte of the log line, CR included, as the old tool printed it.
func TestCRLFLogKeepsCR(t *testing.T) {
	log := saslLine("Nov 27 17:30:00", "bob") + "\r\n" +
		saslLine("Nov 27 17:31:00", "bob") + "\r\n" +
		strings.Replace(saslLine("Nov 27 17:32:00", "bob"), "192.0.2.5", "192.0.2.6", 1) + "\r\n"
	got := runLog(t, log, "-p", "1hour", "-m", "3", "--now", "2026-11-27 18:00:00")
	want := report.Header("1hour", "3") + "\n\n" + "3 (1 nets/2 unknowns/2 IPs/0 webmail) -- " + saslLine("Nov 27 17:30:00", "bob") + "\r\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}
