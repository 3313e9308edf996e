package postfix

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/journal/journaltest"
)

// TestJournal writes to a real private journald: three connections of
// "alice" from a program whose _COMM is smtpd run as the postfix user (what
// Postfix's smtpd is), and the same text for "victim" forged with logger as
// root and as nobody, and from a smtpd copy run as nobody (right _COMM,
// wrong _UID). Read back through the real journalctl, from --journal-dir,
// from the local journal (--journal) and from the local journal when the
// default log is missing (no -l): alice is reported with the line
// journalctl -o short prints, victim never, and the three forged lines are
// untrusted_lines. From --journal-dir (a collector, whose Postfix uid need
// not be the mail servers') the entry from smtpd under another uid is also
// named on stderr.
func TestJournal(t *testing.T) {
	j := journaltest.Start(t)
	smtpd := journaltest.CopyProgram(t, "logger", "smtpd")
	alice := []string{
		"1A2B3C: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=alice",
		"1A2B3D: client=h.example.net[192.0.2.2], sasl_method=PLAIN, sasl_username=alice",
		"1A2B3E: client=unknown[192.0.2.3], sasl_method=PLAIN, sasl_username=alice, sasl_sender=x",
	}
	forged := "9F9F9F: client=unknown[198.51.100.1], sasl_method=PLAIN, sasl_username=victim"
	j.Log(t, "postfix", smtpd, "postfix/submission/smtpd", alice...)
	j.Log(t, "", "", "postfix/smtpd", forged)
	j.Log(t, "nobody", "", "postfix/smtpd", forged)
	j.Log(t, "nobody", smtpd, "postfix/smtpd", forged)
	// A non-connection line from the real smtpd is neither counted nor
	// untrusted.
	j.Log(t, "postfix", smtpd, "postfix/smtpd", "warning: unknown[192.0.2.9]: SASL LOGIN authentication failed: x, sasl_username=root")

	short, err := exec.Command("journalctl", "--directory="+j.Dir, "-q", "-o", "short", "--grep=sasl_username=alice").Output()
	if err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(string(short), "\n", 2)[0]
	wantText := "During the last 1 hour the following senders have made at least 2 SMTP connections.\n\n" +
		"3 (2 nets/2 unknowns/3 IPs/0 webmail) -- " + first + "\n"

	missing := filepath.Join(t.TempDir(), "mail.log")
	for _, tc := range []struct {
		name    string
		args    []string
		local   bool
		noDefLg bool
		stderr  string
	}{
		{"journal-dir", []string{"--journal-dir=" + j.Dir}, false, false,
			"postfix-spam-check: warning: 1 smtpd entry in " + j.Dir + " with a _UID other than " + postfixUID(t) +
				", the uid of this host's Postfix account: not counted (forged on a sending host, or its Postfix uid differs from this host's)\n"},
		{"journal", []string{"--journal"}, true, false, ""},
		{"default log missing", nil, true, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.noDefLg {
				old := defaultLog
				defaultLog = missing
				defer func() { defaultLog = old }()
			}
			for _, format := range []string{"text", "json"} {
				args := append([]string{"-m", "2", "--format=" + format}, tc.args...)
				var stdout, stderr bytes.Buffer
				o, code, stop := parseArgs(args, &stdout, &stderr, time.Now(), time.Local)
				if stop {
					t.Fatalf("parse: %d %s", code, stderr.String())
				}
				if !o.Journal.Use {
					t.Fatalf("journal not used with %q", args)
				}
				if tc.local {
					o.Journal.Command = append(j.CommandPrefix(), "journalctl")
				}
				if code := Run(o, nil, &stdout, &stderr); code != 0 {
					t.Fatalf("exit %d, stderr %s", code, stderr.String())
				}
				if diff := cmp.Diff(tc.stderr, stderr.String()); diff != "" {
					t.Errorf("stderr (-want +got):\n%s", diff)
				}
				if format == "text" {
					if diff := cmp.Diff(wantText, stdout.String()); diff != "" {
						t.Errorf("(-want +got):\n%s", diff)
					}
					continue
				}
				var doc struct {
					Logs           []string
					UntrustedLines *int64 `json:"untrusted_lines"`
					Groups         []struct{ Key string }
				}
				if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
					t.Fatal(err)
				}
				if doc.UntrustedLines == nil || *doc.UntrustedLines != 3 || len(doc.Groups) != 1 || doc.Groups[0].Key != "alice" {
					t.Errorf("json: %s", stdout.String())
				}
			}
		})
	}
}

// TestJournalFlags: the journal and files are not read together.
func TestJournalFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--journal", "-l", "/var/log/mail.log"},
		{"--journal-dir=/x", "-l", "-"},
		{"--journal", "--journal-dir", "/x"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, nil, &stdout, &stderr, time.Now(), time.Local); code != 2 || stdout.Len() > 0 {
			t.Errorf("%q: exit %d, stdout %q", args, code, stdout.String())
		}
	}
	// An existing default log is read, not the journal.
	old := defaultLog
	defaultLog = filepath.Join(t.TempDir(), "mail.log")
	defer func() { defaultLog = old }()
	writeFile(t, defaultLog, "", 0o644)
	o, _, stop := parseArgs(nil, &bytes.Buffer{}, &bytes.Buffer{}, time.Now(), time.Local)
	if stop || o.Journal.Use || len(o.Logs) != 1 || o.Logs[0] != defaultLog {
		t.Fatalf("existing default log: %+v", o)
	}
}

// TestJournalWarningOnRunStderr: the journal reader's warning (an entry
// over the 64 MiB field cap) reaches the stderr Run was given, with the
// "postfix-spam-check: " prefix of every other message, not the process's
// own stderr. journalctl is a shell stand-in printing one such entry in
// export format.
func TestJournalWarningOnRunStderr(t *testing.T) {
	var stdout, stderr bytes.Buffer
	o, code, stop := parseArgs([]string{"--journal"}, &stdout, &stderr, time.Now(), time.Local)
	if stop {
		t.Fatalf("parse: %d %s", code, stderr.String())
	}
	o.Journal.Command = []string{"sh", "-c",
		`printf '__REALTIME_TIMESTAMP=1\nMESSAGE='; head -c 67108900 /dev/zero | tr '\0' x; printf '\n\n'`, "journalctl"}
	if code := Run(o, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	if got := stderr.String(); strings.Count(got, "\n") != 1 || !strings.HasPrefix(got, Name+": warning: ") || !strings.Contains(got, "longer than") {
		t.Errorf("stderr %q, want one %q warning about the long entry", got, Name+": warning: ")
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
}

// postfixUID is the uid of this host's postfix account, which the tests'
// smtpd runs as.
func postfixUID(t *testing.T) string {
	t.Helper()
	u, err := user.Lookup("postfix")
	if err != nil {
		t.Fatalf("no postfix account: %v", err)
	}
	return u.Uid
}
