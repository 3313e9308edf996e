package rsyslogtest

import (
	"fmt"
	"net"
	"regexp"
	"runtime"
	"testing"
	"time"
)

// TestStart sends one record in the local syslog format to the private
// daemon and checks the line it writes in each format.
func TestStart(t *testing.T) {
	for _, tc := range []struct {
		format string
		prefix string // the timestamp the template writes
	}{
		{"traditional", `[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d`},
		{"rfc3339", `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d`},
	} {
		t.Run(tc.format, func(t *testing.T) {
			sock, log := Start(t, tc.format)
			c, err := net.Dial("unixgram", sock)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			for _, rec := range []string{
				"<14>Jan  2 15:04:05 other[1]: facility user: not in the mail log",
				"<22>Jan  2 15:04:05 tester[42]: hello mail log",
			} {
				if _, err := c.Write([]byte(rec)); err != nil {
					t.Fatal(err)
				}
			}
			lines := WaitLines(t, log, "hello", 1, 10*time.Second)
			want := regexp.MustCompile(`^` + tc.prefix + ` \S+ tester\[42\]: hello mail log$`)
			if len(lines) != 1 || !want.MatchString(lines[0]) {
				t.Fatalf("mail log lines = %q, want one matching %s", lines, want)
			}
			if other := WaitLines(t, log, "facility user", 1, 0); len(other) != 0 {
				t.Errorf("mail log has a user-facility line: %q", other)
			}
		})
	}
}

// TestStop checks that a stopped daemon no longer accepts records, which is
// what tests of "syslog is down" rely on.
func TestStop(t *testing.T) {
	d := StartDaemon(t, "traditional")
	if err := d.Stop(); err != nil {
		t.Fatalf("Stop: %v\n%s", err, d.Output())
	}
	if c, err := net.Dial("unixgram", d.Socket); err == nil {
		c.Close()
		t.Fatalf("dial %s after Stop succeeded, want an error", d.Socket)
	}
	if err := d.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// outcome records how require ended a test, stopping the goroutine as
// testing.T does.
type outcome struct {
	testing.TB
	fatal, skip string
}

func (o *outcome) Helper()           {}
func (o *outcome) Fatal(args ...any) { o.fatal = fmt.Sprint(args...); runtime.Goexit() }
func (o *outcome) Skip(args ...any)  { o.skip = fmt.Sprint(args...); runtime.Goexit() }

// TestRequireMissing: without the daemon the test is skipped with advice,
// except under CI=true, where it fails.
func TestRequireMissing(t *testing.T) {
	for _, tc := range []struct {
		ci                  string
		wantFatal, wantSkip bool
	}{
		{"true", true, false},
		{"", false, true},
		{"false", false, true},
	} {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			o := &outcome{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				require(o, "no-such-rsyslogd-for-test", []string{t.TempDir()})
			}()
			<-done
			if (o.fatal != "") != tc.wantFatal || (o.skip != "") != tc.wantSkip {
				t.Errorf("fatal %q, skip %q; want fatal %v, skip %v", o.fatal, o.skip, tc.wantFatal, tc.wantSkip)
			}
			if msg := o.fatal + o.skip; !regexp.MustCompile(`apt-get install rsyslog`).MatchString(msg) {
				t.Errorf("message %q does not say how to install rsyslog", msg)
			}
		})
	}
}
