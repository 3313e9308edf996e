// Package mtatest runs real mail servers — Postfix and Exim from Debian's
// packages — privately on loopback for end-to-end tests, and drives SMTP and
// local traffic into them, so that tests can read the logs real servers
// write.
//
// How it stays private. Everything runs as root (the tests are meant for CI
// and for `sudo go test`):
//
//   - Each server runs inside a mount namespace of its own (unshare(1)). In
//     it, /etc is an overlay whose upper layer holds the instance's own
//     hosts, resolv.conf, passwd and group (and, for Exim, exim4/exim4.conf),
//     and /dev is a small tmpfs with the usual device nodes and a /dev/log
//     symlink to the instance's private syslog socket. Nothing changes on
//     the host: no /dev/log is created, no account is added, /var/log and
//     /var/spool are never used.
//   - Name lookups of the servers go to a tiny DNS server of the test
//     (127.0.53.N:53), which answers PTR and A queries from the Host list of
//     the options, so that logs contain forward-confirmed names
//     (host.example[127.0.0.2], H=host.example (helo) [127.0.0.2]), unknown
//     clients, and a reverse name that does not verify.
//   - Postfix logs through syslog(3) to /dev/log, i.e. to a private rsyslogd
//     (imuxsock on a private socket) writing two files, one in
//     RSYSLOG_TraditionalFileFormat and one in RSYSLOG_FileFormat (RFC 3339);
//     or, with PostfixOptions.Maillog, through its own postlogd to
//     maillog_file (Postfix ≥ 3.4 logs to one or the other, never both).
//   - Exim writes its own log files (log_file_path = DIR/%slog) and, with
//     EximOptions.SyslogSocket, the same lines to syslog too.
//
// Every process is started by the test, put in its own process group, given
// a parent-death signal, and stopped in t.Cleanup (or earlier by Stop).
// Postfix and Exim run under a shell in their namespace that passes SIGTERM
// on to them (the kernel drops the parent-death signal of a process that
// changes its effective uid), so they stop even when the test process is
// killed. Every wait is bounded.
//
// The package lives under e2e/ because Go lets only packages inside the
// parent of an internal/ directory import it, and the importer is e2e.
//
// When a component is missing the helpers skip the test with a hint to run
// `sudo scripts/ci/install-mta.sh`; with CI=true in the environment they fail
// it instead, so that CI cannot pass by skipping.
package mtatest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/spam-gear/spamcheck/pkg/testenv"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// InstallHint is the command that installs what these helpers need.
const InstallHint = "sudo scripts/ci/install-mta.sh"

// Domain is the local mail domain of every instance; mail to it is accepted
// and discarded.
const Domain = "e2e.test"

// Hostname is the host name the servers announce (Postfix myhostname, Exim
// primary_hostname).
const Hostname = "mx." + Domain

// Default locations of the programs, overridable for unusual systems.
var (
	// EximBinary is the unpacked exim4 of install-mta.sh; the environment
	// variable SPAMCHECK_EXIM overrides it.
	EximBinary = "/opt/spamcheck-exim/usr/sbin/exim4"
	// PostfixDaemonDir holds master, smtpd, … (Debian's daemon_directory).
	PostfixDaemonDir = "/usr/lib/postfix/sbin"
)

// User is an account that may authenticate over SMTP (AUTH PLAIN/LOGIN).
type User struct {
	Name     string // login as the client sends it: "alice" or "carol@e2e.test"
	Password string
}

// Host is what the test DNS answers about one client address.
type Host struct {
	IP   string // a loopback address, 127.0.0.2 … 127.255.255.254
	Name string // its PTR name; empty: no PTR record (the client is "unknown")
	// NoForward leaves Name without an A record, so that the reverse name
	// does not verify (Postfix logs "unknown" and a warning; Exim shows no
	// name).
	NoForward bool
}

// Missing reports a missing prerequisite: a skip with InstallHint, or a
// fatal error when the environment has CI=true.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	testenv.Missing(t, "%s; to enable: %s (and run the tests as root)", fmt.Sprintf(format, args...), InstallHint)
}

// eximBinary returns the Exim binary to use.
func eximBinary() string {
	if b := os.Getenv("SPAMCHECK_EXIM"); b != "" {
		return b
	}
	return EximBinary
}

