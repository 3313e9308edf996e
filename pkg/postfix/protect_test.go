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

// eligibleLog writes a log in which every one of users has 3 connections
// from 2 networks and 2 unknown addresses (eligible for -d 1,1) and
// returns its path.
func eligibleLog(t *testing.T, users ...string) string {
	t.Helper()
	counts := make([]userCount, len(users))
	for i, u := range users {
		counts[i] = userCount{u, 3}
	}
	return countsLog(t, counts...)
}

type userCount struct {
	user  string
	count int
}

// countsLog writes a log in which each user has count connections (at
// least 3), from 2 networks and count-1 unknown addresses, and returns its
// path. Users come in the order given, and so do their first lines.
func countsLog(t *testing.T, users ...userCount) string {
	t.Helper()
	var log strings.Builder
	for i, u := range users {
		for j := range u.count {
			host := "unknown"
			if j == 1 {
				host = fmt.Sprintf("%d-1-2-3.net.example", i)
			}
			fmt.Fprintf(&log, "Nov 27 17:%02d:%02d mx postfix/smtpd[1]: Q%dx%d: client=%s[198.51.%d.%d], sasl_method=PLAIN, sasl_username=%s\n",
				10+i%40, j%60, i, j, host, i%256, j+1, u.user)
		}
	}
	path := filepath.Join(t.TempDir(), "mail.log")
	writeFile(t, path, log.String(), 0o644)
	return path
}

// lockRecorder writes a --disable-command that appends its last argument
// to a file, and returns the command and that file.
func lockRecorder(t *testing.T) (cmd, calls string) {
	t.Helper()
	dir := t.TempDir()
	calls = filepath.Join(dir, "locked")
	cmd = filepath.Join(dir, "lock")
	writeFile(t, cmd, "#!/bin/sh\neval last=\\${$#}\necho \"$last\" >> "+calls+"\n", 0o755)
	return cmd, calls
}

func fileLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

func setSystemFiles(t *testing.T, passwd, loginDefs string) {
	t.Helper()
	oldP, oldL := PasswdFile, LoginDefsFile
	PasswdFile, LoginDefsFile = passwd, loginDefs
	t.Cleanup(func() { PasswdFile, LoginDefsFile = oldP, oldL })
}

// TestProtectedAccounts: root (in any case), the accounts of passwd below
// UID_MIN (and one whose uid does not parse) and the --protect names are
// never locked, get no [DISABLED] and are named on stderr; the others are
// locked.
func TestProtectedAccounts(t *testing.T) {
	calls := stubCommands(t)
	users := []string{"root", "ROOT", "daemon", "www-data", "svc.backup", "broken", "postfix", "alice", "bob", "eve", "shop@example.com", "Keep.Me", "ghost"}
	log := eligibleLog(t, users...)
	tests := []struct {
		name      string
		loginDefs string
		args      []string
		locked    []string
	}{
		{"UID_MIN 1000", "testdata/login.defs", nil, []string{"alice", "bob", "eve", "shop@example.com", "Keep.Me", "ghost"}},
		{"--protect", "testdata/login.defs", []string{"--protect", "keep.me,ghost"}, []string{"alice", "bob", "eve", "shop@example.com"}},
		{"UID_MIN 1500", "", nil, []string{"eve", "shop@example.com", "Keep.Me", "ghost"}},
		{"no login.defs", filepath.Join(t.TempDir(), "none"), nil, []string{"alice", "bob", "eve", "shop@example.com", "Keep.Me", "ghost"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defs := tc.loginDefs
			if defs == "" {
				defs = filepath.Join(t.TempDir(), "login.defs")
				writeFile(t, defs, "UID_MIN 1500\n", 0o644)
			}
			setSystemFiles(t, "testdata/passwd", defs)
			os.Remove(calls)
			var stdout, stderr bytes.Buffer
			args := append([]string{"-m", "3", "-d", "1,1", "-l", log, "--now", "2026-11-27 18:00:00"}, tc.args...)
			if code := run(args, nil, &stdout, &stderr, time.Now(), time.UTC); code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
			}
			var locked, labels []string
			for _, line := range fileLines(t, calls) {
				if name, ok := strings.CutPrefix(line, "passwd -l "); ok {
					locked = append(locked, name)
				}
			}
			for _, line := range strings.Split(stdout.String(), "\n") {
				if line == "LOCAL" {
					labels = append(labels, line)
				}
			}
			slices.Sort(locked)
			want := slices.Sorted(slices.Values(tc.locked))
			if diff := cmp.Diff(want, locked); diff != "" {
				t.Errorf("locked (-want +got):\n%s", diff)
			}
			if len(labels) != len(want) || strings.Count(stdout.String(), " [DISABLED]\n") != len(want) {
				t.Errorf("%d LOCAL labels and %d [DISABLED], want %d of each:\n%s", len(labels), strings.Count(stdout.String(), " [DISABLED]\n"), len(want), stdout.String())
			}
			for _, u := range users {
				msg := u + ": [NOT DISABLED: protected account]\n"
				if slices.Contains(want, u) == strings.Contains(stderr.String(), msg) {
					t.Errorf("stderr and the locks disagree about %s:\n%s", u, stderr.String())
				}
			}
		})
	}
}

