package postfix

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestMaxDisableWithManyEligibleUsers: with 100 users that all meet -d's
// conditions, --max-disable 7 runs the lock exactly 7 times and names the
// other 93 on stderr; none of them gets [DISABLED].
func TestMaxDisableWithManyEligibleUsers(t *testing.T) {
	dir := t.TempDir()
	var log strings.Builder
	for u := 0; u < 100; u++ {
		for i, host := range []string{"unknown", fmt.Sprintf("%d-1-2-3.net%d.example", u, u), "unknown"} {
			fmt.Fprintf(&log, "Nov 27 17:%02d:%02d mx postfix/smtpd[1]: Q%d: client=%s[198.51.%d.%d], sasl_method=PLAIN, sasl_username=user%03d\n",
				10+i, u%60, u*3+i, host, u, i+1, u)
		}
	}
	logPath := filepath.Join(dir, "mail.log")
	calls := filepath.Join(dir, "calls")
	lock := filepath.Join(dir, "lock")
	writeFile(t, logPath, log.String(), 0o644)
	writeFile(t, lock, "#!/bin/sh\necho \"$1\" >> "+calls+"\n", 0o755)
	stubs := filepath.Join(dir, "stubs")
	if err := os.Mkdir(stubs, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(stubs, "sendmail"), "#!/bin/sh\ncat >/dev/null\n", 0o755)
	writeFile(t, filepath.Join(stubs, "hostname"), "#!/bin/sh\necho example.com\n", 0o755)
	t.Setenv("PATH", stubs+string(os.PathListSeparator)+os.Getenv("PATH"))

	var stdout, stderr bytes.Buffer
	code := run([]string{"-m", "3", "-d", "1,1", "--max-disable", "7", "--disable-command", lock, "-l", logPath, "--now", "2026-11-27 18:00:00"},
		nil, &stdout, &stderr, time.Now(), time.UTC)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	data, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(data), "\n"); got != 7 {
		t.Errorf("lock ran %d times, want 7:\n%s", got, data)
	}
	if got := strings.Count(stdout.String(), " [DISABLED]\n"); got != 7 {
		t.Errorf("%d report lines carry [DISABLED], want 7", got)
	}
	if got := strings.Count(stdout.String(), "\n"); got != 2+100 {
		t.Errorf("stdout has %d lines, want header, blank and 100 report lines", got)
	}
	if got := strings.Count(stderr.String(), ": [NOT DISABLED: limit 7 reached]\n"); got != 93 {
		t.Errorf("%d users named on stderr, want 93:\n%s", got, stderr.String())
	}
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// TestMaxDisableHighestCountsFirst: with more eligible users than
// --max-disable, those locked are the highest counts (ties in report
// order), so that names an attacker makes sort first ("0a") cannot use up
// the limit; a failed lock does not count; the report keeps its order and
// its layout (label, the command's output, the line).
func TestMaxDisableHighestCountsFirst(t *testing.T) {
	calls := stubCommands(t)
	log := countsLog(t, userCount{"0a", 3}, userCount{"alice", 5}, userCount{"bob", 4}, userCount{"carol", 5}, userCount{"dave", 3}, userCount{"erin", 6})
	failing := filepath.Join(t.TempDir(), "passwd")
	writeFile(t, failing, "#!/bin/sh\necho \"passwd $*\" >> "+calls+"\n[ \"$2\" = erin ] && { echo 'passwd: erin is busy' >&2; exit 1; }\necho 'passwd: password expiry information changed.'\n", 0o755)
	tests := []struct {
		name       string
		args       []string
		failErin   bool
		wantLocked []string // in the order the locks ran
		wantLimit  []string // in report order
		wantCode   int
	}{
		{"limit 2", []string{"--max-disable", "2"}, false, []string{"erin", "alice"}, []string{"0a", "bob", "carol", "dave"}, 0},
		{"limit 3: ties in report order", []string{"--max-disable", "3"}, false, []string{"erin", "alice", "carol"}, []string{"0a", "bob", "dave"}, 0},
		{"a failed lock does not count", []string{"--max-disable", "2"}, true, []string{"erin", "alice", "carol"}, []string{"0a", "bob", "dave"}, 1},
		{"limit 0", []string{"--max-disable", "0"}, false, nil, []string{"0a", "alice", "bob", "carol", "dave", "erin"}, 0},
		{"limit above the candidates", []string{"--max-disable", "6"}, false, []string{"0a", "alice", "bob", "carol", "dave", "erin"}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(calls)
			if tc.failErin {
				t.Setenv("PATH", filepath.Dir(failing)+string(os.PathListSeparator)+os.Getenv("PATH"))
			}
			var stdout, stderr bytes.Buffer
			args := append([]string{"-m", "3", "-d", "1,1", "-l", log, "--now", "2026-11-27 18:00:00"}, tc.args...)
			if code := run(args, nil, &stdout, &stderr, time.Now(), time.UTC); code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, stderr.String())
			}
			var locked []string
			for _, line := range fileLines(t, calls) {
				if name, ok := strings.CutPrefix(line, "passwd -l "); ok {
					locked = append(locked, name)
				}
			}
			if diff := cmp.Diff(tc.wantLocked, locked); diff != "" {
				t.Errorf("locks run (-want +got):\n%s", diff)
			}
			// The report: every user in sort -n order; the locked ones
			// after their label and passwd's output, with [DISABLED].
			var want strings.Builder
			want.WriteString("During the last 1 hour the following senders have made at least 3 SMTP connections.\n\n")
			counts := map[string]int{"0a": 3, "alice": 5, "bob": 4, "carol": 5, "dave": 3, "erin": 6}
			for i, u := range []string{"0a", "alice", "bob", "carol", "dave", "erin"} {
				line := fmt.Sprintf("%d (2 nets/%d unknowns/%d IPs/0 webmail) -- Nov 27 17:%02d:00 mx postfix/smtpd[1]: Q%dx0: client=unknown[198.51.%d.1], sasl_method=PLAIN, sasl_username=%s",
					counts[u], counts[u]-1, counts[u], 10+i, i, i, u)
				switch {
				case slices.Contains(locked, u) && (u != "erin" || !tc.failErin):
					want.WriteString("LOCAL\npasswd: password expiry information changed.\n" + line + " [DISABLED]\n")
				case slices.Contains(locked, u):
					want.WriteString("LOCAL\n" + line + "\n")
				default:
					want.WriteString(line + "\n")
				}
			}
			if diff := cmp.Diff(want.String(), stdout.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			var limited []string
			for _, line := range strings.Split(stderr.String(), "\n") {
				if u, ok := strings.CutSuffix(line, ": [NOT DISABLED: limit "+tc.args[1]+" reached]"); ok {
					limited = append(limited, u)
				}
			}
			if diff := cmp.Diff(tc.wantLimit, limited); diff != "" {
				t.Errorf("users past the limit on stderr (-want +got):\n%s", diff)
			}
		})
	}
}
