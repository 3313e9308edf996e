package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var cronLine = regexp.MustCompile(`^(?:\S+[ \t]+){5}(\S.*)$`)

// readmeCrontab returns the command lines of the README's example crontab
// (the indented block after "Example crontab:"), without their five time
// fields; comments and blank lines are left out.
func readmeCrontab(t *testing.T) []string {
	t.Helper()
	readme := readFile(t, filepath.Join("..", "README.md"))
	_, block, ok := strings.Cut(readme, "Example crontab:\n")
	if !ok {
		t.Fatal(`README.md has no "Example crontab:" block`)
	}
	var cmds []string
	for _, line := range strings.Split(strings.TrimLeft(block, "\n"), "\n") {
		if line != "" && !strings.HasPrefix(line, "    ") {
			break
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// The command is the rest of the line after the five time fields,
		// as cron hands it to sh.
		m := cronLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("README crontab line %q: want five time fields and a command", line)
		}
		cmds = append(cmds, m[1])
	}
	if len(cmds) == 0 {
		t.Fatal("README.md's example crontab has no command lines")
	}
	return cmds
}

// TestReadmeCrontab runs the README's example crontab line for
// postfix-spam-check, copied verbatim from README.md, twice over a log with
// one spammer, as cron would (sh -c, the report piped to emergency-mail).
// Only path prefixes are moved into a temporary root: /var/lib/spamcheck in
// the line, /var/log/mail.log (the default log, which the line does not
// name) in the binary. The state directory does not exist before the first
// run. The first run locks the spammer with passwd -l, mails root and hands
// the report, with [DISABLED], to emergency-mail; the second, in the same
// period, locks and mails nobody (SPEC §6b) and still reports [DISABLED].
func TestReadmeCrontab(t *testing.T) {
	var line string
	for _, c := range readmeCrontab(t) {
		if strings.HasPrefix(c, "postfix-spam-check ") && strings.Contains(c, "--state") {
			line = c
		}
	}
	if line == "" {
		t.Fatal("README.md's example crontab has no postfix-spam-check line with --state")
	}

	root := t.TempDir()
	logFile := filepath.Join(root, "var/log/mail.log")
	stateDir := filepath.Join(root, "var/lib/spamcheck")
	cmd := strings.ReplaceAll(line, "/var/lib/spamcheck", stateDir)
	for _, word := range strings.Fields(cmd) {
		if strings.HasPrefix(word, "/") && !strings.HasPrefix(word, root+"/") {
			t.Fatalf("README crontab line %q names %s, which this test does not move into its root", line, word)
		}
	}

	// The checker, its default log moved into the root.
	st := newStubs(t)
	bin := filepath.Join(st.dir, "postfix-spam-check")
	build := exec.Command("go", "build", "-o", bin,
		"-ldflags", "-X "+modulePath+"/pkg/postfix.defaultLog="+logFile, modulePath+"/cmd/postfix-spam-check")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// emergency-mail (spam-gear's mailer of non-empty reports) records its
	// arguments and what it was piped.
	mails := filepath.Join(root, "emergency-mail")
	if err := os.Mkdir(mails, 0o755); err != nil {
		t.Fatal(err)
	}
	stub := fmt.Sprintf("#!/bin/sh\nrec=%s/$(date +%%s%%N).$$\nprintf '%%s\\0' \"$@\" > \"$rec.argv\"\ncat > \"$rec.stdin\"\n", mails)
	if err := os.WriteFile(filepath.Join(st.dir, "emergency-mail"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}

	// The log: 100 connections in the last hour of the clock the checker
	// reads, half from unknown addresses and half from 50 named networks, by one SASL user; and
	// a busy legitimate sender from the whitelisted webmail.
	now := time.Now().UTC()
	var log strings.Builder
	for i := range 100 {
		at := now.Add(-50*time.Minute + time.Duration(i)*20*time.Second)
		host := "unknown" // every other one; the rest from 50 networks
		if i%2 == 1 {
			host = fmt.Sprintf("dsl%d.isp-%c%c.example", i, 'a'+i/26%26, 'a'+i%26)
		}
		fmt.Fprintf(&log, "%s mx1 postfix/submission/smtpd[%d]: %08X: client=%s[198.18.%d.7], sasl_method=LOGIN, sasl_username=spammer\n",
			at.Format(time.Stamp), 2000+i, 0x3A1F0000+i, host, i)
		fmt.Fprintf(&log, "%s mx1 postfix/submission/smtpd[%d]: %08X: client=webmail.example.com[192.0.2.10], sasl_method=PLAIN, sasl_username=newsletter@example.org\n",
			at.Format(time.Stamp), 3000+i, 0x4B2F0000+i)
	}
	if err := os.MkdirAll(filepath.Dir(logFile), 0o755); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, logFile, log.String())
	if _, err := os.Stat(stateDir); !os.IsNotExist(err) {
		t.Fatalf("state directory %s exists before the first run (%v)", stateDir, err)
	}

	env := append(st.env(), "TZ=UTC")
	runCron := func(t *testing.T) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c := exec.CommandContext(ctx, "/bin/sh", "-c", cmd)
		c.Env, c.Dir = env, root
		out, err := c.CombinedOutput()
		if err != nil || len(out) != 0 {
			t.Fatalf("sh -c %q: %v, output (cron would mail it):\n%s", cmd, err, out)
		}
	}
	// reports returns what emergency-mail was piped, run by run, checking
	// that it was given the line's arguments.
	_, wantMailArgs, _ := strings.Cut(cmd, "| emergency-mail")
	reports := func(t *testing.T) []string {
		t.Helper()
		names, err := filepath.Glob(filepath.Join(mails, "*.argv"))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		slices.Sort(names)
		for _, name := range names {
			args := strings.Split(strings.TrimSuffix(readFile(t, name), "\x00"), "\x00")
			if diff := cmp.Diff(strings.Fields(wantMailArgs), args); diff != "" {
				t.Errorf("emergency-mail arguments (-want +got):\n%s", diff)
			}
			out = append(out, readFile(t, strings.TrimSuffix(name, ".argv")+".stdin"))
		}
		return out
	}

	spammer := fmt.Sprintf("100 (51 nets/50 unknowns/100 IPs/0 webmail) -- %s mx1 postfix/submission/smtpd[2000]: 3A1F0000: client=unknown[198.18.0.7], sasl_method=LOGIN, sasl_username=spammer",
		now.Add(-50*time.Minute).Format(time.Stamp))
	header := "During the last 1 hour the following senders have made at least 90 SMTP connections.\n\n"
	newsletter := func(r string) string { return lineWith(t, r, "sasl_username=newsletter@example.org") }

	runCron(t)
	fi, err := os.Stat(stateDir)
	if err != nil {
		t.Fatalf("first run did not create the state directory: %v", err)
	}
	if fi.Mode().Perm() != 0o700 || !fi.IsDir() {
		t.Errorf("state directory %s: mode %v, want a directory with 0700", stateDir, fi.Mode())
	}
	if _, err := os.Stat(filepath.Join(stateDir, "postfix.state")); err != nil {
		t.Errorf("first run wrote no state file: %v", err)
	}
	st.expectCalls(t, lockCalls("local", "spammer", spammer+" [DISABLED]"))
	got := reports(t)
	if len(got) != 1 {
		t.Fatalf("emergency-mail ran %d times after the first run, want 1", len(got))
	}
	want := header + newsletter(got[0]) + "\n" + "LOCAL\n" + stubPasswdOutput + "\n" + spammer + " [DISABLED]\n"
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("first report (-want +got):\n%s", diff)
	}

	runCron(t)
	// Still only the first run's lock and mail.
	st.expectCalls(t, lockCalls("local", "spammer", spammer+" [DISABLED]"))
	got = reports(t)
	if len(got) != 2 {
		t.Fatalf("emergency-mail ran %d times after the second run, want 2", len(got))
	}
	if !strings.Contains(got[1], "\n"+spammer+" [DISABLED]\n") || strings.Contains(got[1], stubPasswdOutput) {
		t.Errorf("second report: want the spammer still [DISABLED] and no passwd output; got:\n%s", got[1])
	}
}

func writeTestFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