// TestProtectionFailsSafe: when passwd cannot be read, or login.defs has a
// UID_MIN that is not a number, nobody is disabled (a system account
// cannot be told from a customer's), stderr says why once, exit 1, and the
// report is complete. --dry-run behaves the same.
func TestProtectionFailsSafe(t *testing.T) {
	calls := stubCommands(t)
	log := eligibleLog(t, "alice", "bob", "root")
	badDefs := filepath.Join(t.TempDir(), "login.defs")
	writeFile(t, badDefs, "UID_MIN 1000\nUID_MIN 1e3\n", 0o644)
	tests := []struct{ name, passwd, loginDefs, why string }{
		{"passwd missing", filepath.Join(t.TempDir(), "passwd"), "testdata/login.defs", "no such file"},
		{"passwd a directory", t.TempDir(), "testdata/login.defs", "is a directory"},
		{"UID_MIN not a number", "testdata/passwd", badDefs, `UID_MIN "1e3" is not a number`},
	}
	for _, tc := range tests {
		for _, dry := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s dry=%v", tc.name, dry), func(t *testing.T) {
				setSystemFiles(t, tc.passwd, tc.loginDefs)
				args := []string{"-m", "3", "-d", "1,1", "-l", log, "--now", "2026-11-27 18:00:00"}
				if dry {
					args = append(args, "--dry-run")
				}
				var stdout, stderr bytes.Buffer
				if code := run(args, nil, &stdout, &stderr, time.Now(), time.UTC); code != 1 {
					t.Errorf("exit %d, want 1", code)
				}
				if _, err := os.Stat(calls); err == nil {
					t.Errorf("a command ran: %q", fileLines(t, calls))
				}
				if strings.Contains(stdout.String(), "DISABLED") || strings.Contains(stdout.String(), "LOCAL") || strings.Count(stdout.String(), "\n") != 5 {
					t.Errorf("stdout:\n%s", stdout.String())
				}
				if strings.Count(stderr.String(), "nobody is disabled") != 1 || !strings.Contains(stderr.String(), tc.why) ||
					!strings.Contains(stderr.String(), "root: [NOT DISABLED: protected account]\n") {
					t.Errorf("stderr:\n%s", stderr.String())
				}
			})
		}
	}
}

func TestLoadSystemAccounts(t *testing.T) {
	got, err := loadSystemAccounts("testdata/passwd", "testdata/login.defs")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"root": true, "daemon": true, "www-data": true, "postfix": true, "svc.backup": true, "broken": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("system accounts (-want +got):\n%s", diff)
	}
}

// TestRootAlwaysProtected: root is protected even when passwd does not list
// it (a container, an LDAP-only system), whatever its case.
func TestRootAlwaysProtected(t *testing.T) {
	passwd := filepath.Join(t.TempDir(), "passwd")
	writeFile(t, passwd, "alice:x:1000:1000::/home/alice:/bin/sh\n", 0o644)
	setSystemFiles(t, passwd, "testdata/login.defs")
	lock, locked := lockRecorder(t)
	stubCommands(t)
	var stdout, stderr bytes.Buffer
	log := eligibleLog(t, "root", "Root", "alice")
	if code := run([]string{"-m", "3", "-d", "1,1", "--disable-command", lock, "-l", log, "--now", "2026-11-27 18:00:00"}, nil, &stdout, &stderr, time.Now(), time.UTC); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if diff := cmp.Diff([]string{"alice"}, fileLines(t, locked)); diff != "" {
		t.Errorf("locked (-want +got):\n%s", diff)
	}
	if want := "Root: [NOT DISABLED: protected account]\nroot: [NOT DISABLED: protected account]\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}
