package php

import (
	"bytes"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExitStatus pins SPEC §1's statuses for both tools: 2 for usage errors
// (one line on stderr, nothing on stdout), 1 for runtime errors (what was
// computed still printed), 0 for a scan that ran.
func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	phpLog := filepath.Join(dir, "phpmail.log")
	mailLog := filepath.Join(dir, "mail.log")
	writeFile(t, phpLog, "mail() on [/var/www/a.php:3]: To: a@example.org -- Headers: \n")
	writeFile(t, mailLog, "Nov 27 17:55:00 web1 www-data: sendmail-php url=x/, client=192.0.2.7, filename=/var/www/a.php, uid=33, user=www-data, args=\n")
	missing := filepath.Join(dir, "none.log")
	now := "--now=2026-11-27T18:00:00Z"
	tests := []struct {
		name   string
		main   func([]string, io.Reader, io.Writer, io.Writer) int
		args   []string
		want   int
		stdout string // checked when not empty
	}{
		{"php: clean scan", Main, []string{"-l", phpLog}, 0, ""},
		{"php: reported script", Main, []string{"1", "-l", phpLog}, 0, "/var/www/a.php\n"},
		{"php: options after the number", Main, []string{"-l", phpLog, "1"}, 0, "/var/www/a.php\n"},
		{"php: with a period", Main, []string{"-p", "1day", "1", "-l", phpLog, now}, 0, ""},
		{"php: help", Main, []string{"--help"}, 0, ""},
		{"php: -h", Main, []string{"-h"}, 0, ""},
		{"php: version", Main, []string{"--version"}, 0, ""},
		{"php: non-numeric threshold", Main, []string{"abc", "-l", phpLog}, 2, ""},
		{"php: fractional threshold", Main, []string{"1.5", "-l", phpLog}, 2, ""},
		{"php: negative threshold", Main, []string{"-5", "-l", phpLog}, 2, ""},
		{"php: threshold too large", Main, []string{"99999999999999999999", "-l", phpLog}, 2, ""},
		{"php: empty threshold", Main, []string{"", "-l", phpLog}, 2, ""},
		{"php: two numbers", Main, []string{"500", "600", "-l", phpLog}, 2, ""},
		{"php: bad period", Main, []string{"-p", "1.5hour", "-l", phpLog}, 2, ""},
		{"php: period twice", Main, []string{"-p", "1hour", "-p", "2hours", "-l", phpLog}, 2, ""},
		{"php: unknown flag", Main, []string{"--bogus"}, 2, ""},
		{"php: bad now", Main, []string{"--now", "tomorrow", "-l", phpLog}, 2, ""},
		{"php: bad format", Main, []string{"--format", "xml", "-l", phpLog}, 2, ""},
		{"php: missing log", Main, []string{"-l", missing}, 1, ""},
		{"php: one log missing of two", Main, []string{"1", "-l", missing, "-l", phpLog}, 1, "/var/www/a.php\n"},
		{"php: directory as log", Main, []string{"-l", dir}, 1, ""},

		{"legacy: clean scan", LegacyMain, []string{"-l", mailLog, now}, 0, ""},
		{"legacy: reported script", LegacyMain, []string{"10", "1", "-l", mailLog, now}, 0, "/var/www/a.php\n"},
		{"legacy: --flag=value forms", LegacyMain, []string{"--log=" + mailLog, now, "10", "1"}, 0, "/var/www/a.php\n"},
		{"legacy: help", LegacyMain, []string{"--help"}, 0, ""},
		{"legacy: version", LegacyMain, []string{"--version"}, 0, ""},
		{"legacy: non-numeric minutes", LegacyMain, []string{"abc", "10", "-l", mailLog}, 2, ""},
		{"legacy: non-numeric max", LegacyMain, []string{"10", "ten", "-l", mailLog}, 2, ""},
		{"legacy: minutes with a unit", LegacyMain, []string{"10m", "-l", mailLog}, 2, ""},
		{"legacy: three numbers", LegacyMain, []string{"10", "10", "10", "-l", mailLog}, 2, ""},
		{"legacy: period is not an option", LegacyMain, []string{"-p", "1hour", "-l", mailLog}, 2, ""},
		{"legacy: unknown flag", LegacyMain, []string{"--bogus"}, 2, ""},
		{"legacy: missing log", LegacyMain, []string{"-l", missing, now}, 1, ""},
		{"legacy: one log missing of two", LegacyMain, []string{"10", "1", "-l", missing, "-l", mailLog, now}, 1, "/var/www/a.php\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := tc.main(tc.args, strings.NewReader(""), &stdout, &stderr)
			if got != tc.want {
				t.Fatalf("exit status of %q = %d, want %d; stderr:\n%s", tc.args, got, tc.want, stderr.String())
			}
			if tc.stdout != "" && stdout.String() != tc.stdout {
				t.Errorf("stdout of %q = %q, want %q", tc.args, stdout.String(), tc.stdout)
			}
			switch got {
			case 2:
				if stdout.Len() != 0 {
					t.Errorf("usage error %q wrote to stdout: %q", tc.args, stdout.String())
				}
				if n := strings.Count(stderr.String(), "\n"); n != 1 {
					t.Errorf("usage error %q is %d lines on stderr, want 1: %q", tc.args, n, stderr.String())
				}
			case 1:
				if !strings.Contains(stderr.String(), missing) && !strings.Contains(stderr.String(), dir) {
					t.Errorf("runtime error %q does not name the file: %q", tc.args, stderr.String())
				}
			case 0:
				if stderr.Len() != 0 {
					t.Errorf("clean scan %q wrote to stderr: %q", tc.args, stderr.String())
				}
			}
		})
	}
}

