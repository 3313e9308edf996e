package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func newApp(stdout, stderr *bytes.Buffer) (*Common, func([]string) (int, bool)) {
	app := New("tool", "help text", stdout, stderr)
	c := &Common{Loc: time.UTC}
	AddCommon(app, c, "/var/log/x.log", time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC))
	app.Flag("max", "").Short('m').String()
	return c, func(args []string) (int, bool) { return Parse(app, args, stderr) }
}

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		stop     bool
		logs     []string
		now      string
		stdout   bool
		stderrNL int
	}{
		{"no args", nil, ExitOK, false, nil, "2026-11-27T18:00:00Z", false, 0},
		{"-l - is stdin", []string{"-l", "-"}, ExitOK, false, []string{"-"}, "2026-11-27T18:00:00Z", false, 0},
		{"--log - is stdin", []string{"--log", "-", "-l", "b"}, ExitOK, false, []string{"-", "b"}, "2026-11-27T18:00:00Z", false, 0},
		{"value of another flag", []string{"-m", "-", "-l", "a"}, ExitOK, false, []string{"a"}, "2026-11-27T18:00:00Z", false, 0},
		{"--now local", []string{"--now", "2026-01-02 03:04:05"}, ExitOK, false, nil, "2026-01-02T03:04:05Z", false, 0},
		{"help", []string{"--help"}, ExitOK, true, nil, "", true, 0},
		{"version", []string{"--version"}, ExitOK, true, nil, "", true, 0},
		{"bad now", []string{"--now", "soon"}, ExitUsage, true, nil, "", false, 1},
		{"bad format", []string{"--format", "xml"}, ExitUsage, true, nil, "", false, 1},
		{"unknown flag", []string{"--nope"}, ExitUsage, true, nil, "", false, 1},
		{"stray argument", []string{"stray"}, ExitUsage, true, nil, "", false, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			c, parse := newApp(&stdout, &stderr)
			code, stop := parse(tc.args)
			if code != tc.code || stop != tc.stop {
				t.Fatalf("Parse(%q) = %d, %v; want %d, %v (stderr %q)", tc.args, code, stop, tc.code, tc.stop, stderr.String())
			}
			if got := bytes.Count(stderr.Bytes(), []byte("\n")); got != tc.stderrNL {
				t.Errorf("Parse(%q): %d lines on stderr, want %d: %q", tc.args, got, tc.stderrNL, stderr.String())
			}
			if (stdout.Len() > 0) != tc.stdout {
				t.Errorf("Parse(%q): stdout %q", tc.args, stdout.String())
			}
			if stop {
				return
			}
			if diff := cmp.Diff(tc.logs, c.Logs); diff != "" {
				t.Errorf("Parse(%q) logs mismatch (-want +got):\n%s", tc.args, diff)
			}
			if got := c.Now.UTC().Format(time.RFC3339); got != tc.now {
				t.Errorf("Parse(%q) now = %s, want %s", tc.args, got, tc.now)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	a, b, c := errors.New("a"), errors.New("b"), errors.New("c")
	got := Errors(errors.Join(a, errors.Join(b, nil, c)))
	if len(got) != 3 || got[0] != a || got[1] != b || got[2] != c {
		t.Errorf("Errors(join(a, join(b, c))) = %v, want [a b c]", got)
	}
	if got := Errors(nil); got != nil {
		t.Errorf("Errors(nil) = %v, want nil", got)
	}
	if got := Errors(a); len(got) != 1 || got[0] != a {
		t.Errorf("Errors(a) = %v, want [a]", got)
	}
}

func TestVersionString(t *testing.T) {
	saved := Revision
	defer func() { Revision = saved }()
	Revision = "v0.1.0-3-gabc1234"
	want := "exim-spam-check, version " + Version + " (revision v0.1.0-3-gabc1234)"
	if got := VersionString("exim-spam-check"); got != want {
		t.Errorf("VersionString = %q, want %q", got, want)
	}
	Revision = ""
	if got := VersionString("x"); !strings.HasPrefix(got, "x, version "+Version+" (revision ") {
		t.Errorf("VersionString without -X = %q", got)
	}
}
