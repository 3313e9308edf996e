package php

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recordCases are logs (lines joined by "\n") and the counts php-spam-check
// must make of them (SPEC §4, §8): forged records through a path holding
// newlines or a folded To:, in PHP's file and through syslog.
var recordCases = []struct {
	name string
	log  string
	want map[string]int64
}{
	{"one-line records",
		"[27-Nov-2026 18:00:00 UTC] mail() on [/var/www/a.php:3]: To: x -- Headers:  -- Subject: s\n" +
			"mail() on [/var/www/a.php:3]: To: x -- Headers: \n" +
			"Nov 27 18:00:01 web1 php[42]: mail() on [/var/www/b.php:9]: To: y -- Headers: From: z -- Subject: s\n",
		map[string]int64{"/var/www/a.php": 2, "/var/www/b.php": 1}},
	{"directory name with a newline and a forged start",
		"[27-Nov-2026 18:00:00 UTC] mail() on [/home/evil/a\n" +
			"mail() on [/home/victim/public_html/index.php:3]: To: x -- Headers:  -- Subject: s\n",
		map[string]int64{"/home/evil/a\nmail() on [/home/victim/public_html/index.php": 1}},
	{"path with two newlines and a forged dated start",
		"[27-Nov-2026 18:00:00 UTC] mail() on [/home/evil/a\n" +
			"[27-Nov-2026 18:00:00 UTC] mail() on [/home/victim/x\n" +
			"y/send.php:12]: To: x -- Headers:  -- Subject: s\n" +
			"mail() on [/var/www/next.php:1]: To: x -- Headers: \n",
		map[string]int64{"/home/evil/a\n[27-Nov-2026 18:00:00 UTC] mail() on [/home/victim/x\ny/send.php": 1, "/var/www/next.php": 1}},
	// Known limit (README "Security"): a path can be made of whole lines
	// that are byte for byte PHP's records for another name; nothing in
	// the log tells them apart. The first line of the write still names
	// the forger's own directory.
	{"known limit: a path crafted as whole records",
		"[27-Nov-2026 18:00:00 UTC] mail() on [/home/evil/a:1]: To: y\n" +
			"mail() on [/home/victim/x.php:3]: To: x -- Headers:  -- Subject: s\n",
		map[string]int64{"/home/evil/a": 1, "/home/victim/x.php": 1}},
	{"eval'd code in a path with a newline",
		"mail() on [/home/evil/a\nb.php(3) : eval()'d code:1]: To: x -- Headers: \n",
		map[string]int64{"/home/evil/a\nb.php": 1}},
	{"folded To: the blank-led line is not a record",
		"[27-Nov-2026 18:00:00 UTC] mail() on [/var/www/form.php:7]: To: a@x\r\n" +
			" mail() on [/home/victim/x.php:7]: To: y -- Headers:  -- Subject: s\n" +
			"\tmail() on [/home/victim/x.php:7]: To: y -- Headers:  -- Subject: s\n",
		map[string]int64{"/var/www/form.php": 1}},
	{"folded Subject", "mail() on [/var/www/form.php:7]: To: a -- Headers:  -- Subject: a\r\n mail() on [/home/victim/x.php:1]: To: y\n",
		map[string]int64{"/var/www/form.php": 1}},
	{"marker inside a message is not a start",
		"[27-Nov-2026 18:00:00 UTC] PHP Warning: x mail() on [/home/victim/x.php:3]: To: y\n" +
			"Nov 27 18:00:01 web1 postfix/cleanup[1]: 4AB: message-id=<mail() on [/home/victim/x.php:3]: To: y>\n" +
			"Nov 27 18:00:01 web1 php[42]: x mail() on [/home/victim/x.php:3]: To: y\n" +
			"[27-Nov-2026 18:00:00 UTC]mail() on [/home/victim/x.php:3]: To: y\n" +
			"[27-Nov-2026 [18:00:00] UTC] mail() on [/home/victim/x.php:3]: To: y\n" +
			// The first marker is inside the brackets: not a date prefix,
			// though a "[…] " and a marker follow (fileStart must agree).
			"[mail() on [x] mail() on [/home/victim/x.php:3]: To: y\n" +
			"[x mail() on [] mail() on [/home/victim/x.php:3]: To: y\n",
		map[string]int64{}},
	{"syslog: the path's lines are messages of their own, other programs between",
		"Nov 27 18:00:01 web1 php[42]: mail() on [/home/evil/a\n" +
			"Nov 27 18:00:01 web1 postfix/pickup[7]: 4AB: uid=33 from=<www-data>\n" +
			"Nov 27 18:00:01 web1 php[43]: mail() on [/var/www/other.php:5]: To: x -- Headers:  -- Subject: s\n" +
			"Nov 27 18:00:02 web1 php[42]: mail() on [/home/victim/x.php:3]: To: x -- Headers:  -- Subject: s\n" +
			"Nov 27 18:00:02 web1 php[42]: mail() on [/home/victim/x.php:3]: To: x -- Headers:  -- Subject: s\n",
		map[string]int64{"/home/evil/a\nmail() on [/home/victim/x.php": 1, "/var/www/other.php": 1, "/home/victim/x.php": 1}},
	{"syslog as PHP 8.2 sends it: tag php without pid, CR as \\x0d",
		"Dec  2 00:14:53 web1 php: mail() on [/tmp/sl/a\n" +
			"Dec  2 00:14:53 web1 php: mail() on [/home/victim/x.php:2]: To: a@x\\x0d\n" +
			"Dec  2 00:14:53 web1 php:  mail() on [/home/victim/y.php:7]: To: y -- Headers:  -- Subject: s\n",
		map[string]int64{"/tmp/sl/a\nmail() on [/home/victim/x.php": 1}},
	{"syslog: a folded To: arrives as a message starting with a blank",
		"2026-11-27T18:00:01.5+01:00 web1 php[42]: mail() on [/var/www/form.php:7]: To: a@x\\x0d\n" +
			"2026-11-27T18:00:01.5+01:00 web1 php[42]:  mail() on [/home/victim/x.php:7]: To: y -- Headers:  -- Subject: s\n",
		map[string]int64{"/var/www/form.php": 1}},
	{"syslog with PHP's date in the message",
		"Nov 27 18:00:01 web1 php-fpm: [27-Nov-2026 18:00:01 Europe/Madrid] mail() on [/var/www/a.php:3]: To: a\n",
		map[string]int64{"/var/www/a.php": 1}},
	{"journalctl indents the lines of a message holding newlines",
		"2026-11-27T18:00:01+0100 web1 php[42]: mail() on [/home/evil/a\n" +
			"                                        mail() on [/home/victim/x.php:3]: To: x\n",
		map[string]int64{"/home/evil/a\n                                        mail() on [/home/victim/x.php": 1}},
	{"control bytes in a one-line path",
		"mail() on [/home/evil/\x1b[2J\rx.php:3]: To: x\n",
		map[string]int64{"/home/evil/\x1b[2J\rx.php": 1}},
	{"unfinished at the end of the log: not counted",
		"mail() on [/var/www/a.php:3]: To: x\nmail() on [/home/evil/a\nb\n",
		map[string]int64{"/var/www/a.php": 1}},
	{"a bracket without :LINE across lines is not counted",
		"mail() on [/home/evil/a\nb]: To: x\nmail() on [/var/www/a.php:3]: To: x\n",
		map[string]int64{"/var/www/a.php": 1}},
	{"CRLF line ends",
		"mail() on [/var/www/a.php:3]: To: x\r\n[27-Nov-2026 18:00:00 UTC] mail() on [/var/www/a.php:4]: To: x\r\n",
		map[string]int64{"/var/www/a.php": 2}},
	{"an unfinished record longer than 64 KiB is dropped",
		"mail() on [/home/evil/" + strings.Repeat("d", 40<<10) + "\n" + strings.Repeat("e", 40<<10) + "\n" +
			"mail() on [/var/www/a.php:3]: To: x\n",
		map[string]int64{"/var/www/a.php": 1}},
}