// TestUsageErrorNamesValue: the one-line usage error names what was typed.
func TestUsageErrorNamesValue(t *testing.T) {
	for _, tc := range []struct {
		main func([]string, io.Reader, io.Writer, io.Writer) int
		args []string
		want string
	}{
		{Main, []string{"5OO"}, "5OO"},
		{Main, []string{"-p", "foo"}, "foo"},
		{LegacyMain, []string{"1O"}, "1O"},
		{LegacyMain, []string{"10", "x9"}, "x9"},
	} {
		var stdout, stderr bytes.Buffer
		if got := tc.main(tc.args, nil, &stdout, &stderr); got != 2 {
			t.Fatalf("exit status of %q = %d, want 2", tc.args, got)
		}
		if !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("usage error for %q does not name %q: %q", tc.args, tc.want, stderr.String())
		}
	}
}

// TestDecimalThreshold: "010" is ten (bash read it as octal eight).
func TestDecimalThreshold(t *testing.T) {
	log := filepath.Join(t.TempDir(), "phpmail.log")
	var b strings.Builder
	for range 9 {
		b.WriteString("mail() on [/nine.php:1]: To: a -- Headers: \n")
	}
	for range 10 {
		b.WriteString("mail() on [/ten.php:1]: To: a -- Headers: \n")
	}
	writeFile(t, log, b.String())
	var stdout, stderr bytes.Buffer
	if got := Main([]string{"010", "-l", log}, nil, &stdout, &stderr); got != 0 {
		t.Fatalf("exit status %d; stderr %q", got, stderr.String())
	}
	if stdout.String() != "/ten.php\n" {
		t.Errorf("php-spam-check 010 printed %q, want %q", stdout.String(), "/ten.php\n")
	}
}

// TestDefaults: without arguments the old defaults apply (500; 10 and 10)
// on the default logs.
func TestDefaults(t *testing.T) {
	now := time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)
	o, code, stop := parseArgs(nil, io.Discard, io.Discard, now, time.UTC)
	if stop {
		t.Fatalf("parseArgs(nil) stopped with %d", code)
	}
	if o.Max != 500 || o.PeriodSet || len(o.Logs) != 1 || o.Logs[0] != DefaultLog || o.Format != "text" {
		t.Errorf("php-spam-check defaults = max %d, period set %v, logs %q, format %q", o.Max, o.PeriodSet, o.Logs, o.Format)
	}
	if _, ok := o.Window(); ok {
		t.Errorf("php-spam-check without -p has a window")
	}
	// The default log is read when it exists (without it, the journal:
	// TestLegacyJournal).
	old := defaultLegacyLog
	defaultLegacyLog = filepath.Join(t.TempDir(), "mail.log")
	defer func() { defaultLegacyLog = old }()
	if err := os.WriteFile(defaultLegacyLog, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	lo, code, stop := parseLegacyArgs(nil, io.Discard, io.Discard, now, time.UTC)
	if stop {
		t.Fatalf("parseLegacyArgs(nil) stopped with %d", code)
	}
	if lo.Minutes != 10 || lo.Max != 10 || len(lo.Logs) != 1 || lo.Logs[0] != defaultLegacyLog {
		t.Errorf("php-legacy-spam-check defaults = minutes %d, max %d, logs %q", lo.Minutes, lo.Max, lo.Logs)
	}
	w := lo.Window()
	if want := now.Add(-12 * time.Minute); !w.Start.Equal(want) || w.Inclusive {
		t.Errorf("php-legacy-spam-check default window starts %v (inclusive %v), want %v, strict", w.Start, w.Inclusive, want)
	}
}

