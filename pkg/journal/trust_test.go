package journal

import (
	"os"
	"path/filepath"
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

func hardlink(t *testing.T, old, name string) string {
	t.Helper()
	if err := os.Link(old, name); err != nil {
		t.Fatal(err)
	}
	return name
}