// scanText runs php-spam-check's scan on log, from a regular file (the
// filtered read, again unfiltered if a record spans lines) and from
// standard input (unfiltered from the start).
func scanText(t testing.TB, log string, args ...string) (file, stdin map[string]int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "phpmail.log")
	if err := os.WriteFile(path, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	counts := func(logs []string, in string) map[string]int64 {
		var stdout, stderr bytes.Buffer
		o, code, stop := parseArgs(append(args, "--now", "2026-11-27T18:30:00Z"), &stdout, &stderr, time.Now(), time.UTC)
		if stop {
			t.Fatalf("parseArgs: %d %s", code, stderr.String())
		}
		o.Logs = logs
		c, err := Scan(o, strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]int64{}
		for _, k := range c.Keys() {
			m[k] = c.Count(k)
		}
		return m
	}
	return counts([]string{path}, ""), counts([]string{"-"}, log)
}

func TestRecords(t *testing.T) {
	for _, tc := range recordCases {
		t.Run(tc.name, func(t *testing.T) {
			file, stdin := scanText(t, tc.log)
			if diff := cmp.Diff(tc.want, file); diff != "" {
				t.Errorf("counts from a file (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, stdin); diff != "" {
				t.Errorf("counts from standard input (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRecordsWindow: with -p a record spanning lines is dated by its first
// line; an undated forged line inside a path adds nothing.
func TestRecordsWindow(t *testing.T) {
	log := "[27-Nov-2026 18:20:00 UTC] mail() on [/home/evil/a\n" +
		"[27-Nov-2026 18:25:00 UTC] mail() on [/home/victim/x.php:3]: To: x\n" +
		"[27-Nov-2026 16:00:00 UTC] mail() on [/home/old/b\n" +
		"[27-Nov-2026 18:25:00 UTC] mail() on [/home/victim/x.php:3]: To: x\n" +
		"[27-Nov-2026 18:26:00 UTC] mail() on [/var/www/a.php:3]: To: x\n"
	want := map[string]int64{"/home/evil/a\n[27-Nov-2026 18:25:00 UTC] mail() on [/home/victim/x.php": 1, "/var/www/a.php": 1}
	file, stdin := scanText(t, log, "-p", "1hour")
	if diff := cmp.Diff(want, file); diff != "" {
		t.Errorf("counts from a file (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, stdin); diff != "" {
		t.Errorf("counts from standard input (-want +got):\n%s", diff)
	}
}

// FuzzRecords checks, for any log: no panic; the filtered read of a file
// (with its unfiltered second read) counts exactly what the line-by-line
// read of standard input counts; and every key comes from the log: each of
// its lines (a record's lines were joined by '\n', through syslog without
// their prefixes) appears in it.
func FuzzRecords(f *testing.F) {
	for _, tc := range recordCases {
		if len(tc.log) < 4096 {
			f.Add([]byte(tc.log))
		}
	}
	f.Fuzz(func(t *testing.T, log []byte) {
		file, stdin := scanText(t, string(log))
		if diff := cmp.Diff(stdin, file); diff != "" {
			t.Fatalf("file and standard input differ on %q (-stdin +file):\n%s", log, diff)
		}
		for k := range file {
			for _, part := range strings.Split(k, "\n") {
				if !bytes.Contains(log, []byte(part)) {
					t.Fatalf("key %q: %q is not in the log %q", k, part, log)
				}
			}
		}
	})
}

// FuzzFileStart checks the fast path of records.line against the rule it
// shortcuts: when fileStart finds a start, it is the line's first "mail()
// on [" and startKind calls it kindFile.
func FuzzFileStart(f *testing.F) {
	for _, l := range []string{
		"[27-Nov-2026 18:00:00 UTC] mail() on [/a.php:3]: To: x",
		"mail() on [/a.php:3]: To: x",
		"[mail() on [x] mail() on [/a.php:3]: To: x",
		"[x mail() on [] mail() on [/a.php:3]: To: x",
		"[] mail() on [", "[", "[]", "[] ",
	} {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		i, kind := fileStart(line)
		if kind == kindNone {
			return
		}
		if want := bytes.Index(line, MailLogMarker); i != want || kind != kindFile || startKind(line[:want]) != kindFile {
			t.Fatalf("fileStart(%q) = %d, %d; first marker at %d, startKind %d", line, i, kind, want, startKind(line[:max(want, 0)]))
		}
	})
}
