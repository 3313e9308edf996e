package phpsendmail

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/internal/rsyslogtest"
)

// roundTripMails is how many requests, and so mails, each round trip makes.
const roundTripMails = 7

// TestRoundTrip is the round trip of issue 5, once per rsyslog file format:
// PHP's built-in web server runs testdata/roundtrip/send.php with the
// shipped prepend file and the built phpsendmail as sendmail_path; every
// request's mail reaches a recording sendmail unchanged and leaves one line
// in a private rsyslogd's mail log and one in PHP's mail.log; then the built
// php-legacy-spam-check and php-spam-check, alone and chained as in cron,
// name the script from those real logs.
func TestRoundTrip(t *testing.T) {
	php := requireRoundTripPrograms(t)
	requireRoot(t)
	for _, format := range []string{"traditional", "rfc3339"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel() // independent daemons, servers and ports
			testRoundTrip(t, php, format)
		})
	}
}

func testRoundTrip(t *testing.T, php, format string) {
	const n = roundTripMails
	sock, syslogFile := rsyslogtest.Start(t, format)

	dir := t.TempDir()
	docroot := filepath.Join(dir, "www")
	if err := os.Mkdir(docroot, 0o755); err != nil {
		t.Fatal(err)
	}
	// PHP reports the document root with symbolic links resolved.
	docroot, err := filepath.EvalSymlinks(docroot)
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(docroot, "send.php")
	mailLine := lineOf(t, copyTestdata(t, "send.php", script, 0o644), "= mail(")
	if err := os.WriteFile(filepath.Join(docroot, "ready.txt"), []byte("roundtrip\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sendmailDir := filepath.Join(dir, "sendmail")
	if err := os.Mkdir(sendmailDir, 0o755); err != nil {
		t.Fatal(err)
	}
	fakeSendmail := filepath.Join(sendmailDir, "fake-sendmail")
	copyTestdata(t, "fake-sendmail", fakeSendmail, 0o755)
	phpMailLog := filepath.Join(dir, "phpmail.log")
	bin := buildRoundTripCommands(t, writeConfig(t, fakeSendmail, sock))

	prepend, err := filepath.Abs("../../scripts/php/put_environment_variables.php")
	if err != nil {
		t.Fatal(err)
	}
	base := startPHPServer(t, php, docroot, []string{
		"sendmail_path=" + filepath.Join(bin, "phpsendmail"),
		"mail.log=" + phpMailLog,
		"auto_prepend_file=" + prepend,
		"mail.add_x_header=Off",
		"display_errors=1",
		"error_reporting=-1",
	}, hostileEnv)

	// 4. The requests, one after another as a visitor would make them.
	client := &http.Client{
		Timeout:   15 * time.Second,
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	}
	for k := range n {
		req, err := http.NewRequest("GET", fmt.Sprintf("%s/send.php?n=%d&via=roundtrip", base, k), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = "shop.example"
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("request %d: %v", k, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("request %d: %v", k, err)
		}
		if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
			t.Fatalf("request %d: %s, body %q (want 200, \"ok\\n\")", k, resp.Status, body)
		}
	}

	// 5a. Every message reached sendmail as PHP wrote it, with -t -i, from
	// the process phpsendmail ran as.
	calls := readSendmailCalls(t, filepath.Join(sendmailDir, "calls.log"))
	if len(calls) != n {
		t.Errorf("sendmail was called %d times, want %d", len(calls), n)
	}
	pidOf := map[int]string{} // request number -> sendmail's pid
	for i, c := range calls {
		if c.argv != "[-t][-i]" {
			t.Errorf("sendmail call %d: argv %s, want [-t][-i]", i, c.argv)
		}
		var k int
		if _, err := fmt.Sscanf(c.message, "To: victim@example.com\r\nSubject: subject %d\r\n", &k); err != nil || k < 0 || k >= n {
			t.Errorf("sendmail call %d: unexpected message %q", i, c.message)
			continue
		}
		// PHP 8 ends header lines with CRLF and adds CRLF after the body
		// (mail.mixed_lf_and_crlf=Off); no X-PHP-Originating-Script header
		// with mail.add_x_header=Off.
		want := fmt.Sprintf("To: victim@example.com\r\nSubject: subject %d\r\n\r\nbody %d\n\r\n", k, k)
		if diff := cmp.Diff(want, c.message); diff != "" {
			t.Errorf("message %d differs from what PHP passes (-want +got):\n%s", k, diff)
		}
		if _, dup := pidOf[k]; dup {
			t.Errorf("message %d delivered twice", k)
		}
		pidOf[k] = c.pid
	}

	// 5b. One syslog line per mail, written by rsyslogd, naming the script.
	lines := rsyslogtest.WaitLines(t, syslogFile, "sendmail-php url=", n, 15*time.Second)
	if len(lines) != n {
		t.Errorf("%d sendmail-php lines in %s, want %d:\n%s", len(lines), syslogFile, n, strings.Join(lines, "\n"))
	}
	textRE := regexp.MustCompile(`^sendmail-php url=shop\.example/send\.php\?n=(\d+)&via=roundtrip, client=127\.0\.0\.1, filename=` +
		regexp.QuoteMeta(script) + `, uid=` + strconv.Itoa(os.Getuid()) + `, user=` + regexp.QuoteMeta(effectiveUser()) + `, args=$`)
	logged := map[int]bool{}
	for _, line := range lines {
		m := lineRE[format].FindStringSubmatch(line)
		if m == nil {
			t.Errorf("syslog line %q is not a %s line", line, format)
			continue
		}
		tm := textRE.FindStringSubmatch(m[5])
		if tm == nil {
			t.Errorf("syslog line %q: text does not match %s", line, textRE)
			continue
		}
		k, _ := strconv.Atoi(tm[1])
		if logged[k] {
			t.Errorf("request %d logged twice", k)
		}
		logged[k] = true
		if m[3] != effectiveUser() {
			t.Errorf("syslog line %q: tag %s, want %s", line, m[3], effectiveUser())
		}
		if pid, ok := pidOf[k]; ok && m[4] != pid {
			t.Errorf("request %d: logged by pid %s, sendmail ran as pid %s: not replaced by exec", k, m[4], pid)
		}
	}
	if len(logged) != n {
		t.Errorf("%d of %d requests logged to syslog", len(logged), n)
	}

	// 5c. One line per mail in PHP's own mail.log.
	phpLines := readLines(t, phpMailLog)
	phpRE := regexp.MustCompile(`^\[\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d [^\]]+\] mail\(\) on \[` +
		regexp.QuoteMeta(script) + `:` + strconv.Itoa(mailLine) + `\]: To: victim@example\.com -- Headers:  -- Subject: subject (\d+)$`)
	seen := map[string]bool{}
	for _, line := range phpLines {
		m := phpRE.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("PHP mail.log line %q does not match %s", line, phpRE)
			continue
		}
		seen[m[1]] = true
	}
	if len(phpLines) != n || len(seen) != n {
		t.Errorf("PHP mail.log has %d lines for %d requests, want %d for %d", len(phpLines), len(seen), n, n)
	}

	// 6. The checkers find the script in the real logs. The --now is after
	// every line; MINUTES=10 is a 12-minute window.
	now := time.Now().Add(time.Minute)
	nowArg := now.Format(time.RFC3339)
	legacy := filepath.Join(bin, "php-legacy-spam-check")
	check := filepath.Join(bin, "php-spam-check")
	found := script + "\n"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"legacy at N", []string{legacy, "10", strconv.Itoa(n), "-l", syslogFile, "--now", nowArg}, found},
		{"legacy at N+1", []string{legacy, "10", strconv.Itoa(n + 1), "-l", syslogFile, "--now", nowArg}, ""},
		{"legacy, lines out of the window", []string{legacy, "10", "1", "-l", syslogFile, "--now", now.Add(12 * time.Minute).Format(time.RFC3339)}, ""},
		{"php at N", []string{check, strconv.Itoa(n), "-l", phpMailLog}, found},
		{"php at N+1", []string{check, strconv.Itoa(n + 1), "-l", phpMailLog}, ""},
		{"cron chain", []string{"sh", "-c", `"$1" 10 "$2" -l "$3" --now "$4" && "$5" "$2" -l "$6"`,
			"sh", legacy, strconv.Itoa(n), syslogFile, nowArg, check, phpMailLog}, found + found},
	} {
		cmd := exec.Command(tc.args[0], tc.args[1:]...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("%s: %q: %v\nstderr: %s", tc.name, tc.args, err, stderr.String())
			continue
		}
		if diff := cmp.Diff(tc.want, stdout.String()); diff != "" {
			t.Errorf("%s: %q: stdout mismatch (-want +got):\n%s", tc.name, tc.args, diff)
		}
		if stderr.Len() != 0 {
			t.Errorf("%s: %q: unexpected stderr %q", tc.name, tc.args, stderr.String())
		}
	}
	if t.Failed() {
		t.Logf("syslog file %s:\n%s", syslogFile, strings.Join(readLines(t, syslogFile), "\n"))
		t.Logf("PHP mail.log %s:\n%s", phpMailLog, strings.Join(phpLines, "\n"))
	}
}