// NeedPostfix skips (or, in CI, fails) t unless everything StartPostfix
// needs is installed and usable.
func NeedPostfix(t testing.TB) {
	t.Helper()
	needCommon(t)
	for _, p := range []string{"/usr/sbin/postfix", "/usr/sbin/postconf", "/usr/sbin/saslpasswd2", "/usr/sbin/sendmail",
		filepath.Join(PostfixDaemonDir, "master"), filepath.Join(PostfixDaemonDir, "smtpd")} {
		if !isExecutable(p) {
			Missing(t, "postfix: %s not found", p)
		}
	}
	if !isExecutable("/usr/sbin/rsyslogd") {
		Missing(t, "rsyslog: /usr/sbin/rsyslogd not found")
	}
	if _, err := user.Lookup("postfix"); err != nil {
		Missing(t, "postfix: no user postfix (%v)", err)
	}
	if _, err := user.LookupGroup("postdrop"); err != nil {
		Missing(t, "postfix: no group postdrop (%v)", err)
	}
}

// NeedExim skips (or, in CI, fails) t unless everything StartExim needs is
// installed and usable.
func NeedExim(t testing.TB) {
	t.Helper()
	needCommon(t)
	bin := eximBinary()
	if !isExecutable(bin) {
		Missing(t, "exim: %s not found", bin)
	}
	if fi, err := os.Stat(bin); err == nil && fi.Mode()&os.ModeSetuid == 0 {
		Missing(t, "exim: %s is not set-uid root (local submissions by other users need it)", bin)
	}
}

func needCommon(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "the real-MTA tests need root (mount namespaces, port 53 on loopback, private daemons)")
	}
	for _, c := range []string{"unshare", "nsenter", "setpriv", "swaks", "sh"} {
		if _, err := exec.LookPath(c); err != nil {
			Missing(t, "%s not found in PATH", c)
		}
	}
	if err := probeNamespace(); err != nil {
		Missing(t, "cannot make a private mount namespace with overlay and tmpfs mounts: %v", err)
	}
}

var (
	probeOnce sync.Once
	probeErr  error
)

// probeNamespace checks once that unshare, tmpfs and overlay mounts work.
func probeNamespace() error {
	probeOnce.Do(func() {
		dir, err := privateDir("mtatest-probe-")
		if err != nil {
			probeErr = err
			return
		}
		defer os.RemoveAll(dir)
		ns := &namespace{dir: dir, etc: map[string]fileSpec{"mtatest-probe": {data: []byte("ok\n"), mode: 0o644}}}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		out, err := ns.command(ctx, "cat", "/etc/mtatest-probe").CombinedOutput()
		if err != nil {
			probeErr = fmt.Errorf("%v: %s", err, bytes.TrimSpace(out))
			return
		}
		if string(out) != "ok\n" {
			probeErr = fmt.Errorf("unexpected output %q", out)
		}
	})
	return probeErr
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// privateDir makes a fresh directory that unprivileged daemon users (postfix,
// Debian-exim) can traverse: mode 0755 under a world-traversable temp dir.
func privateDir(prefix string) (string, error) {
	base := os.TempDir()
	if !worldTraversable(base) {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, prefix)
	if err != nil {
		return "", err
	}
	if strings.ContainsAny(dir, ",:'\"\\ \n") {
		os.RemoveAll(dir)
		return "", fmt.Errorf("temp dir %q contains characters that mount options cannot hold; set TMPDIR", dir)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

func worldTraversable(dir string) bool {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return true
		}
		dir = parent
	}
}

// testDir makes a private directory for one instance, removed at cleanup
// unless SPAMCHECK_E2E_KEEP is set (then its path is logged).
func testDir(t testing.TB, prefix string) string {
	t.Helper()
	dir, err := privateDir(prefix)
	if err != nil {
		t.Fatalf("mtatest: %v", err)
	}
	t.Cleanup(func() {
		if os.Getenv("SPAMCHECK_E2E_KEEP") != "" {
			t.Logf("mtatest: keeping %s", dir)
			return
		}
		os.RemoveAll(dir)
	})
	return dir
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitListen waits until something listens on addr (127.0.0.1:PORT), the
// process behind done exits, or timeout passes. It reads /proc/net/tcp
// rather than connecting, so that the servers log no probe connections.
func waitListen(addr string, done <-chan struct{}, timeout time.Duration) error {
	_, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return err
	}
	// /proc/net/tcp: "sl local_address rem_address st ...", the address
	// as little-endian hex, st 0A = LISTEN.
	want := fmt.Sprintf("0100007F:%04X", port)
	deadline := time.Now().Add(timeout)
	for {
		b, err := os.ReadFile("/proc/net/tcp")
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) > 3 && f[1] == want && f[3] == "0A" {
				return nil
			}
		}
		select {
		case <-done:
			return fmt.Errorf("server exited before listening on %s", addr)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listening on %s after %v", addr, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// daemon is a long-running child process, in its own process group, that
// gets SIGTERM when the test process dies.
type daemon struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error // valid after done is closed
	once sync.Once
}

// startDaemon starts cmd with output to logFile, in a process group of its
// own, with SIGTERM as its parent-death signal.
func startDaemon(name string, cmd *exec.Cmd, logFile string) (*daemon, error) {
	out, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	d := &daemon{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		d.err = cmd.Wait()
		out.Close()
		close(d.done)
	}()
	return d, nil
}

// pid is the process id of what was started (for a namespace daemon: the
// supervising shell, inside the namespace).
func (d *daemon) pid() int { return d.cmd.Process.Pid }

// stop sends SIGTERM to the daemon and waits up to grace for it to exit,
// then kills its process group. Only the processes this package started
// are signalled: the daemon by its pid, and the group it leads.
func (d *daemon) stop(grace time.Duration) {
	d.once.Do(func() {
		select {
		case <-d.done:
			return
		default:
		}
		_ = d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.done:
		case <-time.After(grace):
			_ = syscall.Kill(-d.pid(), syscall.SIGKILL)
			select {
			case <-d.done:
			case <-time.After(5 * time.Second):
			}
		}
	})
}

