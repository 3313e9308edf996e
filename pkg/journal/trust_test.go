package journal

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spam-gear/spamcheck/pkg/testenv"
)

// TestSecureExe: only a file root put where only root can put it passes
// the _EXE rule; a copy of logger that a user named phpsendmail does not.
func TestSecureExe(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.Missing(t, "needs root to make root-owned and user-owned files; run the tests as root")
	}
	const nobody = 65534
	base := t.TempDir() // root's, 0700, under the sticky /tmp
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	mk := func(t *testing.T, dir string, mode os.FileMode, uid int) string {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "phpsendmail")
		if err := os.WriteFile(p, []byte("#!/bin/true\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, uid, -1); err != nil {
			t.Fatal(err)
		}
		return p
	}
	userDir := filepath.Join(base, "home")
	if err := os.MkdirAll(userDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(userDir, nobody, -1); err != nil {
		t.Fatal(err)
	}
	openDir := filepath.Join(base, "open")
	if err := os.MkdirAll(openDir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(openDir, 0o777); err != nil {
		t.Fatal(err)
	}
	stickyDir := filepath.Join(base, "sticky")
	if err := os.MkdirAll(stickyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(stickyDir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	good := mk(t, filepath.Join(base, "sbin"), 0o755, 0)
	link := filepath.Join(base, "link")
	if err := os.Symlink(good, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want bool
	}{
		{"root's file in root's directories", good, true},
		{"root's file in a sticky world-writable directory", mk(t, stickyDir, 0o755, 0), true},
		{"a user's copy", mk(t, filepath.Join(base, "bin2"), 0o755, nobody), false},
		{"root's file in a user's directory", mk(t, filepath.Join(userDir, "bin"), 0o755, 0), false},
		{"group-writable file", mk(t, filepath.Join(base, "bin3"), 0o775, 0), false},
		{"root's file in a world-writable directory", mk(t, openDir, 0o755, 0), false},
		{"symbolic link", link, false},
		{"a second hard link", hardlink(t, mk(t, filepath.Join(base, "bin5"), 0o755, 0), filepath.Join(stickyDir, "exim4")), false},
		{"missing", filepath.Join(base, "nothing"), false},
		{"no _EXE", "", false},
		{"relative", "sbin/phpsendmail", false},
		{"not clean", base + "/sbin/../sbin/phpsendmail", false},
	}
	for _, tc := range tests {
		if got := secureExe(tc.path); got != tc.want {
			t.Errorf("%s: secureExe(%q) = %v, want %v", tc.name, tc.path, got, tc.want)
		}
	}

	// Trusted applies it only with SecureExe, and remembers answers.
	e := &Entry{Comm: []byte("phpsendmail"), HasComm: true, Exe: []byte(mk(t, filepath.Join(base, "bin4"), 0o755, nobody))}
	tr := Trust{Comms: []string{"phpsendmail"}}
	if !tr.Trusted(e) {
		t.Errorf("without SecureExe a matching _COMM is trusted")
	}
	tr.SecureExe = true
	if tr.Trusted(e) {
		t.Errorf("with SecureExe a user's copy named phpsendmail is trusted")
	}
	e.Exe = []byte(good)
	if !tr.Trusted(e) {
		t.Errorf("with SecureExe root's phpsendmail is not trusted")
	}
}

// testEntry is an entry with the message msg and _EXE exe, and with
// _COMM comm and _UID uid unless they are "-".
func testEntry(comm, uid, exe, msg string) *Entry {
	e := &Entry{Message: []byte(msg), Exe: []byte(exe)}
	if comm != "-" {
		e.Comm, e.HasComm = []byte(comm), true
	}
	if uid != "-" {
		e.UID, e.HasUID = []byte(uid), true
	}
	return e
}

func hardlink(t *testing.T, old, name string) string {
	t.Helper()
	if err := os.Link(old, name); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestTrustPHPSendmail: phpsendmail logs and then execs sendmail, and
// journald may read _COMM and _EXE after the exec: an entry is trusted
// with either name, and only when the message's uid=N is the _UID the
// journal recorded.
func TestTrustPHPSendmail(t *testing.T) {
	// A file only root can have put there on any Debian system.
	secure, err := exec.LookPath("logger")
	if err != nil || !secureExe(secure) {
		testenv.Missing(t, "logger not found or not root's (%v); install bsdutils", err)
	}
	user := filepath.Join(t.TempDir(), "sendmail") // not there: not secure
	msgUID := func(msg []byte) ([]byte, bool) {
		_, rest, ok := strings.Cut(string(msg), ", uid=")
		uid, _, _ := strings.Cut(rest, ",")
		return []byte(uid), ok
	}
	const msg = "sendmail-php url=, client=, filename=/var/www/a.php, uid=33, user=www-data, args="
	entry := testEntry
	tests := []struct {
		name     string
		sendmail string
		local    bool
		e        *Entry
		want     bool
	}{
		{"phpsendmail", "/usr/sbin/sendmail", true, entry("phpsendmail", "33", secure, msg), true},
		{"after the exec", "/usr/sbin/sendmail", true, entry("sendmail", "33", secure, msg), true},
		{"after the exec, default sendmail", "", true, entry("sendmail", "33", secure, msg), true},
		{"after the exec of a configured sendmail", "/usr/sbin/exim4", true, entry("exim4", "33", secure, msg), true},
		{"after the exec of a long name", "/opt/x/sendmail-wrapper-long", true, entry("sendmail-wrappe", "33", secure, msg), true},
		{"another program", "/usr/sbin/sendmail", true, entry("logger", "33", secure, msg), false},
		{"configured name not accepted when not configured", "/usr/sbin/sendmail", true, entry("exim4", "33", secure, msg), false},
		{"uid mismatch", "/usr/sbin/sendmail", true, entry("phpsendmail", "1000", secure, msg), false},
		{"uid mismatch after the exec", "/usr/sbin/sendmail", true, entry("sendmail", "1000", secure, msg), false},
		{"uid mismatch, collector", "/usr/sbin/sendmail", false, entry("sendmail", "1000", "", msg), false},
		{"no _UID", "/usr/sbin/sendmail", true, entry("phpsendmail", "-", secure, msg), false},
		{"empty uid=", "/usr/sbin/sendmail", true, entry("phpsendmail", "33", secure, strings.Replace(msg, "uid=33", "uid=", 1)), false},
		{"uid= with a leading zero", "/usr/sbin/sendmail", true, entry("phpsendmail", "33", secure, strings.Replace(msg, "uid=33", "uid=033", 1)), false},
		{"no uid= in the message", "/usr/sbin/sendmail", true, entry("phpsendmail", "33", secure, "sendmail-php url=x"), true},
		{"a user's sendmail", "/usr/sbin/sendmail", true, entry("sendmail", "33", user, msg), false},
		{"a user's sendmail, collector", "/usr/sbin/sendmail", false, entry("sendmail", "33", user, msg), true},
		{"no _EXE", "/usr/sbin/sendmail", true, entry("sendmail", "33", "", msg), false},
		{"no _COMM", "/usr/sbin/sendmail", true, entry("-", "33", secure, msg), false},
	}
	for _, tc := range tests {
		tr := PHPSendmailTrust(tc.sendmail, msgUID)
		tr.SecureExe = tc.local
		if got := tr.Trusted(tc.e); got != tc.want {
			t.Errorf("%s: Trusted(_COMM=%q _UID=%q _EXE=%q) = %v, want %v", tc.name, tc.e.Comm, tc.e.UID, tc.e.Exe, got, tc.want)
		}
	}
}

// TestTrustFor: a collector's journals (--journal-dir) name another host's
// files: _EXE is not checked there; the local journal checks it.
func TestTrustFor(t *testing.T) {
	e := &Entry{Comm: []byte("exim4"), HasComm: true, Exe: []byte("/usr/sbin/exim4-not-here")}
	for _, tc := range []struct {
		dir  string
		want bool
	}{
		{"", false},
		{"/var/log/journal/remote", true},
	} {
		tr := EximTrust()
		tr.For(&Source{Dir: tc.dir})
		if got := tr.Trusted(e); got != tc.want {
			t.Errorf("For(Dir=%q): Trusted = %v, want %v", tc.dir, got, tc.want)
		}
	}
}

// TestTrustExim: Exim's entries carry _COMM exim4, exim or the name of a
// link it was run through (sendmail), and, on the local journal of a host
// with Exim's account, the uid of that account (or root's); a collector
// and a host without the account check no uid.
func TestTrustExim(t *testing.T) {
	secure, err := exec.LookPath("logger")
	if err != nil || !secureExe(secure) {
		testenv.Missing(t, "logger not found or not root's (%v); install bsdutils", err)
	}
	accounts := func(names map[string]string) func(string) (*user.User, error) {
		return func(name string) (*user.User, error) {
			if uid, ok := names[name]; ok {
				return &user.User{Username: name, Uid: uid}, nil
			}
			return nil, user.UnknownUserError(name)
		}
	}
	debian := map[string]string{"Debian-exim": "101", "exim": "500"}
	redhat := map[string]string{"exim": "93"}
	entry := func(comm, uid string) *Entry { return testEntry(comm, uid, secure, "x") }
	tests := []struct {
		name     string
		accounts map[string]string
		dir      string
		e        *Entry
		want     bool
	}{
		{"exim4 as Debian-exim", debian, "", entry("exim4", "101"), true},
		{"sendmail link as Debian-exim", debian, "", entry("sendmail", "101"), true},
		{"exim as root", debian, "", entry("exim", "0"), true},
		{"rmail, rsmtp", debian, "", entry("rsmtp", "101"), true},
		{"exim4 as another user", debian, "", entry("exim4", "1000"), false},
		{"exim4 as the account that is not Exim's", debian, "", entry("exim4", "500"), false},
		{"no _UID", debian, "", entry("exim4", "-"), false},
		{"exim account when there is no Debian-exim", redhat, "", entry("exim", "93"), true},
		{"another user, exim account", redhat, "", entry("exim", "1000"), false},
		{"no account: no uid rule", nil, "", entry("exim4", "1000"), true},
		{"collector: no uid rule", debian, "/var/log/journal/remote", entry("exim4", "1000"), true},
		{"logger as Debian-exim", debian, "", entry("logger", "101"), false},
		{"mailq is not a receiver", debian, "", entry("mailq", "101"), false},
		{"no _COMM", debian, "", entry("-", "101"), false},
	}
	for _, tc := range tests {
		tr := eximTrust(accounts(tc.accounts))
		tr.For(&Source{Dir: tc.dir})
		if got := tr.Trusted(tc.e); got != tc.want {
			t.Errorf("%s: Trusted(_COMM=%q _UID=%q) = %v, want %v", tc.name, tc.e.Comm, tc.e.UID, got, tc.want)
		}
	}
}