// requireRoundTripPrograms returns the path of php, or ends the test when
// php or rsyslogd is missing: a skip naming the packages, or under CI=true
// a failure.
func requireRoundTripPrograms(t *testing.T) string {
	t.Helper()
	var missing []string
	php, err := exec.LookPath("php")
	if err != nil {
		missing = append(missing, "php")
	}
	if _, err := exec.LookPath("rsyslogd"); err != nil {
		found := false
		for _, p := range []string{"/usr/sbin/rsyslogd", "/sbin/rsyslogd"} {
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
				found = true
			}
		}
		if !found {
			missing = append(missing, "rsyslogd")
		}
	}
	if len(missing) > 0 {
		msg := strings.Join(missing, " and ") + " not found; apt-get install php-cli rsyslog to run the PHP round-trip test"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true requires it)")
		}
		t.Skip(msg)
	}
	return php
}

// buildRoundTripCommands builds phpsendmail, with conf as its
// configuration file, and both PHP checkers into a temporary directory and
// returns it.
func buildRoundTripCommands(t *testing.T, conf string) string {
	t.Helper()
	goCmd, err := exec.LookPath("go") // go test puts its own go first in PATH
	if err != nil {
		t.Fatalf("cannot build the commands: %v", err)
	}
	bin := t.TempDir()
	if strings.ContainsAny(bin, " '\"\\$`;&|<>*?()[]{}~#") {
		t.Skipf("temporary directory %q would need shell quoting in sendmail_path", bin)
	}
	const mod = "github.com/spam-gear/spamcheck/cmd/"
	cmd := exec.Command(goCmd, "build", "-o", bin+string(filepath.Separator),
		"-ldflags", "-X github.com/spam-gear/spamcheck/pkg/phpsendmail.ConfigPath="+conf,
		mod+"phpsendmail", mod+"php-spam-check", mod+"php-legacy-spam-check")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startPHPServer starts "php -S" on a free loopback port with the given -d
// settings and extra environment, waits until it serves docroot, and
// returns its base URL. The server is killed when the test ends.
func startPHPServer(t *testing.T, php, docroot string, settings, env []string) string {
	t.Helper()
	errFile := filepath.Join(t.TempDir(), "php-server.log")
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // another process may take the port first
		addr, err := freeLoopbackAddr()
		if err != nil {
			t.Fatal(err)
		}
		args := []string{"-n"}
		for _, s := range settings {
			args = append(args, "-d", s)
		}
		args = append(args, "-S", addr, "-t", docroot)
		cmd := exec.Command(php, args...)
		cmd.Dir = docroot
		cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
			return strings.HasPrefix(kv, "PHP_CLI_SERVER_WORKERS=")
		}), env...)
		out, err := os.Create(errFile)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = out, out
		err = cmd.Start()
		out.Close()
		if err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() {
			_ = cmd.Wait()
			close(exited)
		}()
		stop := func() {
			_ = cmd.Process.Kill()
			<-exited
		}
		base := "http://" + addr
		if lastErr = waitReady(base+"/ready.txt", exited, 15*time.Second); lastErr == nil {
			t.Cleanup(stop)
			return base
		}
		stop()
		log, _ := os.ReadFile(errFile)
		lastErr = fmt.Errorf("%w\nphp -S output:\n%s", lastErr, log)
	}
	t.Fatalf("PHP built-in server did not start: %v", lastErr)
	return ""
}

