package exim

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/journal/journaltest"
)

// TestJournal: arrival lines in a private journald, as Exim writes them
// with log_file_path = syslog (its own timestamp first), from a program
// whose _COMM is exim4, and the same text for another user forged with
// logger. Read back through the real journalctl with --journal-dir, and
// with no -l when no Exim main log exists: alice is reported with the line
// journalctl -o short prints, mallory never, and the forged line is
// untrusted_lines.
func TestJournal(t *testing.T) {
	j := journaltest.Start(t)
	exim4 := journaltest.CopyProgram(t, "logger", "exim4")
	stamp := time.Now().Format("2006-01-02 15:04:05")
	var lines []string
	for i := range 3 {
		lines = append(lines, stamp+" 1tAbC"+string(rune('a'+i))+"-000001-AB <= alice@example.com U=alice P=local S=310")
	}
	// Exim's own account, when the host has one (EximTrust then checks
	// _UID), else some other system account.
	logUser := "mail"
	if _, err := user.Lookup("Debian-exim"); err == nil {
		logUser = "Debian-exim"
	}
	j.Log(t, logUser, exim4, "exim", lines...)
	j.Log(t, "", "", "exim", strings.ReplaceAll(lines[0], "alice", "mallory"))
	// A local user's own copy of logger named exim4: _COMM is exim4, but
	// _EXE is a file root did not put there. The local journal's rule
	// refuses it; a --journal-dir (another host's files) cannot check it.
	userCopy := journaltest.CopyProgram(t, "logger", "exim4")
	if err := os.Chown(userCopy, 65534, -1); err != nil {
		t.Fatal(err)
	}
	j.Log(t, "nobody", userCopy, "exim", strings.ReplaceAll(lines[1], "alice", "mallory"))

	short, err := exec.Command("journalctl", "--directory="+j.Dir, "-q", "-o", "short", "--grep=U=alice").Output()
	if err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(string(short), "\n", 2)[0]
	want := "During the last 1 hour the following senders have made at least 2 SMTP connections.\n\n3 -- " + first + "\n"
	missing := []string{filepath.Join(t.TempDir(), "mainlog")}
	for _, tc := range []struct {
		name      string
		args      []string
		untrusted int64
		keys      []string
	}{
		{"journal-dir", []string{"--journal-dir=" + j.Dir}, 1, []string{"alice", "mallory"}},
		{"no main log", nil, 2, []string{"alice"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, format := range []string{"text", "json"} {
				var stdout, stderr bytes.Buffer
				o, code, stop := parseArgs(append([]string{"-p", "1hour", "-m", "2", "--format=" + format}, tc.args...), &stdout, &stderr, time.Now(), time.Local)
				if stop {
					t.Fatalf("parse: %d %s", code, stderr.String())
				}
				o.DefaultLogs = missing
				if tc.args == nil {
					o.Journal.Command = append(j.CommandPrefix(), "journalctl")
				}
				if code := Run(o, nil, &stdout, &stderr); code != 0 || stderr.Len() > 0 {
					t.Fatalf("exit %d, stderr %s", code, stderr.String())
				}
				if format == "text" {
					if diff := cmp.Diff(want, stdout.String()); diff != "" {
						t.Errorf("(-want +got):\n%s", diff)
					}
					continue
				}
				var doc struct {
					UntrustedLines *int64 `json:"untrusted_lines"`
					Groups         []struct{ Key string }
				}
				if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
					t.Fatal(err)
				}
				var keys []string
				for _, g := range doc.Groups {
					keys = append(keys, g.Key)
				}
				if doc.UntrustedLines == nil || *doc.UntrustedLines != tc.untrusted || !slices.Equal(keys, tc.keys) {
					t.Errorf("json: want untrusted_lines %d and keys %q: %s", tc.untrusted, tc.keys, stdout.String())
				}
			}
		})
	}
}