// killSurvivor kills (SIGKILL) the process whose pid is in pidFile, and
// the process group it leads, if it is still running and its command line
// contains mark (the instance's private directory, so that a stale pid
// file never hits another process).
func killSurvivor(pidFile, mark string) {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Contains(cmdline, []byte(mark)) {
		return
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

// WaitForLog polls file until cond returns true for its content, or fails t
// after timeout. It returns the content that satisfied cond.
func WaitForLog(t testing.TB, file string, timeout time.Duration, cond func(content string) bool) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b, err := os.ReadFile(file)
		if err == nil && cond(string(b)) {
			return string(b)
		}
		if time.Now().After(deadline) {
			if err != nil {
				t.Fatalf("mtatest: waiting for %s: %v", file, err)
			}
			t.Fatalf("mtatest: %s did not reach the expected state in %v; it has:\n%s", file, timeout, tail(string(b), 40))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// WaitQuiet waits until none of files has grown for quiet (bounded by
// timeout), so that lines logged after a transaction (qmgr, discard,
// disconnect) are in.
func WaitQuiet(t testing.TB, quiet, timeout time.Duration, files ...string) {
	t.Helper()
	sizes := func() string {
		var b strings.Builder
		for _, f := range files {
			fi, err := os.Stat(f)
			if err == nil {
				b.WriteString(strconv.FormatInt(fi.Size(), 10))
			}
			b.WriteByte(' ')
		}
		return b.String()
	}
	deadline := time.Now().Add(timeout)
	last, since := sizes(), time.Now()
	for time.Since(since) < quiet {
		if time.Now().After(deadline) {
			t.Logf("mtatest: logs still growing after %v; going on", timeout)
			return
		}
		time.Sleep(50 * time.Millisecond)
		if s := sizes(); s != last {
			last, since = s, time.Now()
		}
	}
}

func tail(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "")
}

// readTail returns the last lines of a file for diagnostics.
func readTail(file string, n int) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	return tail(string(b), n)
}

// freeIDs returns n uids that /etc/passwd does not use and n gids that
// /etc/group does not use, counting down from 64990.
func freeIDs(n int) (uids, gids []int, err error) {
	used := func(file string) (map[int]bool, error) {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		m := map[int]bool{}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Split(line, ":")
			if len(f) > 2 {
				if id, err := strconv.Atoi(f[2]); err == nil {
					m[id] = true
				}
			}
		}
		return m, nil
	}
	u, err := used("/etc/passwd")
	if err != nil {
		return nil, nil, err
	}
	g, err := used("/etc/group")
	if err != nil {
		return nil, nil, err
	}
	for id := 64990; id > 60000 && (len(uids) < n || len(gids) < n); id-- {
		if !u[id] && len(uids) < n {
			uids = append(uids, id)
		}
		if !g[id] && len(gids) < n {
			gids = append(gids, id)
		}
	}
	if len(uids) < n || len(gids) < n {
		return nil, nil, errors.New("no free uids/gids in 60000..64990")
	}
	return uids, gids, nil
}
