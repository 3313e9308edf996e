package postfix

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMaxDisableWithManyEligibleUsers: with 100 users that all meet -d's
// conditions, --max-disable 7 runs the lock exactly 7 times and names the
// other 93 on stderr; none of them gets [DISABLED].
func TestMaxDisableWithManyEligibleUsers(t *testing.T) {
	dir := t.TempDir()
	var log strings.Builder
	for u := 0; u < 100; u++ {
		for i, host := range []string{"unknown", fmt.Sprintf("%d-1-2-3.net%d.example", u, u), "unknown"} {
			fmt.Fprintf(&log, "Nov 27 17:%02d:%02d mx postfix/smtpd[1]: Q%d: client=%s[198.51.%d.%d], sasl_method=PLAIN, sasl_username=user%03d\n",
				10+i, u%60, u*3+i, host, u, i+1, u)
		}
	}
	logPath := filepath.Join(dir, "mail.log")
	calls := filepath.Join(dir, "calls")
	lock := filepath.Join(dir, "lock")
	writeFile(t, logPath, log.String(), 0o644)
	writeFile(t, lock, "#!/bin/sh\necho \"$1\" >> "+calls+"\n", 0o755)
	stubs := filepath.Join(dir, "stubs")
	if err := os.Mkdir(stubs, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(stubs, "sendmail"), "#!/bin/sh\ncat >/dev/null\n", 0o755)
	writeFile(t, filepath.Join(stubs, "hostname"), "#!/bin/sh\necho example.com\n", 0o755)
	t.Setenv("PATH", stubs+string(os.PathListSeparator)+os.Getenv("PATH"))

	var stdout, stderr bytes.Buffer
	code := run([]string{"-m", "3", "-d", "1,1", "--max-disable", "7", "--disable-command", lock, "-l", logPath, "--now", "2026-11-27 18:00:00"},
		nil, &stdout, &stderr, time.Now(), time.UTC)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	data, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(data), "\n"); got != 7 {
		t.Errorf("lock ran %d times, want 7:\n%s", got, data)
	}
	if got := strings.Count(stdout.String(), " [DISABLED]\n"); got != 7 {
		t.Errorf("%d report lines carry [DISABLED], want 7", got)
	}
	if got := strings.Count(stdout.String(), "\n"); got != 2+100 {
		t.Errorf("stdout has %d lines, want header, blank and 100 report lines", got)
	}
	if got := strings.Count(stderr.String(), ": [NOT DISABLED: limit 7 reached]\n"); got != 93 {
		t.Errorf("%d users named on stderr, want 93:\n%s", got, stderr.String())
	}
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}