func TestLegacyWindow(t *testing.T) {
	const maxMinutes = math.MaxInt64 / int64(time.Minute)
	tests := []struct {
		minutes int64
		want    time.Duration
		ok      bool
	}{
		{0, 0, true},
		{1, time.Minute, true},
		{4, 4 * time.Minute, true}, // 4.8 truncated
		{5, 6 * time.Minute, true},
		{9, 10 * time.Minute, true}, // 10.8 truncated
		{10, 12 * time.Minute, true},
		{11, 13 * time.Minute, true},
		{15, 18 * time.Minute, true},
		{60, 72 * time.Minute, true},
		{1440, 1728 * time.Minute, true},
		{maxMinutes * 10 / 12, time.Duration(maxMinutes*10/12*12/10) * time.Minute, true},
		{maxMinutes, 0, false},
		{math.MaxInt64, 0, false},
	}
	for _, tc := range tests {
		got, ok := LegacyWindow(tc.minutes)
		if got != tc.want || ok != tc.ok {
			t.Errorf("LegacyWindow(%d) = %v, %v; want %v, %v", tc.minutes, got, ok, tc.want, tc.ok)
		}
	}
}

// TestHugeMinutesCountsEverything: a window longer than a Duration holds
// is the whole log, not an overflow into the future.
func TestHugeMinutesCountsEverything(t *testing.T) {
	log := filepath.Join(t.TempDir(), "mail.log")
	writeFile(t, log, "2001-01-01T00:00:00Z web1 bob: sendmail-php url=, client=, filename=/old.php, uid=1, user=bob, args=\n")
	var stdout, stderr bytes.Buffer
	if got := LegacyMain([]string{"9223372036854775807", "1", "-l", log, "--now=2026-11-27T18:00:00Z"}, nil, &stdout, &stderr); got != 0 {
		t.Fatalf("exit status %d; stderr %q", got, stderr.String())
	}
	if stdout.String() != "/old.php\n" {
		t.Errorf("stdout = %q, want %q", stdout.String(), "/old.php\n")
	}
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLongLinesAndOddBytes: a 16 MiB header block, NUL bytes and invalid
// UTF-8 neither stop the scan nor lose the lines around them.
func TestLongLinesAndOddBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 16 MiB line")
	}
	log := filepath.Join(t.TempDir(), "phpmail.log")
	huge := strings.Repeat("X-Junk: \xff\x00 padding ", 16<<20/20)
	writeFile(t, log, "mail() on [/srv/a.php:1]: To: a -- Headers: \n"+
		"[27-Nov-2026 17:59:00 UTC] mail() on [/srv/a.php:2]: To: \x00\xfe -- Headers: "+huge+"\n"+
		"mail() on [/srv/a.php:3]: To: c -- Headers: "+huge+"\n"+
		"mail() on [/srv/b.php:1]: To: d -- Headers: ")
	var stdout, stderr bytes.Buffer
	if got := Main([]string{"3", "-l", log}, nil, &stdout, &stderr); got != 0 {
		t.Fatalf("exit status %d; stderr %q", got, stderr.String())
	}
	if stdout.String() != "/srv/a.php\n" {
		t.Errorf("stdout = %q, want %q", stdout.String(), "/srv/a.php\n")
	}
	stdout.Reset()
	if got := Main([]string{"1", "-l", log}, nil, &stdout, &stderr); got != 0 || stdout.String() != "/srv/a.php\n/srv/b.php\n" {
		t.Errorf("threshold 1: status %d, stdout %q; want the unterminated last line counted too", got, stdout.String())
	}
}
