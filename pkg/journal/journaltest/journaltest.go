// Package journaltest runs a private systemd-journald for tests, so that
// what the checkers read from the journal is proved against the real daemon
// and the real journalctl, with the fields journald itself records (_COMM,
// _UID, _PID), rather than against hand-written export text.
//
// The daemon runs in its own mount namespace (unshare --mount) in which a
// directory of the test's is bind-mounted on /run: its sockets
// (/run/systemd/journal/dev-log, the syslog socket) and its volatile journal
// (/run/log/journal/MACHINE-ID) are private, and visible from outside the
// namespace under Journal.Run. The host's journal, if any, is left alone.
// Needs root, unshare, nsenter and /lib/systemd/systemd-journald; without
// them the test is skipped, or fails under CI=true (pkg/testenv).
package journaltest

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spam-gear/spamcheck/pkg/testenv"
)

// Journald is where Debian installs the daemon (package systemd).
const Journald = "/lib/systemd/systemd-journald"

// Journal is one running private journald.
type Journal struct {
	Run    string // the namespace's /run, seen from outside
	Dir    string // the journal files' directory, for journalctl --directory
	Socket string // the syslog socket (/dev/log in the namespace)
	pid    int    // a process in the namespace, for nsenter
}

// Start starts a private journald and stops it when the test ends.
func Start(t testing.TB) *Journal {
	t.Helper()
	for _, p := range []string{Journald} {
		if _, err := os.Stat(p); err != nil {
			testenv.Missing(t, "journaltest: %v (install the systemd package)", err)
		}
	}
	for _, p := range []string{"journalctl", "unshare", "nsenter", "logger", "setpriv"} {
		if _, err := exec.LookPath(p); err != nil {
			testenv.Missing(t, "journaltest: %s not found (install systemd and util-linux/bsdutils)", p)
		}
	}
	if os.Geteuid() != 0 {
		testenv.Missing(t, "journaltest: needs root (a mount namespace); run the tests as root")
	}
	dir := t.TempDir()
	// Other users (logger run as nobody, Postfix) must reach the socket.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	j := &Journal{Run: filepath.Join(dir, "run")}
	j.Dir = filepath.Join(j.Run, "log", "journal")
	j.Socket = filepath.Join(j.Run, "systemd", "journal", "dev-log")
	if len(j.Socket) >= 108 {
		t.Fatalf("journaltest: socket path %s too long; set a shorter TMPDIR", j.Socket)
	}
	conf := filepath.Join(dir, "journald.conf")
	// No kernel messages, no forwarding, no rate limit: the journal holds
	// exactly what the test wrote.
	if err := os.WriteFile(conf, []byte("[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\nForwardToWall=no\nRateLimitBurst=0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "journald.out")
	script := `set -eu
mount --make-rprivate /
mkdir -p "$1"
mount --bind "$1" /run
mkdir -p /run/systemd/journal /run/log/journal
if [ -e /etc/systemd/journald.conf ]; then mount --bind "$2" /etc/systemd/journald.conf; fi
SYSTEMD_LOG_LEVEL=warning SYSTEMD_LOG_TARGET=console ` + Journald + ` >"$3" 2>&1 &
trap 'kill $! 2>/dev/null; wait' TERM
wait
`
	cmd := exec.Command("unshare", "--mount", "sh", "-c", script, "sh", j.Run, conf, out)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		t.Fatalf("journaltest: %v", err)
	}
	j.pid = cmd.Process.Pid
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		if fi, err := os.Stat(j.Socket); err == nil && fi.Mode()&os.ModeSocket != 0 {
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(out)
			t.Fatalf("journaltest: journald did not create %s: %s", j.Socket, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return j
}

// Command returns a command that runs name inside the journal's mount
// namespace, where it is the local journal (journalctl without
// --directory reads it, /run/systemd/journal/dev-log is its socket).
func (j *Journal) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("nsenter", append([]string{"--target", strconv.Itoa(j.pid), "--mount", "--", name}, args...)...)
}

// CommandPrefix is Command's argv before the program name.
func (j *Journal) CommandPrefix() []string {
	return []string{"nsenter", "--target", strconv.Itoa(j.pid), "--mount", "--"}
}

// Sync waits until journald has written everything it received
// (journalctl --sync).
func (j *Journal) Sync(t testing.TB) {
	t.Helper()
	if out, err := j.Command("journalctl", "--sync").CombinedOutput(); err != nil {
		t.Fatalf("journaltest: journalctl --sync: %v: %s", err, out)
	}
}

// Log sends lines to the syslog socket with the real logger, run as user
// (a name from the passwd database, "" for the test's own user) from the
// program file prog ("" for logger itself; a copy of logger under another
// name is how a test gets an entry whose _COMM is that name). logger is kept
// alive until journald has written the lines, so that journald can read
// the process's name and uid (it reads _COMM from /proc when a message
// arrives; a sender already gone leaves no _COMM).
func (j *Journal) Log(t testing.TB, user, prog, tag string, lines ...string) {
	t.Helper()
	if prog == "" {
		prog, _ = exec.LookPath("logger")
	}
	args := []string{prog, "--socket-errors=on", "-u", j.Socket, "-p", "mail.info", "-t", tag, "--id"}
	name, args := args[0], args[1:]
	if user != "" {
		gid, err := exec.Command("id", "-g", user).Output()
		if err != nil {
			t.Fatalf("journaltest: id -g %s: %v", user, err)
		}
		args = append([]string{"--reuid=" + user, "--regid=" + strings.TrimSpace(string(gid)), "--init-groups", "--", name}, args...)
		name = "setpriv"
	}
	cmd := exec.Command(name, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("journaltest: %s: %v", name, err)
	}
	for _, l := range lines {
		io.WriteString(stdin, l+"\n")
	}
	// logger sends each line as it reads it; wait for journald to have
	// them before logger exits.
	deadline := time.Now().Add(10 * time.Second)
	for !j.hasAll(lines) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("journaltest: %s %s: %v: %s", name, strings.Join(args, " "), err, out.String())
	}
	j.Sync(t)
}

// hasAll reports whether every line is a MESSAGE in the journal.
func (j *Journal) hasAll(lines []string) bool {
	cmd := j.Command("journalctl", "--sync")
	if cmd.Run() != nil {
		return false
	}
	out, err := exec.Command("journalctl", "--directory="+j.Dir, "-q", "-o", "cat").Output()
	if err != nil {
		return false
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		have[l] = true
	}
	for _, l := range lines {
		if !have[l] {
			return false
		}
	}
	return true
}

// CopyProgram copies the program file src (a path, or a name looked up in
// PATH) to a new directory as name, executable by everyone, and returns the
// copy's path.
func CopyProgram(t testing.TB, src, name string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if p, err := exec.LookPath(src); err == nil {
		src = p
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, name)
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

// String describes j for failure messages.
func (j *Journal) String() string { return fmt.Sprintf("journald in %s", j.Run) }
