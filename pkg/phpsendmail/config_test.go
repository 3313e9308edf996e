package phpsendmail

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// requireRoot ends the test unless it runs as root: only root can make the
// root-owned files that phpsendmail trusts. Under CI=true it is a failure.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	const msg = "needs root: phpsendmail only trusts a configuration file owned by root (run go test as root)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI=true requires it")
	}
	t.Skip(msg)
}

// writeConfig writes a phpsendmail.conf naming sendmail and sock into a
// new root-owned directory and returns its path.
func writeConfig(t *testing.T, sendmail, sock string) string {
	t.Helper()
	requireRoot(t)
	p := filepath.Join(t.TempDir(), "phpsendmail.conf")
	text := "# written by " + t.Name() + "\nsendmail = " + sendmail + "\nsyslog_socket = " + sock + "\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfig(t *testing.T) {
	requireRoot(t)
	const good = "# phpsendmail\n\n  sendmail = /opt/mta/sendmail  \nsyslog_socket=/run/systemd/journal/syslog\n\t# indented comment\n"
	for _, tc := range []struct {
		name   string
		text   string
		setup  func(t *testing.T, dir, file string) // after the file is written (mode 0644, dir 0755)
		want   Config
		stderr string // {FILE} is the file's path
	}{
		{name: "both settings, blanks and comments", text: good,
			want: Config{Sendmail: "/opt/mta/sendmail", SyslogSocket: "/run/systemd/journal/syslog"}},
		{name: "missing file is the default, silently", text: good,
			setup: func(t *testing.T, dir, file string) { must(t, os.Remove(file)) }},
		{name: "empty file", text: ""},
		{name: "a later line wins", text: "sendmail = /a\nsendmail = /b\n", want: Config{Sendmail: "/b"}},
		{name: "malformed and unknown lines are skipped", text: "sendmail /x\nsendmail_path = /y\nsyslog_socket = /dev/log2\n",
			want: Config{SyslogSocket: "/dev/log2"},
			stderr: "phpsendmail: warning: {FILE}:1: not \"sendmail = PATH\" or \"syslog_socket = PATH\"; line ignored\n" +
				"phpsendmail: warning: {FILE}:2: not \"sendmail = PATH\" or \"syslog_socket = PATH\"; line ignored\n"},
		{name: "relative or empty path", text: "sendmail = sendmail\nsyslog_socket =\n",
			stderr: "phpsendmail: warning: {FILE}:1: sendmail must be an absolute path; line ignored\n" +
				"phpsendmail: warning: {FILE}:2: syslog_socket must be an absolute path; line ignored\n"},
		{name: "owned by another user", text: good,
			setup:  func(t *testing.T, dir, file string) { must(t, os.Chown(file, 1000, 0)) },
			stderr: "phpsendmail: warning: ignoring {FILE}: it is owned by uid 1000, not root; using the defaults\n"},
		{name: "group-writable", text: good,
			setup:  func(t *testing.T, dir, file string) { must(t, os.Chmod(file, 0o664)) },
			stderr: "phpsendmail: warning: ignoring {FILE}: it is writable by group or others (mode 0664); using the defaults\n"},
		{name: "world-writable", text: good,
			setup:  func(t *testing.T, dir, file string) { must(t, os.Chmod(file, 0o646)) },
			stderr: "phpsendmail: warning: ignoring {FILE}: it is writable by group or others (mode 0646); using the defaults\n"},
		{name: "directory owned by another user", text: good,
			setup:  func(t *testing.T, dir, file string) { must(t, os.Chown(dir, 1000, 1000)) },
			stderr: "phpsendmail: warning: ignoring {FILE}: its directory is owned by uid 1000, not root; using the defaults\n"},
		{name: "directory writable by others, even sticky", text: good,
			setup:  func(t *testing.T, dir, file string) { must(t, os.Chmod(dir, 0o777|os.ModeSticky)) },
			stderr: "phpsendmail: warning: ignoring {FILE}: its directory is writable by group or others (mode 0777); using the defaults\n"},
		{name: "symbolic link to a root-owned file", text: good,
			setup: func(t *testing.T, dir, file string) {
				must(t, os.Rename(file, file+".real"))
				must(t, os.Symlink(file+".real", file))
			},
			stderr: "phpsendmail: warning: ignoring {FILE}: is a symbolic link; using the defaults\n"},
		{name: "FIFO does not hang", text: good,
			setup: func(t *testing.T, dir, file string) {
				must(t, os.Remove(file))
				must(t, syscall.Mkfifo(file, 0o644))
			},
			stderr: "phpsendmail: warning: ignoring {FILE}: not a regular file; using the defaults\n"},
		{name: "directory", text: good,
			setup: func(t *testing.T, dir, file string) {
				must(t, os.Remove(file))
				must(t, os.Mkdir(file, 0o755))
			},
			stderr: "phpsendmail: warning: ignoring {FILE}: not a regular file; using the defaults\n"},
		{name: "too long", text: strings.Repeat("# padding\n", 7000),
			stderr: "phpsendmail: warning: ignoring {FILE}: longer than 65536 bytes; using the defaults\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "spamcheck")
			must(t, os.Mkdir(dir, 0o755))
			file := filepath.Join(dir, "phpsendmail.conf")
			must(t, os.WriteFile(file, []byte(tc.text), 0o644))
			must(t, os.Chmod(file, 0o644)) // whatever the umask
			if tc.setup != nil {
				tc.setup(t, dir, file)
			}
			var stderr bytes.Buffer
			got := LoadConfig(file, &stderr)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("LoadConfig mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(strings.ReplaceAll(tc.stderr, "{FILE}", file), stderr.String()); diff != "" {
				t.Errorf("stderr mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// buildPhpsendmail builds cmd/phpsendmail with ConfigPath set to conf, the
// way SPEC §6 lets tests choose the file, and returns the binary's path.
func buildPhpsendmail(t *testing.T, conf string) string {
	t.Helper()
	goCmd, err := exec.LookPath("go") // go test puts its own go first in PATH
	if err != nil {
		t.Fatalf("cannot build phpsendmail: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "phpsendmail")
	cmd := exec.Command(goCmd, "build", "-o", bin,
		"-ldflags", "-X github.com/spam-gear/spamcheck/pkg/phpsendmail.ConfigPath="+conf,
		"github.com/spam-gear/spamcheck/cmd/phpsendmail")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestEnvironmentIgnored runs the built binary with both variables the old
// wrapper read set to hostile values, as a PHP script's putenv() would:
// the program executed and the socket logged to are the configured ones.
func TestEnvironmentIgnored(t *testing.T) {
	dir := t.TempDir()
	sendmail, err := writeFakeSendmail(dir)
	must(t, err)
	good, goodSock := listenDgram(t)
	evil, evilSock := listenDgram(t)
	evilRan := filepath.Join(dir, "evil-ran")
	evilProg := filepath.Join(dir, "evil")
	must(t, os.WriteFile(evilProg, []byte("#!/bin/sh\ntouch "+evilRan+"\n"), 0o755))
	bin := buildPhpsendmail(t, writeConfig(t, sendmail, goodSock))

	cmd := exec.Command(bin, "-fa@example.com")
	cmd.Env = append(os.Environ(),
		"PHPSENDMAIL_SENDMAIL="+evilProg,
		"PHPSENDMAIL_SYSLOG_SOCKET="+evilSock,
		"SCRIPT_FILENAME=/var/www/x.php",
		"FAKE_SENDMAIL_DIR="+dir,
	)
	cmd.Stdin = strings.NewReader("Subject: s\n\nbody\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() != 0 {
		t.Fatalf("phpsendmail: %v, stderr %q", err, stderr.String())
	}
	if _, err := os.Stat(evilRan); err == nil {
		t.Errorf("PHPSENDMAIL_SENDMAIL's program ran")
	}
	pids, _ := filepath.Glob(filepath.Join(dir, "call.*", "sendmail.pid"))
	if len(pids) != 1 {
		t.Fatalf("the configured sendmail ran %d times, want 1", len(pids))
	}
	if b, _ := os.ReadFile(pids[0]); strings.TrimSpace(string(b)) != strconv.Itoa(cmd.Process.Pid) {
		t.Errorf("sendmail ran as pid %s, phpsendmail as %d: not replaced by exec", b, cmd.Process.Pid)
	}
	if recs := receiveAll(t, evil); len(recs) != 0 {
		t.Errorf("PHPSENDMAIL_SYSLOG_SOCKET's socket got %q", recs)
	}
	recs := receiveAll(t, good)
	if len(recs) != 1 || !strings.Contains(recs[0], "filename=/var/www/x.php, uid=") {
		t.Errorf("configured socket got %q, want the one line", recs)
	}
}

// TestShippedConfig: the example file in scripts/php reads without a
// warning, and with its two settings uncommented gives them.
func TestShippedConfig(t *testing.T) {
	requireRoot(t)
	b, err := os.ReadFile("../../scripts/php/phpsendmail.conf")
	must(t, err)
	dir := t.TempDir()
	p := filepath.Join(dir, "phpsendmail.conf")
	for _, tc := range []struct {
		text string
		want Config
	}{
		{string(b), Config{}},
		{strings.NewReplacer("#sendmail =", "sendmail =", "#syslog_socket =", "syslog_socket =").Replace(string(b)),
			Config{Sendmail: "/usr/sbin/sendmail", SyslogSocket: "/dev/log"}},
	} {
		must(t, os.WriteFile(p, []byte(tc.text), 0o644))
		var stderr bytes.Buffer
		if diff := cmp.Diff(tc.want, LoadConfig(p, &stderr)); diff != "" || stderr.Len() != 0 {
			t.Errorf("LoadConfig of the shipped file (-want +got):\n%s\nstderr: %s", diff, stderr.String())
		}
	}
}
