package exim

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/report"
)

var testNow = time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)

const oneLine = "2026-11-27 17:30:00 1xWzmW-0000aQ-Pc <= alerts@app.example U=app P=local S=703\n"

func writeLog(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestExitStatus pins SPEC §1's statuses: 2 for usage errors (one line on
// stderr, nothing on stdout), 1 for runtime errors, 0 for a scan that ran.
func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	log := writeLog(t, dir, "mainlog", oneLine)
	unreadable := filepath.Join(dir, "unreadable")
	if err := os.Mkdir(unreadable, 0o755); err != nil {
		t.Fatal(err)
	}
	now := "--now=2026-11-27T18:00:00Z"
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"clean scan", []string{"-l", log, now}, 0},
		{"reported user", []string{"3600", "0", "-l", log, now}, 0},
		{"flag form", []string{"-p", "1hour", "-m", "0", "-l", log, now}, 0},
		{"-m with SECONDS", []string{"-m", "0", "3600", "-l", log, now}, 0},
		{"auth and json", []string{"--auth", "--format", "json", "-l", log, now}, 0},
		{"help", []string{"--help"}, 0},
		{"version", []string{"--version"}, 0},
		{"octal-looking numbers are decimal", []string{"010", "09", "-l", log, now}, 0},
		{"non-numeric SECONDS", []string{"abc", "-l", log}, 2},
		{"negative SECONDS", []string{"-5", "-l", log}, 2},
		{"empty SECONDS", []string{"", "-l", log}, 2},
		{"non-numeric MAX_CONNECTIONS", []string{"3600", "6O", "-l", log}, 2},
		{"third positional", []string{"3600", "60", "7", "-l", log}, 2},
		{"non-numeric -m", []string{"-m", "1.5", "-l", log}, 2},
		{"SECONDS too large", []string{"99999999999999999999", "-l", log}, 2},
		{"-p with SECONDS", []string{"-p", "1hour", "3600", "-l", log}, 2},
		{"-p with both positionals", []string{"-p", "1hour", "3600", "60", "-l", log}, 2},
		{"-m with MAX_CONNECTIONS", []string{"-m", "5", "3600", "60", "-l", log}, 2},
		{"bad period", []string{"-p", "1.5hour", "-l", log}, 2},
		{"repeated flag", []string{"-m", "1", "-m", "2", "-l", log}, 2},
		{"unknown flag", []string{"--bogus"}, 2},
		{"bad format", []string{"--format", "xml", "-l", log}, 2},
		{"bad now", []string{"--now", "tomorrow", "-l", log}, 2},
		{"unreadable overrides", []string{"--overrides", filepath.Join(dir, "none"), "-l", log}, 2},
		{"missing log", []string{"-l", filepath.Join(dir, "none"), now}, 1},
		{"log is a directory", []string{"-l", unreadable, now}, 1},
		{"one log missing of two", []string{"3600", "0", "-l", filepath.Join(dir, "none"), "-l", log, now}, 1},
		{"no default log", []string{now}, 1}, // PATH without journalctl below
		{"missing --journal-dir", []string{"--journal-dir", filepath.Join(dir, "none"), now}, 1},
		{"--journal with -l", []string{"--journal", "-l", log}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "no default log" {
				t.Setenv("PATH", dir) // no journalctl: the missing log is the error
			}
			var stdout, stderr bytes.Buffer
			got := run(tc.args, strings.NewReader(""), &stdout, &stderr, testNow, time.UTC, []string{filepath.Join(dir, "no-such-mainlog")})
			if got != tc.want {
				t.Fatalf("exim-spam-check %q = %d, want %d; stderr:\n%s", tc.args, got, tc.want, stderr.String())
			}
			switch got {
			case 2:
				if stdout.Len() != 0 {
					t.Errorf("exim-spam-check %q: usage error wrote to stdout: %q", tc.args, stdout.String())
				}
				if n := strings.Count(stderr.String(), "\n"); n != 1 || !strings.HasPrefix(stderr.String(), Name+": ") {
					t.Errorf("exim-spam-check %q: usage error is not one line naming the tool: %q", tc.args, stderr.String())
				}
			case 1:
				if !strings.HasPrefix(stderr.String(), Name+": ") {
					t.Errorf("exim-spam-check %q: runtime error does not name the tool: %q", tc.args, stderr.String())
				}
			case 0:
				if stderr.Len() != 0 {
					t.Errorf("exim-spam-check %q: stderr %q", tc.args, stderr.String())
				}
			}
		})
	}
}

