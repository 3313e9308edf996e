package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/journal/journaltest"
	"github.com/spam-gear/spamcheck/pkg/testenv"
)

// TestPHPJournal: real php-cli calls mail() three times with sendmail_path
// our phpsendmail (ConfigPath compiled in; the root-owned config points
// syslog_socket at a private journald and sendmail at a recording stub),
// and the prepend file in place. Forged: logger as nobody with the same
// text for another script, and a copy of phpsendmail owned by nobody, run
// as nobody. php-legacy-spam-check with its unchanged command line (no
// -l), in the journal's namespace where /var/log/mail.log does not exist,
// reads the local journal and reports the script; the forged lines are
// untrusted_lines.
func TestPHPJournal(t *testing.T) {
	skipShort(t)
	t.Parallel()
	php, err := exec.LookPath("php")
	if err != nil {
		testenv.Missing(t, "php not found; apt-get install php-cli to run this test")
	}
	j := journaltest.Start(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(journaltest.CopyProgram(t, "true", "x")) // 0755, root's
	conf := filepath.Join(dir, "phpsendmail.conf")
	bin := filepath.Join(dir, "phpsendmail")
	build := exec.Command("go", "build", "-o", bin, "-ldflags", "-X "+modulePath+"/pkg/phpsendmail.ConfigPath="+conf, modulePath+"/cmd/phpsendmail")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The stub is root's alone: nobody's copy cannot exec it and stays
	// phpsendmail, whose _EXE is nobody's file.
	sendmail := filepath.Join(dir, "sendmail")
	calls := filepath.Join(dir, "sendmail.calls")
	if err := os.WriteFile(sendmail, []byte("#!/bin/sh\necho \"$*\" >>"+calls+"\ncat >/dev/null\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte("syslog_socket = "+j.Socket+"\nsendmail = "+sendmail+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "contact.php")
	if err := os.WriteFile(script, []byte(`<?php
for ($i = 0; $i < 3; $i++) { var_dump(mail("to@example.com", "hello", "body", "", "-fbounce@example.com")); }
`), 0o644); err != nil {
		t.Fatal(err)
	}
	prepend := filepath.Join(root, "scripts", "php", "put_environment_variables.php")
	cmd := exec.Command(php, "-n", "-d", "sendmail_path="+bin, "-d", "auto_prepend_file="+prepend, script)
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != strings.Repeat("bool(true)\n", 3) {
		t.Fatalf("php: %v: %s", err, out)
	}
	if got := readFile(t, calls); got != strings.Repeat("-t -i -fbounce@example.com\n", 3) {
		t.Fatalf("sendmail calls: %q", got)
	}
	j.Sync(t)
	text, err := exec.Command("journalctl", "--directory="+j.Dir, "-q", "-o", "cat", "--grep=sendmail-php url=").Output()
	if err != nil || strings.Count(string(text), "filename="+script+",") != 3 {
		t.Fatalf("phpsendmail's lines are not in the journal: %v %q", err, text)
	}
	forged := strings.Replace(strings.SplitN(string(text), "\n", 2)[0], script, "/var/www/forged.php", 1)
	j.Log(t, "nobody", "", "nobody", strings.Replace(forged, "uid=0,", "uid=65534,", 1))
	copyBin := journaltest.CopyProgram(t, bin, "phpsendmail")
	if err := os.Chown(copyBin, 65534, -1); err != nil {
		t.Fatal(err)
	}
	cp := exec.Command("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", copyBin, "-fbounce@example.com")
	cp.Env = []string{"SCRIPT_FILENAME=/var/www/forged.php"}
	cp.Stdin = strings.NewReader("To: x@example.net\n\nhi\n")
	if out, err := cp.CombinedOutput(); err == nil || !strings.Contains(string(out), "cannot execute") {
		t.Fatalf("nobody's phpsendmail copy: %v: %s", err, out)
	}
	j.Sync(t)

	// journald may find a sender already gone (no _COMM or _EXE):
	// such an entry cannot be trusted (TestLegacyJournalExecRace).
	live := 0
	fields, err := exec.Command("journalctl", "--directory="+j.Dir, "-q", "-o", "json", "--output-fields=_COMM,_EXE", "--grep=filename="+script+",").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(fields)), "\n") {
		var e map[string]any
		if json.Unmarshal([]byte(l), &e) == nil && e["_COMM"] != nil && e["_EXE"] != nil {
			live++
		}
	}
	if live == 0 {
		t.Fatalf("no phpsendmail entry has _COMM and _EXE: %s", fields)
	}

	checker := checker(t, "php-legacy-spam-check")
	runLocal := func(args ...string) result {
		t.Helper()
		// The checker runs in the journal's namespace (its journal is
		// the local one) with an empty /var/log.
		argv := append(j.CommandPrefix(), "unshare", "--mount", "sh", "-c", `mount -t tmpfs none /var/log && exec "$0" "$@"`, checker)
		r := run(t, argv[0], append(argv[1:], args...)...)
		if r.code != 0 {
			t.Fatalf("php-legacy-spam-check %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
		}
		return r
	}
	threshold := "1"
	if r := runLocal("10", threshold); r.stdout != script+"\n" || r.stderr != "" {
		t.Errorf("php-legacy-spam-check 10 %s: stdout %q, stderr %q; want %q", threshold, r.stdout, r.stderr, script+"\n")
	}
	r := runLocal("10", threshold, "--format=json")
	var doc struct {
		Logs           []string
		UntrustedLines *int64 `json:"untrusted_lines"`
		Groups         []struct {
			Key   string
			Count int
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("json: %v: %s", err, r.stdout)
	}
	want := []struct {
		Key   string
		Count int
	}{{script, live}}
	if diff := cmp.Diff(want, doc.Groups); diff != "" || doc.UntrustedLines == nil || *doc.UntrustedLines != int64(2+3-live) || !cmp.Equal(doc.Logs, []string{"journal"}) {
		t.Errorf("json: groups (-want +got):\n%s\nuntrusted_lines want %d: %s", diff, 2+3-live, r.stdout)
	}
}
