package mtatest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// rsyslogd is a private rsyslogd: one imuxsock socket, two output files.
type rsyslogd struct {
	d           *daemon
	Socket      string // the socket /dev/log points to in the namespace
	Traditional string // RSYSLOG_TraditionalFileFormat: "Nov 27 21:02:38 host tag[pid]: msg"
	RFC3339     string // RSYSLOG_FileFormat: "2026-11-27T21:02:38.123456+00:00 host tag[pid]: msg"
}

// startRsyslog starts rsyslogd -n with a configuration that reads only
// dir/log.sock (not the system socket, no kernel log) and writes every
// message to both files under dir/log. Rate limiting is off, so that a burst
// of test traffic is logged whole.
func startRsyslog(dir string) (*rsyslogd, error) {
	logDir := filepath.Join(dir, "log")
	work := filepath.Join(dir, "rsyslog")
	for _, d := range []string{logDir, work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	r := &rsyslogd{
		Socket:      filepath.Join(dir, "log.sock"),
		Traditional: filepath.Join(logDir, "syslog-traditional.log"),
		RFC3339:     filepath.Join(logDir, "syslog-rfc3339.log"),
	}
	conf := fmt.Sprintf(`# mtatest: private rsyslogd
global(workDirectory=%q)
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket=%q CreatePath="on" RateLimit.Interval="0")
action(type="omfile" file=%q template="RSYSLOG_TraditionalFileFormat")
action(type="omfile" file=%q template="RSYSLOG_FileFormat")
`, work, r.Socket, r.Traditional, r.RFC3339)
	confFile := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command("/usr/sbin/rsyslogd", "-n", "-f", confFile, "-i", filepath.Join(work, "rsyslogd.pid"))
	cmd.Env = cleanEnv()
	d, err := startDaemon("rsyslogd", cmd, filepath.Join(dir, "rsyslogd.out"))
	if err != nil {
		return nil, err
	}
	r.d = d
	deadline := time.Now().Add(10 * time.Second)
	for {
		if fi, err := os.Stat(r.Socket); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return r, nil
		}
		select {
		case <-d.done:
			return nil, fmt.Errorf("rsyslogd exited: %v: %s", d.err, readTail(filepath.Join(dir, "rsyslogd.out"), 20))
		default:
		}
		if time.Now().After(deadline) {
			d.stop(time.Second)
			return nil, fmt.Errorf("rsyslogd made no socket in 10s: %s", readTail(filepath.Join(dir, "rsyslogd.out"), 20))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *rsyslogd) stop() { r.d.stop(5 * time.Second) }

// Syslog is a private rsyslogd started on its own, for tests that write to
// it directly (as a local user's logger(1) would) rather than through a
// mail server.
type Syslog struct {
	// Socket is the imuxsock socket (what /dev/log is on a real host);
	// Traditional and RFC3339 are the files every message goes to, in
	// RSYSLOG_TraditionalFileFormat and RSYSLOG_FileFormat.
	Socket, Traditional, RFC3339 string

	r *rsyslogd
}

// StartSyslog starts a private rsyslogd (the one StartPostfix uses) and
// stops it when t ends. It skips t when something is missing (NeedSyslog).
func StartSyslog(t testing.TB) *Syslog {
	t.Helper()
	NeedSyslog(t)
	dir := testDir(t, "mtatest-syslog-")
	r, err := startRsyslog(dir)
	if err != nil {
		t.Fatalf("mtatest: %v", err)
	}
	t.Cleanup(r.stop)
	return &Syslog{Socket: r.Socket, Traditional: r.Traditional, RFC3339: r.RFC3339, r: r}
}

// Stop stops rsyslogd after a moment for it to write what it received.
func (s *Syslog) Stop() {
	time.Sleep(200 * time.Millisecond)
	s.r.stop()
}

// NeedSyslog skips (or, in CI, fails) t unless rsyslogd, logger and setpriv
// are installed and the test runs as root.
func NeedSyslog(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "the syslog tests need root (a private rsyslogd, logger run as another user)")
	}
	if !isExecutable("/usr/sbin/rsyslogd") {
		Missing(t, "rsyslog: /usr/sbin/rsyslogd not found")
	}
	for _, c := range []string{"logger", "setpriv"} {
		if _, err := exec.LookPath(c); err != nil {
			Missing(t, "%s not found in PATH", c)
		}
	}
}

// LoggerAs sends msg to the syslog socket with util-linux logger(1) run as
// the unprivileged account uid:gid, with syslog tag TAG[PID] and facility
// mail: what any local user can do to /dev/log.
func LoggerAs(ctx context.Context, uid, gid int, socket, tag string, pid int, msg string) error {
	cmd := execCommand(ctx, "setpriv", "--reuid", strconv.Itoa(uid), "--regid", strconv.Itoa(gid), "--clear-groups", "--",
		"logger", "--socket-errors=on", "-u", socket, "-p", "mail.info", "-t", tag, "--id="+strconv.Itoa(pid), "--", msg)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("logger as uid %d: %v: %s", uid, err, out)
	}
	return nil
}
