package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/testenv"
)

var testManual = Manual{
	Summary:     "count things",
	DefaultLogs: []string{"/var/log/x.log"},
	FlagNotes:   map[string]string{"max": "More about `-m`."},
	Output:      "Lines:\n\n    .TH not a request\n    \\fB not bold",
	Files:       ": {/var/log/x.log}\nThe log.",
	Examples:    "Run it:\n\n    tool -m 5",
}

func manApp(stdout, stderr *bytes.Buffer, m *Manual, help string) *kingpin.Application {
	app := New("tool", "help text", stdout, stderr)
	if m != nil {
		AddManual(app, m, stdout, stderr)
	}
	c := &Common{Loc: time.UTC}
	AddCommon(app, c, "/var/log/x.log", time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC))
	app.Flag("max", help).Short('m').String()
	app.Flag("maxx", "Old spelling of --max.").Hidden().String()
	app.Arg("N", "A number.").String()
	return app
}

// TestAddManualKeepsHelp: --help and usage errors print what they did
// without AddManual; --help-man prints the Manual page.
func TestAddManualKeepsHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"--bogus"}, {"-m"}} {
		var out1, err1, out2, err2 bytes.Buffer
		c1, s1 := Parse(manApp(&out1, &err1, nil, "Max (also --maxx)."), args, &err1)
		c2, s2 := Parse(manApp(&out2, &err2, &testManual, "Max (also --maxx)."), args, &err2)
		if c1 != c2 || s1 != s2 {
			t.Errorf("%q: status %d %v with AddManual, %d %v without", args, c2, s2, c1, s1)
		}
		if diff := cmp.Diff(out1.String()+err1.String(), out2.String()+err2.String()); diff != "" {
			t.Errorf("%q: AddManual changed the output (-without +with):\n%s", args, diff)
		}
	}
	var out, errb bytes.Buffer
	code, stop := Parse(manApp(&out, &errb, &testManual, "Max (also --maxx)."), []string{"--help-man"}, &errb)
	if code != ExitOK || !stop || errb.Len() != 0 {
		t.Fatalf("--help-man: %d %v, stderr %q", code, stop, errb.String())
	}
	for _, want := range []string{".TH tool 1 ", "\ntool \\- count things\n", ".SH \"EXIT STATUS\"", "More about \\fB\\-m\\fR."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help-man output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestManPageIncomplete: a flag without help, an alias no visible help
// names, a note for no flag: --help-man fails (exit 1) instead of
// printing a page that leaves them out.
func TestManPageIncomplete(t *testing.T) {
	for _, tc := range []struct {
		name, help string
		m          Manual
		want       string
	}{
		{"no help", "", testManual, "flag --max has no help text"},
		{"alias not named", "Max.", testManual, "hidden flag --maxx is not named"},
		{"note for no flag", "Max (also --maxx).", Manual{Summary: "x", FlagNotes: map[string]string{"mx": "?"}}, `no flag or argument "mx"`},
		{"no summary", "Max (also --maxx).", Manual{}, "Manual.Summary is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code, stop := Parse(manApp(&out, &errb, &tc.m, tc.help), []string{"--help-man"}, &errb)
			if code != ExitRuntime || !stop || out.Len() != 0 || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("status %d %v, stdout %d bytes, stderr %q; want 1, nothing, %q", code, stop, out.Len(), errb.String(), tc.want)
			}
		})
	}
}

func TestInline(t *testing.T) {
	for in, want := range map[string]string{
		"plain - text":      `plain \- text`,
		"`-m` {FILE}":       `\fB\-m\fR \fIFILE\fR`,
		"`{x}` {`y`}":       "\\fB{x}\\fR \\fI`y`\\fR",
		"open ` only":       "open ` only",
		".start":            `\&.start`,
		`back\slash`:        `back\eslash`,
		"MINUTES×1.2 …":     `MINUTES\[u00D7]1.2 ...`,
		"'quote at start":   `\&'quote at start`,
		"ctl\x1b[31m bytes": `ctl [31m bytes`,
	} {
		if got := inline(in); got != want {
			t.Errorf("inline(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestManPageRenders runs the real man(1) on a page whose texts hold roff
// syntax: it must come out as text, with no groff warning.
func TestManPageRenders(t *testing.T) {
	if _, err := exec.LookPath("man"); err != nil {
		testenv.Missing(t, "man not found; apt-get install man-db (it brings groff-base)")
	}
	var out, errb bytes.Buffer
	page, err := ManPage(manApp(&out, &errb, nil, `.SH BOGUS \fBx "quoted"`), &Manual{Summary: "count things", Output: testManual.Output})
	if err == nil {
		t.Fatal("hidden --maxx not named, yet no error")
	}
	page, err = ManPage(manApp(&out, &errb, nil, `.SH BOGUS \fBx "quoted" (--maxx)`), &testManual)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "tool.1")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "man", "-l", file)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "MANWIDTH=200", "MANPAGER=cat", "PAGER=cat")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() != 0 {
		t.Fatalf("man -l: %v\n%s", err, stderr.String())
	}
	text := stdout.String()
	for _, want := range []string{`.SH BOGUS \fBx "quoted" (--maxx)`, ".TH not a request", `\fB not bold`, "-m, --max=MAX", "tool -m 5", "\nEXIT STATUS\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("rendered page lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "\nBOGUS") {
		t.Errorf("help text became a section:\n%s", text)
	}
}
