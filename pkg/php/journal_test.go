package php

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/journal/journaltest"
)

// TestLegacyJournal: the real phpsendmail (built here, logging to a private
// journald) sends three mails for /var/www/a.php; logger, as root and as
// nobody, and a copy of logger named sendmail, as nobody, forge the same
// line (uid= the test's) for /var/www/forged.php. Read back through
// the real journalctl, with --journal-dir, and with no -l when mail.log is
// missing: a.php is reported, forged.php is not, and the five forged lines
// are untrusted_lines.
func TestLegacyJournal(t *testing.T) {
	j := journaltest.Start(t)
	dir := t.TempDir()
	bin := buildPHPSendmail(t, dir, j.Socket)
	for range 3 {
		cmd := exec.Command(bin, "-fwww@example.com")
		cmd.Env = []string{"SCRIPT_FILENAME=/var/www/a.php", "HTTP_HOST=example.com", "REQUEST_URI=/a.php", "REMOTE_ADDR=192.0.2.7"}
		cmd.Stdin = strings.NewReader("To: x@example.net\n\nhi\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("phpsendmail: %v: %s", err, out)
		}
	}
	j.Sync(t)
	msgs, err := exec.Command("journalctl", "--directory="+j.Dir, "-q", "-o", "cat", "--grep=sendmail-php url=").Output()
	if err != nil || len(msgs) == 0 {
		t.Fatalf("phpsendmail's lines are not in the journal: %v %q", err, msgs)
	}
	// journald reads _COMM and _EXE from /proc when a record arrives,
	// and phpsendmail execs sendmail right after sending it: the lookup
	// can see phpsendmail, sendmail (both trusted), or no process (not
	// trusted: nothing shows who wrote it; see TestLegacyJournalExecRace).
	// From --journal-dir _EXE is not checked, so an entry journald saw
	// mid-exec (_COMM but no _EXE) is trusted there and not locally.
	trusted, trustedDir := 0, 0
	comms, err := exec.Command("journalctl", "--directory="+j.Dir, "-q", "-o", "json", "--output-fields=_COMM,_EXE", "--grep=sendmail-php url=").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(comms)), "\n") {
		var e struct {
			Comm *string `json:"_COMM"`
			Exe  *string `json:"_EXE"`
		}
		if json.Unmarshal([]byte(l), &e) == nil && e.Comm != nil {
			trustedDir++
			if e.Exe != nil {
				trusted++
			}
		}
	}
	if trusted == 0 {
		t.Fatalf("no phpsendmail line has _COMM and _EXE: %s", comms)
	}
	threshold := strconv.Itoa(trusted)
	forged := strings.Replace(strings.SplitN(string(msgs), "\n", 2)[0], "/var/www/a.php", "/var/www/forged.php", 1)
	j.Log(t, "", "", "root", forged, forged, forged)
	j.Log(t, "nobody", "", "root", forged)
	// A program named sendmail in root's directories, run as nobody,
	// passes the _COMM and _EXE rules; the journal's _UID (65534) is not
	// the uid its text claims (the test's, from phpsendmail's own line).
	j.Log(t, "nobody", journaltest.CopyProgram(t, "logger", "sendmail"), "root", forged)

	missing := filepath.Join(t.TempDir(), "mail.log")
	for _, tc := range []struct {
		name    string
		args    []string
		trusted int
	}{
		{"journal-dir", []string{"--journal-dir=" + j.Dir}, trustedDir},
		{"default log missing", nil, trusted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			local := tc.args == nil
			if local {
				old := defaultLegacyLog
				defaultLegacyLog = missing
				defer func() { defaultLegacyLog = old }()
			}
			for _, format := range []string{"text", "json"} {
				var stdout, stderr bytes.Buffer
				o, code, stop := parseLegacyArgs(append([]string{"10", threshold, "--format=" + format}, tc.args...), &stdout, &stderr, time.Now(), time.Local)
				if stop || !o.Journal.Use {
					t.Fatalf("parse: %d %s, journal %v", code, stderr.String(), o != nil && o.Journal.Use)
				}
				if local {
					o.Journal.Command = append(j.CommandPrefix(), "journalctl")
				}
				if code := RunLegacy(o, nil, &stdout, &stderr); code != 0 || stderr.Len() > 0 {
					t.Fatalf("exit %d, stderr %s", code, stderr.String())
				}
				if format == "text" {
					if diff := cmp.Diff("/var/www/a.php\n", stdout.String()); diff != "" {
						t.Errorf("(-want +got):\n%s", diff)
					}
					continue
				}
				var doc struct {
					UntrustedLines *int64 `json:"untrusted_lines"`
					Groups         []struct {
						Key   string
						Count int64
					}
				}
				if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
					t.Fatal(err)
				}
				if doc.UntrustedLines == nil || *doc.UntrustedLines != int64(5+3-tc.trusted) || len(doc.Groups) != 1 || doc.Groups[0].Key != "/var/www/a.php" || doc.Groups[0].Count != int64(tc.trusted) {
					t.Errorf("json: want a.php counted %d times and %d untrusted_lines: %s", tc.trusted, 5+3-tc.trusted, stdout.String())
				}
			}
		})
	}
}