// TestSyntaxes pins the two command-line forms and how they mix (SPEC §3,
// §8): which form, window, threshold and header each command line gives.
func TestSyntaxes(t *testing.T) {
	type form struct {
		Positional bool
		Seconds    int64
		Period     string
		Max        int64
		Header     string
		Inclusive  bool
		Start      time.Time
	}
	hour := testNow.Add(-time.Hour)
	tests := []struct {
		args []string
		want form
	}{
		{nil, form{true, 3600, "3600seconds", 60, "During the last 3600 seconds the following senders have made at least 60 SMTP connections.", true, hour}},
		{[]string{"-l", "x", "--auth", "--format", "json", "--now", "2026-11-27 18:00:00"},
			form{true, 3600, "3600seconds", 60, "During the last 3600 seconds the following senders have made at least 60 SMTP connections.", true, hour}},
		{[]string{"1800"}, form{true, 1800, "1800seconds", 60, "During the last 1800 seconds the following senders have made at least 60 SMTP connections.", true, testNow.Add(-30 * time.Minute)}},
		{[]string{"010", "010"}, form{true, 10, "10seconds", 10, "During the last 10 seconds the following senders have made at least 010 SMTP connections.", true, testNow.Add(-10 * time.Second)}},
		{[]string{"-p", "30minutes"}, form{false, 0, "30minutes", 90, "During the last 30 minutes the following senders have made at least 90 SMTP connections.", false, testNow.Add(-30 * time.Minute)}},
		{[]string{"-m", "040"}, form{false, 0, "1hour", 40, "During the last 1 hour the following senders have made at least 040 SMTP connections.", false, hour}},
		{[]string{"--period=hour", "--max-connections=7"}, form{false, 0, "hour", 7, "During the last  hour the following senders have made at least 7 SMTP connections.", false, hour}},
		{[]string{"-m", "5", "7200"}, form{true, 7200, "7200seconds", 5, "During the last 7200 seconds the following senders have made at least 5 SMTP connections.", true, testNow.Add(-2 * time.Hour)}},
		{[]string{"7200", "-m", "5"}, form{true, 7200, "7200seconds", 5, "During the last 7200 seconds the following senders have made at least 5 SMTP connections.", true, testNow.Add(-2 * time.Hour)}},
		{[]string{"99999999999"}, form{true, 99999999999, "99999999999seconds", 60, "During the last 99999999999 seconds the following senders have made at least 60 SMTP connections.", true, time.Time{}}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			o, code, stop := parseArgs(tc.args, &stdout, &stderr, testNow, time.UTC)
			if stop {
				t.Fatalf("parseArgs(%q) stopped with %d: %s", tc.args, code, stderr.String())
			}
			w := o.Window()
			got := form{o.Positional, o.Seconds, o.PeriodText(), o.Max, report.Header(o.PeriodText(), o.MaxText), w.Inclusive, w.Start}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parseArgs(%q) mismatch (-want +got):\n%s", tc.args, diff)
			}
		})
	}
}

// TestInputs: without -l the first default log that exists is read; one
// that cannot be examined counts as existing, so that the scan names the
// real problem.
func TestInputs(t *testing.T) {
	dir := t.TempDir()
	debian := filepath.Join(dir, "exim4", "mainlog")
	cpanel := writeLog(t, dir, "exim_mainlog", oneLine)
	o := &Options{DefaultLogs: []string{debian, filepath.Join(dir, "file", "under-a-file"), cpanel}}
	writeLog(t, dir, "file", "")
	got, err := o.Inputs()
	if err != nil || len(got) != 1 || got[0] != cpanel {
		t.Fatalf("Inputs() = %q, %v; want [%s]", got, err, cpanel)
	}
	if err := os.MkdirAll(filepath.Dir(debian), 0o755); err != nil {
		t.Fatal(err)
	}
	writeLog(t, filepath.Dir(debian), "mainlog", "")
	if got, _ := o.Inputs(); len(got) != 1 || got[0] != debian {
		t.Errorf("Inputs() = %q, want the Debian log %s first", got, debian)
	}
	o.Logs = []string{"-"}
	if got, _ := o.Inputs(); len(got) != 1 || got[0] != "-" {
		t.Errorf("Inputs() with -l - = %q", got)
	}
	// No log and no journalctl (a missing log with journalctl installed
	// is the journal: TestJournal).
	o = &Options{DefaultLogs: []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}}
	o.Journal.Command = []string{filepath.Join(dir, "no-journalctl")}
	if _, err := o.Inputs(); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "b")) {
		t.Errorf("Inputs() with no log: error %v, want one naming every candidate", err)
	}
	if os.Geteuid() != 0 {
		locked := filepath.Join(dir, "locked")
		if err := os.Mkdir(locked, 0o000); err != nil {
			t.Fatal(err)
		}
		o = &Options{DefaultLogs: []string{filepath.Join(locked, "mainlog"), cpanel}}
		if got, _ := o.Inputs(); len(got) != 1 || got[0] != filepath.Join(locked, "mainlog") {
			t.Errorf("Inputs() = %q, want the unreadable candidate", got)
		}
	}
}