// freeLoopbackAddr returns a 127.0.0.1 address with a port that was free.
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitReady polls url until it serves the ready file, the server exits,
// or timeout passes.
func waitReady(url string, exited <-chan struct{}, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get(url)
		if err == nil {
			body, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil && resp.StatusCode == http.StatusOK && string(body) == "roundtrip\n" {
				return nil
			}
			err = fmt.Errorf("%s: %s %q (another server on the port?)", url, resp.Status, body)
		}
		select {
		case <-exited:
			return errors.New("php -S exited")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer within %v: %v", timeout, err)
		}
	}
}

// copyTestdata copies testdata/roundtrip/name to dst and returns its text.
func copyTestdata(t *testing.T, name, dst string, perm os.FileMode) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "roundtrip", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, perm); err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lineOf returns the number of the only line of text containing substr.
func lineOf(t *testing.T, text, substr string) int {
	t.Helper()
	found := 0
	for i, line := range strings.Split(text, "\n") {
		if strings.Contains(line, substr) {
			if found != 0 {
				t.Fatalf("%q occurs on lines %d and %d", substr, found, i+1)
			}
			found = i + 1
		}
	}
	if found == 0 {
		t.Fatalf("%q not found", substr)
	}
	return found
}

// sendmailCall is one record of testdata/roundtrip/fake-sendmail.
type sendmailCall struct {
	pid, argv, message string
}

var sendmailHeadRE = regexp.MustCompile(`^=== pid=(\d+) size=\s*(\d+) argv=(.*)\n$`)

// readSendmailCalls reads the fake sendmail's records from path.
func readSendmailCalls(t *testing.T, path string) []sendmailCall {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var calls []sendmailCall
	for {
		head, err := r.ReadString('\n')
		if err == io.EOF && head == "" {
			return calls
		}
		m := sendmailHeadRE.FindStringSubmatch(head)
		if m == nil {
			t.Fatalf("%s: bad record header %q (%v)", path, head, err)
		}
		size, _ := strconv.Atoi(m[2])
		msg := make([]byte, size)
		if _, err := io.ReadFull(r, msg); err != nil {
			t.Fatalf("%s: record of pid %s: %v", path, m[1], err)
		}
		calls = append(calls, sendmailCall{pid: m[1], argv: m[3], message: string(msg)})
	}
}

// readLines returns the lines of path, without newlines; none if it does
// not exist.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}
