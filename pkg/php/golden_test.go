package php

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/cli"
	"github.com/spam-gear/spamcheck/pkg/internal/golden"
)

// goldenCases run a whole tool on a log under testdata/golden and compare
// its standard output byte for byte with NAME.golden (text) and
// NAME.json.golden (--format=json). Time zone: UTC.
var goldenCases = []struct {
	name   string
	legacy bool // php-legacy-spam-check, else php-spam-check
	log    string
	args   []string // besides -l LOG and --now NOW
	now    string
}{
	// php-spam-check, whole log: undated, dated and Subject lines of one
	// script add up; a bracket without :LINE and a PHP warning do not count.
	{"php-threshold-at", false, "phpmail-threshold.log", []string{"3"}, "2026-11-27T18:00:00Z"},
	{"php-threshold-one-below", false, "phpmail-threshold.log", []string{"4"}, "2026-11-27T18:00:00Z"},
	{"php-threshold-two", false, "phpmail-threshold.log", []string{"2"}, "2026-11-27T18:00:00Z"},
	// Eval'd code (nested, runtime-created, regexp, assert) counts for the
	// file that holds it: 4 lines of index.php in four spellings.
	{"php-eval", false, "phpmail-eval.log", []string{"4"}, "2026-11-27T18:00:00Z"},
	{"php-eval-three", false, "phpmail-eval.log", []string{"3"}, "2026-11-27T18:00:00Z"},
	// Names with blanks, ':', '(', '\''; byte order puts "My" before "a"
	// and "my site" before "my-site"; a bracket inside To: is not a key.
	{"php-names", false, "phpmail-names.log", []string{"2"}, "2026-11-27T18:00:00Z"},
	// Records forged through a path holding a newline and through a folded
	// To:, in PHP's file and through syslog (SPEC §4): the real scripts are
	// reported, their control bytes as \ooo, /home/victim never.
	{"php-forged", false, "phpmail-forged.log", []string{"1"}, "2026-11-27T18:00:00Z"},
	// -p: only dated lines after now-1h (later ones too), PHP zone
	// names honoured, syslog and RFC 3339 wrapped lines dated by syslog.
	{"php-period", false, "phpmail-period.log", []string{"-p", "1hour", "2"}, "2026-11-27T18:00:00Z"},
	{"php-whole-log", false, "phpmail-period.log", []string{"2"}, "2026-11-27T18:00:00Z"},
	// phpmail-period.log split after its first three lines (before the
	// window) into FILE.1 and FILE: the same report; JSON "logs" lists both.
	{"php-rotated", false, "php-rotated.log", []string{"-p", "1hour", "2"}, "2026-11-27T18:00:00Z"},
	// -p across the new year: "Dec 31" read on Jan 1 is last year.
	{"php-period-new-year", false, "phpmail-new-year.log", []string{"-p", "30min", "2"}, "2027-01-01T00:10:00Z"},

	// php-legacy-spam-check: 10 minutes → 12 (start 17:48:00, strict);
	// the spaced filename is reported only because of the ×1.2.
	{"legacy-threshold-at", true, "legacy-threshold.log", []string{"10", "3"}, "2026-11-27T18:00:00Z"},
	{"legacy-threshold-one-below", true, "legacy-threshold.log", []string{"10", "4"}, "2026-11-27T18:00:00Z"},
	{"legacy-five-minutes", true, "legacy-threshold.log", []string{"5", "2"}, "2026-11-27T18:00:00Z"},
	// filename= as the Go phpsendmail writes it: %2C and %25 decoded, so
	// a name holding ", uid=0" is reported whole; an ESC logged by another
	// writer printed as \033.
	{"legacy-escaped", true, "legacy-escaped.log", []string{"10", "2"}, "2026-11-27T18:00:00Z"},
	{"legacy-midnight", true, "legacy-midnight.log", []string{"10", "2"}, "2026-11-28T00:05:00Z"},
	{"legacy-new-year", true, "legacy-new-year.log", []string{"10", "2"}, "2027-01-01T00:05:00Z"},
	// legacy-threshold.log split at 17:50 into FILE.1 and FILE: the same
	// report, and the JSON "logs" lists both, FILE.1 first.
	{"legacy-rotated", true, "legacy-rotated.log", []string{"10", "3"}, "2026-11-27T18:00:00Z"},
}

