package php

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// runLog runs a tool in UTC on log (written to a file) with -l FILE, --now
// and args, and returns stdout; any stderr or a non-zero status fails.
func runLog(t *testing.T, legacy bool, log, now string, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mail.log")
	if err := os.WriteFile(path, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args = append([]string{"-l", path, "--now", now}, args...)
	if code := runInUTC(legacy, args, &stdout, &stderr); code != 0 || stderr.Len() > 0 {
		t.Fatalf("%q: exit %d, stderr %q", args, code, stderr.String())
	}
	return stdout.String()
}

func phpLine(stamp, file string) string {
	return "[" + stamp + " UTC] mail() on [" + file + ":12]: To: victim@example.org -- Headers: From: x@example.com"
}

func legacyLine(stamp, file string) string {
	return stamp + " web1 www-data: sendmail-php url=www.example.com/c.php, client=192.0.2.7, filename=" + file + ", uid=33, user=www-data, args="
}

// TestNowDoesNotBoundTheEnd: with --now=T the lines stamped after T count,
// as in a live run at clock time T (SPEC §1 "--now"): php-spam-check -p
// (PHP's dated stamps), php-legacy-spam-check (syslog stamps, counted up
// to the 24 h year-inference horizon).
func TestNowDoesNotBoundTheEnd(t *testing.T) {
	const now = "2026-11-27T18:00:00Z"
	t.Run("php-spam-check -p", func(t *testing.T) {
		log := strings.Join([]string{
			phpLine("27-Nov-2026 16:59:00", "/srv/a.php"), // before the window
			phpLine("27-Nov-2026 17:30:00", "/srv/a.php"),
			phpLine("27-Nov-2026 18:00:01", "/srv/a.php"),
			phpLine("28-Nov-2026 17:00:00", "/srv/a.php"),
			phpLine("27-Nov-2026 17:30:00", "/srv/b.php"),
			phpLine("27-Nov-2026 17:31:00", "/srv/b.php"),
		}, "\n") + "\n"
		got := runLog(t, false, log, now, "-p", "1hour", "3")
		if diff := cmp.Diff("/srv/a.php\n", got); diff != "" {
			t.Errorf("report (-want +got):\n%s", diff)
		}
	})
	t.Run("php-legacy-spam-check", func(t *testing.T) {
		// 10 minutes → a 12-minute window from 17:48:00.
		log := strings.Join([]string{
			legacyLine("Nov 27 17:47:00", "/var/www/a.php"), // before
			legacyLine("Nov 27 17:50:00", "/var/www/a.php"),
			legacyLine("Nov 27 18:00:30", "/var/www/a.php"),
			legacyLine("Nov 28 17:00:00", "/var/www/a.php"), // 23 h ahead
			legacyLine("Nov 27 17:50:00", "/var/www/b.php"),
			legacyLine("Nov 27 17:51:00", "/var/www/b.php"),
			legacyLine("Nov 28 18:30:00", "/var/www/b.php"), // 24.5 h: last year
		}, "\n") + "\n"
		got := runLog(t, true, log, now, "10", "3")
		if diff := cmp.Diff("/var/www/a.php\n", got); diff != "" {
			t.Errorf("report (-want +got):\n%s", diff)
		}
	})
}

// TestCRLFLog: the php tools print only paths, which end before ":LINE]"
// (php-spam-check) or ", uid=" (php-legacy), so a CRLF log prints no CR,
// as the old tools printed none; the lines are counted as in an LF log.
func TestCRLFLog(t *testing.T) {
	const now = "2026-11-27T18:00:00Z"
	php := phpLine("27-Nov-2026 17:30:00", "/srv/a.php") + "\r\n" + phpLine("27-Nov-2026 17:31:00", "/srv/a.php") + "\r\n"
	for _, args := range [][]string{{"2"}, {"-p", "1hour", "2"}} {
		if got := runLog(t, false, php, now, args...); got != "/srv/a.php\n" {
			t.Errorf("php-spam-check %q on a CRLF log: %q, want %q", args, got, "/srv/a.php\n")
		}
	}
	legacy := legacyLine("Nov 27 17:50:00", "/var/www/a.php") + "\r\n" + legacyLine("Nov 27 17:51:00", "/var/www/a.php") + "\r\n"
	if got := runLog(t, true, legacy, now, "10", "2"); got != "/var/www/a.php\n" {
		t.Errorf("php-legacy-spam-check on a CRLF log: %q, want %q", got, "/var/www/a.php\n")
	}
}
