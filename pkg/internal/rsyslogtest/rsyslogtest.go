// Package rsyslogtest runs a private rsyslogd for end-to-end tests, so that
// what a program writes to syslog, and what the checkers read back, is
// proved against the daemon the servers really run rather than against a
// hand-written imitation of its file format.
//
// The daemon listens only on a socket in the test's temporary directory
// (the system socket is left alone), writes facility mail to a private file,
// and is killed when the test ends. When rsyslogd is not installed the test
// is skipped, except under CI=true, where that is a failure: CI must not
// silently stop testing against the real daemon.
package rsyslogtest

import (
	"errors"
	"fmt"
	"github.com/spam-gear/spamcheck/pkg/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Formats maps the format names Start accepts to rsyslog's built-in file
// templates (FORMATS.md §1.1 and §1.2).
var Formats = map[string]string{
	"traditional": "RSYSLOG_TraditionalFileFormat", // "Jan  2 15:04:05 host tag: msg"
	"rfc3339":     "RSYSLOG_FileFormat",            // "2006-01-02T15:04:05.000000+01:00 host tag: msg"
}

// startTimeout bounds the wait for the daemon's socket to appear.
const startTimeout = 15 * time.Second

// Daemon is one running rsyslogd.
type Daemon struct {
	Socket string // the imuxsock input socket to send to
	Log    string // the file facility mail.* is written to

	cmd      *exec.Cmd
	output   string // the daemon's stdout and stderr, for failure messages
	exited   chan struct{}
	waitErr  error
	stopOnce sync.Once
	stopErr  error
}

// Start starts a private rsyslogd writing facility mail in format
// ("traditional" or "rfc3339") and returns its socket and log file. The
// daemon is stopped when the test ends.
func Start(t testing.TB, format string) (socketPath, logPath string) {
	t.Helper()
	d := StartDaemon(t, format)
	return d.Socket, d.Log
}

// StartDaemon is Start for tests that also need to stop the daemon early.
func StartDaemon(t testing.TB, format string) *Daemon {
	t.Helper()
	bin := Require(t)
	template, ok := Formats[format]
	if !ok {
		t.Fatalf("rsyslogtest: unknown format %q (want traditional or rfc3339)", format)
	}
	dir := t.TempDir()
	d := &Daemon{
		Socket: filepath.Join(dir, "log.sock"),
		Log:    filepath.Join(dir, "mail.log"),
		output: filepath.Join(dir, "rsyslogd.out"),
		exited: make(chan struct{}),
	}
	if len(d.Socket) >= 108 { // sizeof(sun_path) on Linux, with the NUL
		t.Fatalf("rsyslogtest: socket path %s is too long for a unix socket; set a shorter TMPDIR", d.Socket)
	}
	conf := filepath.Join(dir, "rsyslog.conf")
	// Rate limiting is off because tests send bursts that a real
	// server would throttle; the work directory keeps any state private.
	text := fmt.Sprintf(`global(workDirectory=%q)
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket=%q RateLimit.Interval="0")
mail.* action(type="omfile" File=%q Template=%q)
`, dir, d.Socket, d.Log, template)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(d.output)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	d.cmd = exec.Command(bin, "-n", "-f", conf, "-i", filepath.Join(dir, "rsyslogd.pid"))
	d.cmd.Stdout, d.cmd.Stderr = out, out
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("rsyslogtest: %v", err)
	}
	go func() {
		d.waitErr = d.cmd.Wait()
		close(d.exited)
	}()
	t.Cleanup(func() {
		if err := d.Stop(); err != nil {
			t.Errorf("rsyslogtest: stopping rsyslogd: %v", err)
		}
	})

	deadline := time.Now().Add(startTimeout)
	for {
		if fi, err := os.Stat(d.Socket); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return d
		}
		select {
		case <-d.exited:
			t.Fatalf("rsyslogtest: rsyslogd exited before creating %s: %v\n%s", d.Socket, d.waitErr, d.Output())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("rsyslogtest: rsyslogd did not create %s within %v\n%s", d.Socket, startTimeout, d.Output())
		}
	}
}

// Require returns the path of rsyslogd, or ends the test: a skip that says
// how to enable it, or under CI=true a failure.
func Require(t testing.TB) string {
	t.Helper()
	return require(t, "rsyslogd", []string{"/usr/sbin", "/sbin"}) // sbin is not in a user's PATH on Debian
}

func require(t testing.TB, name string, dirs []string) string {
	t.Helper()
	if bin, err := exec.LookPath(name); err == nil {
		return bin
	}
	for _, dir := range dirs {
		if p := filepath.Join(dir, name); isExecutable(p) {
			return p
		}
	}
	testenv.Missing(t, "rsyslogd not found; apt-get install rsyslog to run the end-to-end syslog tests")
	return ""
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// Stop stops the daemon (SIGTERM, then SIGKILL after 10s) and waits for it.
// Records still queued in its socket are lost, so wait for the lines you
// expect (WaitLines) first. Stop may be called more than once.
func (d *Daemon) Stop() error {
	d.stopOnce.Do(func() {
		select {
		case <-d.exited:
		default:
			_ = d.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-d.exited:
			case <-time.After(10 * time.Second):
				_ = d.cmd.Process.Kill()
				<-d.exited
				d.stopErr = errors.New("rsyslogd ignored SIGTERM for 10s; killed")
				return
			}
		}
		// A daemon we terminated reports the signal; anything else is
		// its own failure.
		var exit *exec.ExitError
		if d.waitErr != nil && !(errors.As(d.waitErr, &exit) && exit.ExitCode() <= 0) {
			d.stopErr = d.waitErr
		}
	})
	return d.stopErr
}

// Output returns what the daemon printed, for failure messages.
func (d *Daemon) Output() string {
	b, _ := os.ReadFile(d.output)
	return string(b)
}

// WaitLines waits until the file at path has at least n lines containing
// substr, or timeout passes, and returns those lines (without newlines).
// The daemon writes asynchronously, so tests poll rather than read once.
func WaitLines(t testing.TB, path, substr string, n int, timeout time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		lines, err := matching(path, substr)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if len(lines) >= n || time.Now().After(deadline) {
			return lines
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// matching returns the complete (newline-terminated) lines of path that
// contain substr; a line the daemon is still writing is not counted.
func matching(path, substr string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var lines []string
	for line := range strings.Lines(string(b)) {
		if text, ok := strings.CutSuffix(line, "\n"); ok && strings.Contains(text, substr) {
			lines = append(lines, text)
		}
	}
	return lines, nil
}
