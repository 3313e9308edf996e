package phpsendmail

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/internal/rsyslogtest"
)

// asMain makes the test binary run as phpsendmail (see TestMain), so the
// end-to-end tests exercise the real exec without a separate build; it
// then reads the configuration file named by $PHPSENDMAIL_TEST_CONFIG.
// Only this test binary reads that variable: the real binary's file is
// compiled in (see buildPhpsendmail and TestEnvironmentIgnored).
const asMain = "PHPSENDMAIL_TEST_AS_MAIN=1"

// hostileEnv is what a PHP script could putenv() before mail() to choose
// the program and the socket, were they read from the environment; every
// call of the end-to-end tests carries it and must not care.
var hostileEnv = []string{"PHPSENDMAIL_SENDMAIL=/nonexistent/evil", "PHPSENDMAIL_SYSLOG_SOCKET=/nonexistent/evil.sock"}

func TestMain(m *testing.M) {
	if os.Getenv("PHPSENDMAIL_TEST_AS_MAIN") == "1" {
		ConfigPath = os.Getenv("PHPSENDMAIL_TEST_CONFIG")
		if ConfigPath == "" { // never fall back to the host's real sendmail
			fmt.Fprintln(os.Stderr, "phpsendmail test binary: PHPSENDMAIL_TEST_CONFIG is not set")
			os.Exit(70)
		}
		os.Exit(Run(os.Args[1:], os.Environ(), os.Stderr))
	}
	os.Exit(m.Run())
}

// testConfigEnv is the environment entry that makes the test binary read
// conf (see asMain).
func testConfigEnv(conf string) string { return "PHPSENDMAIL_TEST_CONFIG=" + conf }

// writeFakeSendmail copies testdata/fake-sendmail (a sendmail that records
// its arguments, pid and input) into dir and returns its path.
func writeFakeSendmail(dir string) (string, error) {
	b, err := os.ReadFile("testdata/fake-sendmail")
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "fake-sendmail")
	return p, os.WriteFile(p, b, 0o755)
}

// effectiveUser is the name phpsendmail should log for this process.
func effectiveUser() string {
	id := strconv.Itoa(os.Geteuid())
	if u, err := user.LookupId(id); err == nil {
		return u.Username
	}
	return id
}

// call is one phpsendmail run from a Go test.
type call struct {
	env   []string // added to the test's environment
	args  []string
	stdin string
}

// result is what one call left behind.
type result struct {
	pid    int
	stderr string
	err    error
}

// run starts phpsendmail (this test binary) and waits for it.
func (c call) run() result {
	exe, err := os.Executable()
	if err != nil {
		return result{err: err}
	}
	cmd := exec.Command(exe, c.args...)
	cmd.Env = append(append(append(os.Environ(), asMain), hostileEnv...), c.env...)
	cmd.Stdin = strings.NewReader(c.stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return result{err: err}
	}
	pid := cmd.Process.Pid
	err = cmd.Wait()
	return result{pid: pid, stderr: stderr.String(), err: err}
}

// site is the request of call number n in the multi-call tests; want is the
// log text phpsendmail must write for it, spelled out independently of
// package phpsendmail.
func site(n int, conf, outDir string) (call, string) {
	c := call{
		env: []string{
			testConfigEnv(conf),
			"FAKE_SENDMAIL_DIR=" + outDir,
			fmt.Sprintf("HTTP_HOST=site%04d.example", n),
			fmt.Sprintf("REQUEST_URI=/index.php?n=%d&x=a,b", n),
			fmt.Sprintf("REMOTE_ADDR=2001:db8::%x", n),
			fmt.Sprintf("SCRIPT_FILENAME=/srv/www/site %04d/index.php", n),
		},
		args:  []string{fmt.Sprintf("-fsite%04d@example.com", n), "x y"},
		stdin: fmt.Sprintf("Subject: mail %d\n\nbody %d\n", n, n),
	}
	want := fmt.Sprintf("sendmail-php url=site%04d.example/index.php?n=%d&x=a,b, client=2001:db8::%x, filename=/srv/www/site %04d/index.php, uid=%d, user=%s, args=-fsite%04d@example.com x y",
		n, n, n, n, os.Getuid(), effectiveUser(), n)
	return c, want
}