func TestGolden(t *testing.T) {
	saved := cli.Version
	cli.Version = "golden" // the JSON document names the version
	defer func() { cli.Version = saved }()

	for _, tc := range goldenCases {
		for _, format := range []string{"text", "json"} {
			goldenPath := filepath.Join("testdata", "golden", tc.name+".golden")
			if format == "json" {
				goldenPath = filepath.Join("testdata", "golden", tc.name+".json.golden")
			}
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				args := append([]string{"-l", filepath.Join("testdata", "golden", tc.log), "--now", tc.now, "--format", format}, tc.args...)
				var stdout, stderr bytes.Buffer
				if code := runInUTC(tc.legacy, args, &stdout, &stderr); code != cli.ExitOK {
					t.Fatalf("exit status %d for %q; stderr:\n%s", code, args, stderr.String())
				}
				if stderr.Len() != 0 {
					t.Errorf("stderr for %q: %q", args, stderr.String())
				}
				golden.Check(t, goldenPath, stdout.Bytes())
			})
		}
	}
}

// runInUTC runs a tool as its Main does, with local time UTC.
func runInUTC(legacy bool, args []string, stdout, stderr *bytes.Buffer) int {
	now := time.Now()
	if legacy {
		o, code, stop := parseLegacyArgs(args, stdout, stderr, now, time.UTC)
		if stop {
			return code
		}
		return RunLegacy(o, nil, stdout, stderr)
	}
	o, code, stop := parseArgs(args, stdout, stderr, now, time.UTC)
	if stop {
		return code
	}
	return Run(o, nil, stdout, stderr)
}

// TestExamples runs the tools on the sample logs under examples/ as
// scripts/demo-php.sh does, so the demo's output cannot drift unnoticed.
func TestExamples(t *testing.T) {
	const now = "2026-11-27 18:00:00"
	tests := []struct {
		legacy bool
		args   []string
		want   string
	}{
		{false, []string{"20", "-l", "../../examples/phpmail.log"},
			"/home/news/public_html/newsletter/send.php\n/home/shop/public_html/wp-content/uploads/2026/11/cache.php\n"},
		{false, []string{"-p", "1day", "20", "-l", "../../examples/phpmail.log", "--now", now},
			"/home/shop/public_html/wp-content/uploads/2026/11/cache.php\n"},
		{false, []string{"5", "-l", "../../examples/phpmail.log"},
			"/home/bakery/public_html/contact.php\n/home/news/public_html/newsletter/send.php\n/home/shop/public_html/wp-content/uploads/2026/11/cache.php\n"},
		{true, []string{"10", "10", "-l", "../../examples/php-legacy-mail.log", "--now", now},
			"/var/www/vhosts/travel/httpdocs/wp-includes/class-smtp-x.php\n"},
		{true, []string{"60", "10", "-l", "../../examples/php-legacy-mail.log", "--now", now},
			"/var/www/vhosts/news/httpdocs/digest.php\n/var/www/vhosts/travel/httpdocs/wp-includes/class-smtp-x.php\n"},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		if code := runInUTC(tc.legacy, tc.args, &stdout, &stderr); code != cli.ExitOK {
			t.Fatalf("exit status %d for %q; stderr:\n%s", code, tc.args, stderr.String())
		}
		if diff := cmp.Diff(tc.want, stdout.String()); diff != "" {
			t.Errorf("output for %q (-want +got):\n%s", tc.args, diff)
		}
	}
}
