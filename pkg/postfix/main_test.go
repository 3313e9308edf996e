package postfix

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain points the protected-account check at the tests' own passwd and
// login.defs, so that no test depends on the machine's accounts.
// (Absolute, since the golden cases run in their own directory.)
func TestMain(m *testing.M) {
	var err1, err2 error
	PasswdFile, err1 = filepath.Abs("testdata/passwd")
	LoginDefsFile, err2 = filepath.Abs("testdata/login.defs")
	if err1 != nil || err2 != nil {
		panic(fmt.Sprint(err1, err2))
	}
	os.Exit(m.Run())
}

// TestExitStatus pins SPEC §1's statuses: 2 for usage errors (one line on
// stderr, nothing on stdout), 1 for runtime errors, 0 for a scan that ran.
func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	if err := os.WriteFile(log, []byte("Nov 27 17:00:01 mx postfix/smtpd[1]: A3: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=bob\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	now := "--now=2026-11-27T18:00:00Z"
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"clean scan", []string{"-l", log, now}, 0},
		{"reported user", []string{"-m", "1", "-l", log, now}, 0},
		{"help", []string{"--help"}, 0},
		{"version", []string{"--version"}, 0},
		{"non-numeric threshold", []string{"-m", "abc", "-l", log}, 2},
		{"octal-looking threshold is decimal", []string{"-m", "09", "-l", log, now}, 0},
		{"bad period", []string{"-p", "foo", "-l", log}, 2},
		{"three disable numbers", []string{"-d", "1,2,3", "-l", log}, 2},
		{"bad webmail", []string{"-w", "1.2.3", "-l", log}, 2},
		{"stray argument", []string{"stray", "-l", log}, 2},
		{"unknown flag", []string{"--bogus"}, 2},
		{"repeated flag", []string{"-m", "1", "-m", "2", "-l", log}, 2},
		{"two disable spellings", []string{"-d", "1", "--dissable-acount", "1", "-l", log}, 2},
		{"unreadable overrides", []string{"--overrides", filepath.Join(dir, "none"), "-l", log}, 2},
		{"bad now", []string{"--now", "tomorrow", "-l", log}, 2},
		{"missing log", []string{"-l", filepath.Join(dir, "none.log"), now}, 1},
		{"one log missing of two", []string{"-m", "1", "-l", filepath.Join(dir, "none.log"), "-l", log, now}, 1},
		{"protect", []string{"--protect", "a,b@example.com", "-l", log, now}, 0},
		{"protect with an empty name", []string{"--protect", "a,,b", "-l", log, now}, 2},
		{"protect empty", []string{"--protect=", "-l", log, now}, 2},
		{"protect twice", []string{"--protect", "a", "--protect", "b", "-l", log, now}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := Main(tc.args, strings.NewReader(""), &stdout, &stderr)
			if got != tc.want {
				t.Fatalf("Main(%q) = %d, want %d; stderr:\n%s", tc.args, got, tc.want, stderr.String())
			}
			if got == 2 {
				if stdout.Len() != 0 {
					t.Errorf("Main(%q): usage error wrote to stdout: %q", tc.args, stdout.String())
				}
				if n := strings.Count(stderr.String(), "\n"); n != 1 {
					t.Errorf("Main(%q): usage error is %d lines on stderr, want 1: %q", tc.args, n, stderr.String())
				}
			}
		})
	}
}

// TestMissingLogStillReports: a runtime error on one input does not lose
// what the other inputs gave.
func TestMissingLogStillReports(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	if err := os.WriteFile(log, []byte("Nov 27 17:00:01 mx postfix/smtpd[1]: A3: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=bob\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	missing := filepath.Join(dir, "gone.log")
	if got := Main([]string{"-m", "1", "-l", missing, "-l", log, "--now=2026-11-27T18:00:00Z"}, nil, &stdout, &stderr); got != 1 {
		t.Fatalf("exit status %d, want 1", got)
	}
	if !strings.Contains(stdout.String(), "sasl_username=bob") {
		t.Errorf("stdout lacks the report from the readable log: %q", stdout.String())
	}
	if !strings.Contains(stderr.String(), missing) {
		t.Errorf("stderr does not name %s: %q", missing, stderr.String())
	}

	// Each unreadable input gets its own line, named and prefixed.
	stdout.Reset()
	stderr.Reset()
	other := filepath.Join(dir, "gone2.log")
	if got := Main([]string{"-l", missing, "-l", other, "-l", log, "--now=2026-11-27T18:00:00Z"}, nil, &stdout, &stderr); got != 1 {
		t.Fatalf("exit status %d, want 1", got)
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], Name+": ") || !strings.Contains(lines[0], missing) ||
		!strings.HasPrefix(lines[1], Name+": ") || !strings.Contains(lines[1], other) {
		t.Errorf("stderr = %q, want one prefixed line per missing log", stderr.String())
	}
}
