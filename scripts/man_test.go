package scripts_test

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spam-gear/spamcheck/pkg/testenv"
)

// manSections are the sections every installed page must have, as man(1)
// shows them.
var manSections = []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "OUTPUT", "EXIT STATUS", "FILES", "EXAMPLES"}

// TestManPagesRender installs the five pages with install.sh --man, renders
// each with the real `man -l` (man-db, groff), and checks that it has
// every section an administrator looks for, that groff had nothing to warn
// about, and, for the four checkers, that OPTIONS names every flag and
// argument the binary's --help lists (a flag added without a man entry
// fails here).
func TestManPagesRender(t *testing.T) {
	if _, err := exec.LookPath("man"); err != nil {
		testenv.Missing(t, "man not found; apt-get install man-db (it brings groff-base)")
	}
	prefix := t.TempDir()
	mustInstall(t, []string{"BINDIR=" + binaries(t), "PREFIX=" + prefix}, "--man")
	man1 := filepath.Join(prefix, "share", "man", "man1")
	for _, tool := range tools {
		t.Run(tool, func(t *testing.T) {
			r := run(t, t.TempDir(), []string{"MANWIDTH=250", "MANPAGER=cat", "PAGER=cat", "MAN_KEEP_FORMATTING="},
				"", "man", "-l", filepath.Join(man1, tool+".1"))
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("man -l %s.1: exit %d, stderr:\n%s", tool, r.code, r.stderr)
			}
			sections := splitSections(r.stdout)
			for _, s := range manSections {
				if strings.TrimSpace(sections[s]) == "" {
					t.Errorf("%s(1) has no %s section (sections: %q)", tool, s, keys(sections))
				}
			}
			if !strings.Contains(sections["NAME"], tool+" - ") {
				t.Errorf("%s(1) NAME has no whatis line %q:\n%s", tool, tool+" - ", sections["NAME"])
			}
			if tool == "phpsendmail" {
				return // no options: every argument is sendmail's
			}
			flags, args := helpEntries(t, run(t, t.TempDir(), nil, "", filepath.Join(binaries(t), tool), "--help").stdout)
			if len(flags) < 5 {
				t.Fatalf("only %d flags found in %s --help: %q", len(flags), tool, flags)
			}
			opts := sections["OPTIONS"]
			for _, f := range flags {
				if !regexp.MustCompile(`(?m)^ +(-[a-z], )?--` + regexp.QuoteMeta(f) + `\b`).MatchString(opts) {
					t.Errorf("%s(1) OPTIONS has no entry for --%s:\n%s", tool, f, opts)
				}
			}
			for _, a := range args {
				if !regexp.MustCompile(`(?m)^ +` + regexp.QuoteMeta(a) + `$`).MatchString(opts) {
					t.Errorf("%s(1) OPTIONS has no entry for argument %s:\n%s", tool, a, opts)
				}
			}
		})
	}
}

// splitSections splits man's rendered text at its section headers (lines
// starting in column 0, after the title line).
func splitSections(text string) map[string]string {
	out := map[string]string{}
	cur := ""
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if i > 0 && l != "" && l[0] != ' ' && i < len(lines)-2 {
			cur = l
			continue
		}
		if cur != "" {
			out[cur] += l + "\n"
		}
	}
	return out
}

func keys(m map[string]string) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	return k
}

var (
	helpFlag = regexp.MustCompile(`^  (?:-[a-zA-Z], |    )--(?:\[no-\])?([a-z][a-z0-9-]*)`)
	helpArg  = regexp.MustCompile(`^ +\[<?([A-Z_]+)>?\]`)
)

// helpEntries returns the long flag names and argument names that a
// kingpin --help lists under "Flags:" and "Args:".
func helpEntries(t *testing.T, help string) (flags, args []string) {
	t.Helper()
	block := ""
	for _, l := range strings.Split(help, "\n") {
		switch {
		case l == "Flags:" || l == "Args:":
			block = l
		case block == "Flags:":
			if m := helpFlag.FindStringSubmatch(l); m != nil {
				flags = append(flags, m[1])
			}
		case block == "Args:":
			if m := helpArg.FindStringSubmatch(l); m != nil {
				args = append(args, m[1])
			}
		}
	}
	return flags, args
}
