package mtatest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
