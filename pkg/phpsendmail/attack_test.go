package phpsendmail

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/internal/rsyslogtest"
	"github.com/spam-gear/spamcheck/pkg/textesc"
)

// runPHP runs script with php-cli and the given -d settings and extra
// environment; it fails the test unless PHP exits 0 with no output on
// stderr, and returns PHP's standard output.
func runPHP(t *testing.T, php, script string, settings, env []string) string {
	t.Helper()
	args := []string{"-n", "-d", "display_errors=stderr", "-d", "error_reporting=-1", "-d", "mail.add_x_header=Off"}
	for _, s := range settings {
		args = append(args, "-d", s)
	}
	cmd := exec.Command(php, append(args, script)...)
	cmd.Dir = filepath.Dir(script)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() != 0 {
		t.Fatalf("php %s: %v\nstdout: %s\nstderr: %s", script, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// runChecker runs a built checker and returns its standard output; it
// fails the test on a non-zero status or any stderr.
func runChecker(t *testing.T, prog string, args ...string) string {
	t.Helper()
	cmd := exec.Command(prog, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() != 0 {
		t.Fatalf("%s %q: %v\nstderr: %s", prog, args, err, stderr.String())
	}
	return stdout.String()
}

// TestPHPForgedMailLog lets real PHP write its mail.log the two ways a
// stranger can put "mail() on [/home/victim/…" at the start of a line of
// it: a script in a directory whose name holds a newline, and a recipient
// with a folded CRLF (PHP keeps a CRLF followed by a blank in To:).
// php-spam-check must report the real script, escaped, and never the
// victim (SPEC §4).
func TestPHPForgedMailLog(t *testing.T) {
	php := requireRoundTripPrograms(t)
	bin := buildRoundTripCommands(t, "/nonexistent/phpsendmail.conf")
	check := filepath.Join(bin, "php-spam-check")

	dir, err := filepath.EvalSymlinks(t.TempDir()) // PHP logs the real path
	if err != nil {
		t.Fatal(err)
	}
	sink := filepath.Join(dir, "sink-sendmail")
	if err := os.WriteFile(sink, []byte("#!/bin/sh\ncat >/dev/null\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	evilDir := filepath.Join(dir, "evil", "a\nmail() on [", "home", "victim", "public_html")
	if err := os.MkdirAll(evilDir, 0o755); err != nil {
		t.Fatal(err)
	}
	const noHeaders = `<?php var_dump(mail("x@example.org", "s", "b"));` + "\n"
	const withHeaders = `<?php var_dump(mail("x@example.org", "s", "b", "From: a@example.org"));` + "\n"
	const foldedTo = `<?php var_dump(mail("a@example.org\r\n mail() on [/home/victim/x.php:7]: To: y", "s", "b"));` + "\n"
	for _, tc := range []struct {
		name, script, code string
		forgery            string // what PHP's mail.log must hold: the attack is real
		want               string // the key php-spam-check must report
	}{
		// PHP writes the path as it is: FILE spans two lines of the log.
		{"directory with a newline", filepath.Join(evilDir, "index.php"), noHeaders,
			"\nmail() on [/home/victim/public_html/index.php:1]: To: ",
			filepath.Join(evilDir, "index.php")},
		// With headers PHP turns every CR and LF of the line into a blank.
		{"directory with a newline, mail() with headers", filepath.Join(evilDir, "h.php"), withHeaders,
			"/a mail() on [/home/victim/public_html/h.php:1]: To: ",
			strings.ReplaceAll(filepath.Join(evilDir, "h.php"), "\n", " ")},
		{"folded To", filepath.Join(dir, "form.php"), foldedTo,
			"\r\n mail() on [/home/victim/x.php:7]: To: y",
			filepath.Join(dir, "form.php")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(tc.script, []byte(tc.code), 0o644); err != nil {
				t.Fatal(err)
			}
			mailLog := filepath.Join(t.TempDir(), "phpmail.log")
			const n = 3
			for range n {
				if out := runPHP(t, php, tc.script, []string{"mail.log=" + mailLog, "sendmail_path=" + sink}, nil); out != "bool(true)\n" {
					t.Fatalf("mail() returned %q", out)
				}
			}
			logged, err := os.ReadFile(mailLog)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Count(logged, []byte(tc.forgery)) != n {
				t.Fatalf("PHP's mail.log does not hold %q %d times:\n%q", tc.forgery, n, logged)
			}
			want := textesc.String(tc.want) + "\n"
			for _, args := range [][]string{
				{"1", "-l", mailLog},
				{strconv.Itoa(n), "-l", mailLog},
				{"-p", "1hour", "1", "-l", mailLog, "--now", time.Now().Add(time.Minute).Format(time.RFC3339)},
			} {
				got := runChecker(t, check, args...)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("php-spam-check %q (-want +got):\n%s\nPHP's mail.log:\n%q", args, diff, logged)
				}
				if strings.Contains("\n"+got, "\n/home/victim/") {
					t.Errorf("php-spam-check %q blames the victim: %q", args, got)
				}
			}
		})
	}
}

// TestPHPPutenv: a script that putenv()s the variables the old wrapper
// read, and a SCRIPT_FILENAME forging the uid= field, before mail()
// through the built phpsendmail (its configuration compiled in). The line
// still reaches the real rsyslogd, the configured (test) sendmail runs,
// the script's program does not, its socket hears nothing, and
// php-legacy-spam-check reports the forged name whole, not "/x.php".
func TestPHPPutenv(t *testing.T) {
	php := requireRoundTripPrograms(t)
	sock, syslogFile := rsyslogtest.Start(t, "rfc3339")
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sendmail, err := writeFakeSendmail(dir)
	if err != nil {
		t.Fatal(err)
	}
	mails := filepath.Join(dir, "mails")
	if err := os.Mkdir(mails, 0o755); err != nil {
		t.Fatal(err)
	}
	evilRan := filepath.Join(dir, "evil-ran")
	evil := filepath.Join(dir, "evil")
	if err := os.WriteFile(evil, []byte("#!/bin/sh\ntouch '"+evilRan+"'\ncat >/dev/null\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	evilListener, evilSock := listenDgram(t)
	bin := buildRoundTripCommands(t, writeConfig(t, sendmail, sock))

	const forged = "/x.php, uid=0, user=root, args="
	script := filepath.Join(dir, "putenv.php")
	code := `<?php
putenv("PHPSENDMAIL_SYSLOG_SOCKET=` + evilSock + `");
putenv("PHPSENDMAIL_SENDMAIL=` + evil + `");
putenv("SCRIPT_FILENAME=` + forged + `");
var_dump(mail("to@example.org", "s", "b"));
`
	if err := os.WriteFile(script, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	const n = 2
	for range n {
		out := runPHP(t, php, script, []string{"sendmail_path=" + filepath.Join(bin, "phpsendmail")}, []string{"FAKE_SENDMAIL_DIR=" + mails})
		if out != "bool(true)\n" {
			t.Fatalf("mail() returned %q", out)
		}
	}
	lines := rsyslogtest.WaitLines(t, syslogFile, "sendmail-php url=", n, 15*time.Second)
	if len(lines) != n {
		t.Fatalf("%d lines reached rsyslogd, want %d", len(lines), n)
	}
	for _, l := range lines {
		if !strings.Contains(l, ", filename=/x.php%2C uid=0%2C user=root%2C args=, uid=") {
			t.Errorf("line %q: filename= not escaped as expected", l)
		}
	}
	if calls, _ := filepath.Glob(filepath.Join(mails, "call.*", "sendmail.stdin")); len(calls) != n {
		t.Errorf("the configured sendmail ran %d times, want %d", len(calls), n)
	}
	if _, err := os.Stat(evilRan); err == nil {
		t.Errorf("the program the script named in PHPSENDMAIL_SENDMAIL ran")
	}
	if recs := receiveAll(t, evilListener); len(recs) != 0 {
		t.Errorf("the socket the script named in PHPSENDMAIL_SYSLOG_SOCKET got %q", recs)
	}
	got := runChecker(t, filepath.Join(bin, "php-legacy-spam-check"), "10", strconv.Itoa(n), "-l", syslogFile,
		"--now", time.Now().Add(time.Minute).Format(time.RFC3339))
	if diff := cmp.Diff(forged+"\n", got); diff != "" {
		t.Errorf("php-legacy-spam-check (-want +got):\n%s", diff)
	}
}

// nsScript runs PHP in a private mount namespace whose /dev/log is the
// test's rsyslogd socket: PHP's syslog() always writes to /dev/log, and the
// host's must not be touched. The namespace's /dev holds only that socket
// and the devices PHP opens; nothing outside the namespace changes.
const nsScript = `set -e
d="$NSDIR/dev"; mkdir -p "$d"
for n in null zero urandom random; do touch "$d/$n"; mount --bind "/dev/$n" "$d/$n"; done
touch "$d/log"; mount --bind "$SOCK" "$d/log"
mount --rbind "$d" /dev
shift
exec "$@"
`

// requireNamespace ends the test unless this process can make a private
// mount namespace (root with CAP_SYS_ADMIN): a skip, or a failure under
// CI=true.
func requireNamespace(t *testing.T) {
	t.Helper()
	requireRoot(t)
	out, err := exec.Command("unshare", "--mount", "--propagation", "private", "true").CombinedOutput()
	if err == nil {
		return
	}
	msg := "cannot make a private mount namespace (unshare --mount: " + strings.TrimSpace(string(out)) + "; " + err.Error() + "); run as root with CAP_SYS_ADMIN"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true requires it)")
	}
	t.Skip(msg)
}

// TestPHPForgedSyslog is TestPHPForgedMailLog with mail.log = syslog,
// through a real rsyslogd: PHP sends each line of a record as a message of
// its own (a path's newline splits it, a CR becomes \x0d, the folded To:'s
// continuation starts with a blank), tagged "php:". php-spam-check on
// rsyslogd's file names the real script, escaped, never the victim.
func TestPHPForgedSyslog(t *testing.T) {
	php := requireRoundTripPrograms(t)
	requireNamespace(t)
	bin := buildRoundTripCommands(t, "/nonexistent/phpsendmail.conf")
	for _, format := range []string{"traditional", "rfc3339"} {
		t.Run(format, func(t *testing.T) {
			sock, syslogFile := rsyslogtest.Start(t, format)
			dir, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			evilDir := filepath.Join(dir, "evil", "a\nmail() on [", "home", "victim", "public_html")
			if err := os.MkdirAll(evilDir, 0o755); err != nil {
				t.Fatal(err)
			}
			evil := filepath.Join(evilDir, "index.php")
			form := filepath.Join(dir, "form.php")
			for file, code := range map[string]string{
				evil: `<?php mail("x@example.org", "s", "b");` + "\n",
				form: `<?php mail("a@example.org\r\n mail() on [/home/victim/x.php:7]: To: y", "s", "b");` + "\n",
			} {
				if err := os.WriteFile(file, []byte(code), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			const n = 2
			for range n {
				for _, script := range []string{evil, form} {
					cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", nsScript, "sh", "--",
						php, "-n", "-d", "mail.log=syslog", "-d", "syslog.facility=mail", "-d", "sendmail_path=/bin/true",
						"-d", "display_errors=stderr", "-d", "error_reporting=-1", script)
					cmd.Env = append(os.Environ(), "NSDIR="+t.TempDir(), "SOCK="+sock)
					if out, err := cmd.CombinedOutput(); err != nil || len(out) != 0 {
						t.Fatalf("php %s in a namespace: %v\n%s", script, err, out)
					}
				}
			}
			// Two messages per mail: the path's two lines, or the record
			// and the folded To:'s continuation.
			lines := rsyslogtest.WaitLines(t, syslogFile, "mail() on [", 4*n, 15*time.Second)
			var forged int
			for _, l := range lines {
				if strings.Contains(l, " php: mail() on [/home/victim/public_html/index.php:1]: To: ") ||
					strings.Contains(l, " php:  mail() on [/home/victim/x.php:7]: To: y") {
					forged++
				}
			}
			if len(lines) != 4*n || forged != 2*n {
				t.Fatalf("rsyslogd wrote %d lines, %d of them forged starts; want %d and %d:\n%s", len(lines), forged, 4*n, 2*n, strings.Join(lines, "\n"))
			}
			want := textesc.String(evil) + "\n" + form + "\n"
			got := runChecker(t, filepath.Join(bin, "php-spam-check"), strconv.Itoa(n), "-l", syslogFile)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("php-spam-check (-want +got):\n%s\nrsyslogd's file:\n%s", diff, strings.Join(lines, "\n"))
			}
		})
	}
}
