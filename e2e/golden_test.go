package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The captured real log lines: one line per distinct shape the servers
// wrote during a scenario, in log order, timestamps as produced. They are
// inputs for the parsers' unit tests; `go test ./e2e -update` rewrites them.
const (
	goldenPostfixSyslog  = "testdata/real-postfix-syslog.log"         // rsyslog, RSYSLOG_TraditionalFileFormat
	goldenPostfixRFC3339 = "testdata/real-postfix-syslog-rfc3339.log" // rsyslog, RSYSLOG_FileFormat
	goldenPostfixMaillog = "testdata/real-postfix-maillog.log"        // Postfix postlogd, maillog_file
	goldenEximMainlog    = "testdata/real-exim-mainlog.log"           // Exim log_file_path mainlog
	goldenEximRejectlog  = "testdata/real-exim-rejectlog.log"         // Exim rejectlog
)

var shapeREs = []struct {
	re   *regexp.Regexp
	repl string
}{
	// Timestamps: Exim, RFC 3339, traditional syslog.
	{regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d `), "TS "},
	{regexp.MustCompile(`^\d{4}-\d\d-\d\dT\S+ `), "TS "},
	{regexp.MustCompile(`^[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d `), "TS "},
	{regexp.MustCompile(`/tmp/\S+`), "PATH"},
	{regexp.MustCompile(`\b127\.\d+\.\d+\.\d+\b`), "IP"},
	{regexp.MustCompile(`\b[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}\b`), "MSGID"},
	{regexp.MustCompile(`\b[0-9A-F]{8,12}\b`), "QID"},
	{regexp.MustCompile(`<[^<>]*>`), "<ADDR>"},
	{regexp.MustCompile(`id=\S+`), "id=X"},
	{regexp.MustCompile(`\d+(?:\.\d+)?`), "N"},
}

// shape reduces a log line to its shape: the variable parts (time, pids,
// ids, addresses, the scenario's names) replaced by placeholders.
func shape(line string, names *strings.Replacer) string {
	s := line
	for _, r := range shapeREs[:3] {
		s = r.re.ReplaceAllString(s, r.repl)
	}
	s = names.Replace(s)
	for _, r := range shapeREs[3:] {
		s = r.re.ReplaceAllString(s, r.repl)
	}
	return s
}

// nameReplacer replaces the scenario's names (longest first) by a
// placeholder of their kind.
func nameReplacer(kinds map[string][]string) *strings.Replacer {
	type pair struct{ from, to string }
	var pairs []pair
	for kind, names := range kinds {
		for _, n := range names {
			pairs = append(pairs, pair{n, kind})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if len(pairs[i].from) != len(pairs[j].from) {
			return len(pairs[i].from) > len(pairs[j].from)
		}
		return pairs[i].from < pairs[j].from
	})
	var args []string
	for _, p := range pairs {
		args = append(args, p.from, p.to)
	}
	return strings.NewReplacer(args...)
}

// distinctShapes returns the first line of each shape in content, in order.
func distinctShapes(content string, names *strings.Replacer) []string {
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(content, "\n") {
		if line == "" {
			continue
		}
		s := shape(line, names)
		if seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, line)
	}
	return out
}

// writeGolden writes the distinct shapes of content to name with -update;
// otherwise it only reports shapes the golden file lacks (informational:
// which optional lines a run produces can depend on timing).
func writeGolden(t *testing.T, name, content string, names *strings.Replacer) {
	t.Helper()
	lines := distinctShapes(content, names)
	if *update {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d lines)", name, len(lines))
		return
	}
	old, err := os.ReadFile(name)
	if err != nil {
		t.Logf("%s: %v (run with -update to capture)", name, err)
		return
	}
	have := map[string]bool{}
	for _, l := range distinctShapes(string(old), names) {
		have[shape(l, names)] = true
	}
	for _, l := range lines {
		if !have[shape(l, names)] {
			t.Logf("%s lacks a line of this shape (go test ./e2e -update to recapture): %s", name, l)
		}
	}
}

// TestGoldenFilesPresent checks that the captured real logs are there and
// look like what they claim to be, without needing any server.
func TestGoldenFilesPresent(t *testing.T) {
	for _, tc := range []struct {
		file string
		must []string
	}{
		{goldenPostfixSyslog, []string{"postfix/submission/smtpd[", ", sasl_method=PLAIN, sasl_username=", "SASL PLAIN authentication failed"}},
		{goldenPostfixRFC3339, []string{"postfix/smtpd[", ", sasl_method=LOGIN, sasl_username="}},
		{goldenPostfixMaillog, []string{"postfix/submission/smtpd[", ", sasl_username="}},
		{goldenEximMainlog, []string{" U=", " P=local ", " A=plain:", " A=login:", " H=["}},
		{goldenEximRejectlog, []string{"rejected RCPT"}},
	} {
		b, err := os.ReadFile(tc.file)
		if err != nil {
			t.Errorf("%v (capture with: sudo go test ./e2e -run 'TestPostfix|TestExim' -update)", err)
			continue
		}
		for _, m := range tc.must {
			if !strings.Contains(string(b), m) {
				t.Errorf("%s has no line with %q", tc.file, m)
			}
		}
	}
}