// TestDefaultLogRead: the default log is really what is scanned.
func TestDefaultLogRead(t *testing.T) {
	dir := t.TempDir()
	log := writeLog(t, dir, "exim_mainlog", oneLine)
	var stdout, stderr bytes.Buffer
	code := run([]string{"3600", "0", "--now", "2026-11-27 18:00:00"}, nil, &stdout, &stderr, testNow, time.UTC, []string{filepath.Join(dir, "mainlog"), log})
	if code != 0 || !strings.Contains(stdout.String(), "U=app") {
		t.Errorf("exit %d, stdout %q, stderr %q; want the report from %s", code, stdout.String(), stderr.String(), log)
	}
}

// TestMissingLogStillReports: a runtime error on one input does not lose
// what the other inputs gave, in text and in JSON.
func TestMissingLogStillReports(t *testing.T) {
	dir := t.TempDir()
	log := writeLog(t, dir, "mainlog", oneLine)
	missing := filepath.Join(dir, "gone")
	for _, format := range []string{"text", "json"} {
		var stdout, stderr bytes.Buffer
		code := run([]string{"3600", "0", "--format", format, "-l", missing, "-l", log, "-l", missing + "2", "--now", "2026-11-27 18:00:00"},
			nil, &stdout, &stderr, testNow, time.UTC, nil)
		if code != 1 {
			t.Fatalf("%s: exit status %d, want 1", format, code)
		}
		if !strings.Contains(stdout.String(), "U=app") {
			t.Errorf("%s: stdout lacks the report from the readable log: %q", format, stdout.String())
		}
		if lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n"); len(lines) != 2 ||
			!strings.Contains(lines[0], missing) || !strings.Contains(lines[1], missing+"2") || !strings.HasPrefix(lines[1], Name+": ") {
			t.Errorf("%s: stderr %q, want one line per missing log, each naming it", format, stderr.String())
		}
		if format == "json" {
			var doc report.Document
			if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Errors) != 2 || len(doc.Groups) != 1 || !doc.Groups[0].Reported {
				t.Errorf("json: errors %q, groups %+v", doc.Errors, doc.Groups)
			}
		}
	}
}

// TestStdinAndRotation: -l - reads standard input; a named log whose first
// line is inside the window is read after its previous rotation.
func TestStdinAndRotation(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"3600", "0", "-l", "-"}, strings.NewReader(oneLine), &stdout, &stderr, testNow, time.UTC, nil); code != 0 || !strings.HasPrefix(stdout.String(), "During the last 3600 seconds") {
		t.Errorf("-l -: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	dir := t.TempDir()
	log := writeLog(t, dir, "mainlog", oneLine)
	writeLog(t, dir, "mainlog.1", "2026-11-27 17:10:00 1xWzTI-0000XA-3s <= alerts@app.example U=app P=local S=1\n")
	stdout.Reset()
	if code := run([]string{"3600", "1", "-l", log, "--now", "2026-11-27 18:00:00"}, nil, &stdout, io.Discard, testNow, time.UTC, nil); code != 0 ||
		!strings.Contains(stdout.String(), "2 -- 2026-11-27 17:10:00 ") {
		t.Errorf("rotation: exit %d, stdout %q; want both lines counted, the rotated one first", code, stdout.String())
	}
}
