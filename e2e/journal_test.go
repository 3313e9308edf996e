package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/e2e/internal/mtatest"
	"github.com/spam-gear/spamcheck/pkg/journal/journaltest"
)

// TestPostfixJournal runs the Postfix scenario with Postfix logging only to
// a private systemd-journald (no rsyslogd). postfix-spam-check reading the
// journal (--journal-dir) prints exactly what it prints for the same
// entries written out as a mail.log (journalctl -o short), with the
// -d 4,4 (--dry-run), which disables spammer. Then logger forges 20
// connection lines for another user from 20 unknown addresses, as root and
// as nobody: the journal run is unchanged and counts them as
// untrusted_lines, while the text-file run of the same journal is fooled.
func TestPostfixJournal(t *testing.T) {
	skipShort(t)
	t.Parallel()
	j := journaltest.Start(t)
	p := mtatest.StartPostfix(t, mtatest.PostfixOptions{Users: pfUsers, Hosts: hosts, SyslogSocket: j.Socket})
	plan := postfixPlan()
	runPostfixPlan(t, p, plan)
	want := 0
	for _, s := range plan {
		if s.accept {
			want++
		}
	}
	short := func() string {
		j.Sync(t)
		out, err := exec.Command("journalctl", "--directory="+j.Dir, "-q", "-o", "short").Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(short(), "status=sent") < want {
		if time.Now().After(deadline) {
			t.Fatalf("journal has not %d status=sent lines:\n%s", want, short())
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.Stop()
	now := "--now=" + nowArg(time.Now().Add(2*time.Second))
	mailLog := filepath.Join(t.TempDir(), "mail.log")
	if err := os.WriteFile(mailLog, []byte(short()), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := checker(t, "postfix-spam-check")
	args := []string{"-p", "1hour", "-m", "6", "-d", "4,4", "--dry-run", now}
	fromFile := run(t, bin, append(args, "-l", mailLog)...)
	fromJournal := run(t, bin, append(args, "--journal-dir="+j.Dir)...)
	if fromFile.code != 0 || fromJournal.code != 0 || fromJournal.stderr != fromFile.stderr {
		t.Fatalf("exit %d/%d, stderr %q/%q", fromFile.code, fromJournal.code, fromFile.stderr, fromJournal.stderr)
	}
	if !strings.Contains(fromFile.stdout, "sasl_username=spammer [DISABLED]") || !strings.Contains(fromFile.stdout, "sasl_username=carol@e2e.test") {
		t.Fatalf("the mail.log run does not report spammer and carol:\n%s", fromFile.stdout)
	}
	if diff := cmp.Diff(fromFile.stdout, fromJournal.stdout); diff != "" {
		t.Errorf("journal run differs from the mail.log run (-file +journal):\n%s", diff)
	}

	var forged []string
	for i := range 20 {
		forged = append(forged, fmt.Sprintf("%X: client=unknown[10.9.%d.1], sasl_method=PLAIN, sasl_username=victim", 0xF000+i, i))
	}
	j.Log(t, "", "", "postfix/submission/smtpd", forged[:10]...)
	j.Log(t, "nobody", "", "postfix/submission/smtpd", forged[10:]...)
	after := run(t, bin, append(args, "--journal-dir="+j.Dir)...)
	if diff := cmp.Diff(fromFile.stdout, after.stdout); diff != "" || after.code != 0 {
		t.Errorf("forged lines changed the journal run (exit %d) (-before +after):\n%s", after.code, diff)
	}
	doc := run(t, bin, append(args, "--journal-dir="+j.Dir, "--format=json")...)
	var d struct {
		UntrustedLines *int64 `json:"untrusted_lines"`
	}
	if err := json.Unmarshal([]byte(doc.stdout), &d); err != nil || d.UntrustedLines == nil || *d.UntrustedLines != 20 {
		t.Errorf("untrusted_lines: %v %s", err, doc.stdout)
	}
	// The same forged entries as text fool the file reader: the journal's
	// trusted fields are what keeps victim out.
	os.WriteFile(mailLog, []byte(short()), 0o644)
	if r := run(t, bin, append(args, "-l", mailLog)...); !strings.Contains(r.stdout, "sasl_username=victim") {
		t.Errorf("the forged lines were expected to fool the text log:\n%s", r.stdout)
	}
}