// checkMails reads the fake sendmail's per-call directories under dir and
// checks that calls first..first+n-1 each delivered exactly once, with the
// right arguments and message, from the pid phpsendmail ran as.
func checkMails(t *testing.T, dir string, first, n int, pids map[int]int) {
	t.Helper()
	calls, err := filepath.Glob(filepath.Join(dir, "call.*"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, d := range calls {
		stdin, err1 := os.ReadFile(filepath.Join(d, "sendmail.stdin"))
		argv, err2 := os.ReadFile(filepath.Join(d, "sendmail.argv"))
		pid, err3 := os.ReadFile(filepath.Join(d, "sendmail.pid"))
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Errorf("incomplete fake sendmail record %s: %v", d, err)
			continue
		}
		var k int
		if _, err := fmt.Sscanf(string(stdin), "Subject: mail %d\n", &k); err != nil || k < first || k >= first+n {
			t.Errorf("%s: unexpected message %q", d, stdin)
			continue
		}
		if seen[k] {
			t.Errorf("mail %d delivered twice", k)
		}
		seen[k] = true
		c, _ := site(k, "", "")
		if diff := cmp.Diff(c.stdin, string(stdin)); diff != "" {
			t.Errorf("mail %d message mismatch (-want +got):\n%s", k, diff)
		}
		if diff := cmp.Diff(fmt.Sprintf("-t\n-i\n-fsite%04d@example.com\nx y\n", k), string(argv)); diff != "" {
			t.Errorf("mail %d argv mismatch (-want +got):\n%s", k, diff)
		}
		if got := strings.TrimSpace(string(pid)); got != strconv.Itoa(pids[k]) {
			t.Errorf("mail %d: sendmail ran as pid %s, phpsendmail as %d: not replaced by exec", k, got, pids[k])
		}
	}
	if len(seen) != n {
		t.Errorf("%d of %d mails delivered", len(seen), n)
	}
}

// runMany runs calls first..first+n-1 at once and returns their pids by
// call number. Every call must exit 0; wantStderr, if not nil, must match
// every call's stderr.
func runMany(t *testing.T, first, n int, conf, outDir string, wantStderr *regexp.Regexp) map[int]int {
	t.Helper()
	var (
		mu   sync.Mutex
		pids = map[int]int{}
		wg   sync.WaitGroup
	)
	for k := first; k < first+n; k++ {
		wg.Go(func() {
			c, _ := site(k, conf, outDir)
			r := c.run()
			mu.Lock()
			defer mu.Unlock()
			pids[k] = r.pid
			if r.err != nil {
				t.Errorf("call %d: %v; stderr: %s", k, r.err, r.stderr)
			}
			switch {
			case wantStderr == nil && r.stderr != "":
				t.Errorf("call %d: unexpected stderr %q", k, r.stderr)
			case wantStderr != nil && !wantStderr.MatchString(r.stderr):
				t.Errorf("call %d: stderr %q does not match %s", k, r.stderr, wantStderr)
			}
		})
	}
	wg.Wait()
	return pids
}

// lineRE splits an rsyslog file line into timestamp, host, tag, pid, text.
var lineRE = map[string]*regexp.Regexp{
	"traditional": regexp.MustCompile(`^([A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d) (\S+) ([^ \[]+)\[(\d+)\]: (.*)$`),
	"rfc3339":     regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d) (\S+) ([^ \[]+)\[(\d+)\]: (.*)$`),
}

// checkLines checks that the rsyslog lines are exactly calls first..
// first+n-1, once each, with the right tag, pid and text.
func checkLines(t *testing.T, format string, lines []string, first, n int, pids map[int]int) {
	t.Helper()
	want := map[string]int{}
	for k := first; k < first+n; k++ {
		_, text := site(k, "", "")
		want[text] = k
	}
	if len(lines) != n {
		t.Errorf("%d log lines, want %d", len(lines), n)
	}
	seen := map[int]bool{}
	for _, line := range lines {
		m := lineRE[format].FindStringSubmatch(line)
		if m == nil {
			t.Errorf("line %q is not a complete %s line", line, format)
			continue
		}
		k, ok := want[m[5]]
		if !ok {
			t.Errorf("line %q: text is no call's", line)
			continue
		}
		if seen[k] {
			t.Errorf("call %d logged twice", k)
		}
		seen[k] = true
		if m[3] != effectiveUser() || m[4] != strconv.Itoa(pids[k]) {
			t.Errorf("call %d: tag %s[%s], want %s[%d]", k, m[3], m[4], effectiveUser(), pids[k])
		}
	}
}

// TestOneRecordPerCall runs the built binary against a plain datagram
// listener, with hostile request values: exactly one record, PRI 22, the
// exact text, the pid sendmail later runs as, and the mail delivered.
func TestOneRecordPerCall(t *testing.T) {
	dir := t.TempDir()
	sendmail, err := writeFakeSendmail(dir)
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "log.sock")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	out := filepath.Join(dir, "mails")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	c := call{
		env: []string{
			testConfigEnv(writeConfig(t, sendmail, sock)),
			"FAKE_SENDMAIL_DIR=" + out,
			"HTTP_HOST=evil.example\r\nNov 27 00:00:00 host root: sendmail-php url=x, client=y, filename=/forged.php, uid=0",
			"REQUEST_URI=/\x1b]0;pwned\x07?\xff\xfe",
			"REMOTE_ADDR=192.0.2.1",
			"SCRIPT_FILENAME=/var/www/" + strings.Repeat("d", 2000) + "/x.php",
		},
		args:  []string{"-f", "a\nb"},
		stdin: "Subject: hostile\n",
	}
	r := c.run()
	if r.err != nil || r.stderr != "" {
		t.Fatalf("phpsendmail: %v, stderr %q", r.err, r.stderr)
	}

	var recs []string
	buf := make([]byte, 1<<16)
	for {
		if err := l.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		n, err := l.Read(buf)
		if err != nil {
			break
		}
		recs = append(recs, string(buf[:n]))
	}
	if len(recs) != 1 {
		t.Fatalf("received %d records, want 1: %q", len(recs), recs)
	}
	head := fmt.Sprintf("<22>%s[%d]: ", effectiveUser(), r.pid)
	got := regexp.MustCompile(`^<22>[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d `).ReplaceAllString(recs[0], "<22>")
	want := head + "sendmail-php url=evil.example??Nov%2027%2000:00:00%20host%20root:%20sendmail-php%20url=x,%20client=y,%20filename=/forged.php,%20uid=0/?]0;pwned????" +
		", client=192.0.2.1, filename=/var/www/" + strings.Repeat("d", 1024-len("/var/www/")) +
		", uid=" + strconv.Itoa(os.Getuid()) + ", user=" + effectiveUser() + ", args=-f a?b"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("record mismatch (-want +got):\n%s", diff)
	}

	mails, _ := filepath.Glob(filepath.Join(out, "call.*", "sendmail.pid"))
	if len(mails) != 1 {
		t.Fatalf("%d mails delivered, want 1", len(mails))
	}
	if pid, _ := os.ReadFile(mails[0]); strings.TrimSpace(string(pid)) != strconv.Itoa(r.pid) {
		t.Errorf("sendmail ran as pid %s, phpsendmail as %d: not replaced by exec", pid, r.pid)
	}
}

// TestRsyslog sends 20 calls through a real rsyslogd in both file formats
// and reads them back: the line shape the checkers parse is rsyslog's, not
// ours.
func TestRsyslog(t *testing.T) {
	for _, format := range []string{"traditional", "rfc3339"} {
		t.Run(format, func(t *testing.T) {
			sock, logPath := rsyslogtest.Start(t, format)
			dir := t.TempDir()
			sendmail, err := writeFakeSendmail(dir)
			if err != nil {
				t.Fatal(err)
			}
			const n = 20
			pids := map[int]int{}
			conf := writeConfig(t, sendmail, sock)
			for k := range n {
				c, _ := site(k, conf, dir)
				r := c.run()
				if r.err != nil || r.stderr != "" {
					t.Fatalf("call %d: %v, stderr %q", k, r.err, r.stderr)
				}
				pids[k] = r.pid
			}
			lines := rsyslogtest.WaitLines(t, logPath, "sendmail-php url=", n, 30*time.Second)
			checkLines(t, format, lines, 0, n, pids)
			checkMails(t, dir, 0, n, pids)
		})
	}
}

// TestRsyslogConcurrent: 1000 simultaneous calls through rsyslogd give
// 1000 mails and 1000 whole lines, none lost or mixed; then, with the
// daemon stopped, 1000 more calls all still deliver their mail.
func TestRsyslogConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("1000 concurrent calls; skipped with -short")
	}
	const n = 1000
	d := rsyslogtest.StartDaemon(t, "rfc3339")
	dir := t.TempDir()
	sendmail, err := writeFakeSendmail(dir)
	if err != nil {
		t.Fatal(err)
	}
	up, down := filepath.Join(dir, "up"), filepath.Join(dir, "down")
	for _, p := range []string{up, down} {
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	conf := writeConfig(t, sendmail, d.Socket)
	start := time.Now()
	pids := runMany(t, 0, n, conf, up, nil)
	elapsed := time.Since(start)
	lines := rsyslogtest.WaitLines(t, d.Log, "sendmail-php url=", n, 60*time.Second)
	t.Logf("%d concurrent calls with rsyslogd up: %v; %d lines logged", n, elapsed, len(lines))
	if err := d.Stop(); err != nil {
		t.Errorf("stopping rsyslogd: %v", err)
	}
	// Read again after the stop: the daemon flushes on exit, so a line
	// that WaitLines did not see yet would show up here as a 1001st.
	lines = rsyslogtest.WaitLines(t, d.Log, "sendmail-php url=", n+1, 0)
	checkLines(t, "rfc3339", lines, 0, n, pids)
	checkMails(t, up, 0, n, pids)

	start = time.Now()
	pids = runMany(t, n, n, conf, down,
		regexp.MustCompile(`^phpsendmail: warning: cannot log to syslog \(`+regexp.QuoteMeta(d.Socket)+`\): connect: (no such file or directory|connection refused)\n$`))
	t.Logf("%d concurrent calls with rsyslogd stopped: %v", n, time.Since(start))
	checkMails(t, down, n, n, pids)
}

// TestPHPPrepend runs PHP's mail() with sendmail_path set to phpsendmail
// and the shipped prepend file: the script's path reaches the log only
// through the prepend file, missing keys cause no warnings, nothing leaks
// into the script (output buffer, globals), and a failed exec makes mail()
// return false.
func TestPHPPrepend(t *testing.T) {
	php, err := exec.LookPath("php")
	if err != nil {
		t.Skip("php not found; apt-get install php-cli to run this test")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(exe, " '\"\\$`") {
		t.Skipf("test binary path %q would need shell quoting in sendmail_path", exe)
	}
	prepend, err := filepath.Abs("../../scripts/php/put_environment_variables.php")
	if err != nil {
		t.Fatal(err)
	}
	const script = `<?php
echo "ob_level=", ob_get_level(), " leaked=", isset($name) ? "yes" : "no", "\n";
var_dump(mail("to@example.com", "hello", "body", "", "-fbounce@example.com"));
`
	for _, tc := range []struct {
		name       string
		prepend    bool
		env        []string
		noSendmail bool
		wantStdout string
		wantText   string // {FILE} stands for the script's path
		wantStderr string // {DIR} stands for the test directory
	}{
		{
			name: "web request values", prepend: true,
			env:        []string{"HTTP_HOST=www.example.com", "REQUEST_URI=/contact.php?x=1", "REMOTE_ADDR=192.0.2.5"},
			wantStdout: "ob_level=0 leaked=no\nbool(true)\n",
			wantText:   "sendmail-php url=www.example.com/contact.php?x=1, client=192.0.2.5, filename={FILE}, uid={UID}, user={USER}, args=-fbounce@example.com",
		},
		{
			name: "CLI without request values", prepend: true,
			wantStdout: "ob_level=0 leaked=no\nbool(true)\n",
			wantText:   "sendmail-php url=, client=, filename={FILE}, uid={UID}, user={USER}, args=-fbounce@example.com",
		},
		{
			name:       "without the prepend file the script is unknown",
			wantStdout: "ob_level=0 leaked=no\nbool(true)\n",
			wantText:   "sendmail-php url=, client=, filename=, uid={UID}, user={USER}, args=-fbounce@example.com",
		},
		{
			name: "sendmail missing: mail() returns false", prepend: true, noSendmail: true,
			wantStdout: "ob_level=0 leaked=no\nbool(false)\n",
			wantText:   "sendmail-php url=, client=, filename={FILE}, uid={UID}, user={USER}, args=-fbounce@example.com",
			wantStderr: "phpsendmail: cannot execute {DIR}/no-sendmail: no such file or directory\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "send.php")
			if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			sendmail, err := writeFakeSendmail(dir)
			if err != nil {
				t.Fatal(err)
			}
			if tc.noSendmail {
				sendmail = filepath.Join(dir, "no-sendmail")
			}
			l, sock := listenDgram(t)
			args := []string{"-n", "-d", "display_errors=stderr", "-d", "error_reporting=-1", "-d", "sendmail_path=" + exe}
			if tc.prepend {
				args = append(args, "-d", "auto_prepend_file="+prepend)
			}
			cmd := exec.Command(php, append(args, file)...)
			cmd.Dir = dir
			cmd.Env = append(append(append(os.Environ(), asMain, testConfigEnv(writeConfig(t, sendmail, sock))), hostileEnv...), tc.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("php: %v\nstderr: %s", err, stderr.String())
			}
			if diff := cmp.Diff(tc.wantStdout, stdout.String()); diff != "" {
				t.Errorf("php stdout mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(strings.ReplaceAll(tc.wantStderr, "{DIR}", dir), stderr.String()); diff != "" {
				t.Errorf("php stderr mismatch (-want +got):\n%s", diff)
			}

			recs := receiveAll(t, l)
			var texts []string
			for _, r := range recs {
				_, text, _ := strings.Cut(r, "]: ")
				texts = append(texts, text)
			}
			want := strings.NewReplacer("{FILE}", file, "{UID}", strconv.Itoa(os.Getuid()), "{USER}", effectiveUser()).Replace(tc.wantText)
			if diff := cmp.Diff([]string{want}, texts); diff != "" {
				t.Errorf("logged text mismatch (-want +got):\n%s", diff)
			}
			if !tc.noSendmail {
				got, err := os.ReadFile(filepath.Join(dir, "sendmail.argv"))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff("-t\n-i\n-fbounce@example.com\n", string(got)); diff != "" {
					t.Errorf("sendmail argv mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}
