package postfix

import (
	"bytes"
	"github.com/spam-gear/spamcheck/pkg/testenv"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const goodLine = "Nov 27 17:30:00 mx postfix/smtpd[1]: Q1: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=bob"

// TestMalformedLogs: bad bytes around good lines cost nothing but the bad
// lines; unusable inputs are clear errors (exit 1) and never a crash or a hang.
func TestMalformedLogs(t *testing.T) {
	huge := strings.Repeat("x", 16<<20)
	binary := make([]byte, 1<<20)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	tests := []struct {
		name      string
		content   string
		wantCount string // "" when nothing is reported
	}{
		{"16 MiB line between good ones", goodLine + "\n" + huge + "\n" + goodLine + "\n", "2"},
		{"16 MiB line holding the marker", goodLine + "\n" + "Nov 27 17:31:00 mx postfix/smtpd[1]: Q2: client=h[192.0.2.2], sasl_username=" + huge + "\n" + goodLine + "\n", "2"},
		{"NUL bytes", goodLine + "\n\x00\x00sasl_username=\x00\n" + goodLine + "\x00\n", "1"},
		{"invalid UTF-8", goodLine + "\n\xff\xfe sasl_username=\xc3\x28\n" + goodLine + "\n", "2"},
		{"CRLF endings", goodLine + "\r\n" + goodLine + "\r\n", "2"},
		{"unterminated last line", goodLine + "\n" + goodLine, "2"},
		{"binary file", string(binary), ""},
		{"empty file", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "mail.log")
			writeFile(t, path, tc.content, 0o644)
			var stdout, stderr bytes.Buffer
			code := run([]string{"-m", "2", "-l", path, "--now", "2026-11-27 18:00:00"}, nil, &stdout, &stderr, time.Now(), time.UTC)
			if code != 0 || stderr.Len() != 0 {
				t.Fatalf("exit %d, stderr %q", code, stderr.String())
			}
			switch {
			case tc.wantCount == "" && stdout.Len() != 0:
				t.Errorf("reported from a log with nothing to count:\n%s", stdout.String())
			case tc.wantCount != "" && !strings.Contains(stdout.String(), "\n"+tc.wantCount+" (") && tc.wantCount != "1":
				t.Errorf("want bob counted %s times, got:\n%s", tc.wantCount, stdout.String())
			case tc.wantCount == "1" && stdout.Len() != 0:
				// One good line (the other carries a NUL in the user) is below -m 2.
				t.Errorf("a user name with a NUL byte was merged with bob:\n%s", stdout.String())
			}
		})
	}
}

// TestUnusableInputs: a directory or a missing file is a runtime error
// naming it; a FIFO is read as a stream.
func TestUnusableInputs(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-l", dir, "--now", "2026-11-27 18:00:00"}, nil, &stdout, &stderr, time.Now(), time.UTC); code != 1 || !strings.Contains(stderr.String(), dir) {
		t.Errorf("directory as --log: exit %d, stderr %q; want 1 and the path named", code, stderr.String())
	}

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		testenv.Missing(t, "mkfifo: %v", err)
	}
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		f.WriteString(goodLine + "\n" + goodLine + "\n")
		f.Close()
	}()
	stdout.Reset()
	stderr.Reset()
	code := run([]string{"-m", "2", "-l", fifo, "--now", "2026-11-27 18:00:00"}, nil, &stdout, &stderr, time.Now(), time.UTC)
	if code != 0 || !strings.Contains(stdout.String(), "\n2 (1 nets/1 unknowns/1 IPs/0 webmail) -- "+goodLine+"\n") {
		t.Errorf("FIFO as --log: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}
