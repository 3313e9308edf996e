package postfix

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestMailCarriesDisabled (issue 13 item 1): the mail to root holds the
// report line exactly as it is printed on stdout, " [DISABLED]" included,
// for LOCAL, NIS and --disable-command, with two users locked in one run.
// sendmail's standard input is compared byte for byte.
func TestMailCarriesDisabled(t *testing.T) {
	const log = "Nov 27 17:00:01 mx postfix/smtpd[1]: A3: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=bob\n" +
		"Nov 27 17:10:00 mx postfix/smtpd[1]: A4: client=89-1-2-3.dyn.example.net[198.51.100.3], sasl_method=PLAIN, sasl_username=bob, sasl_sender=bob\n" +
		"Nov 27 17:20:00 mx postfix/smtpd[1]: A5: client=unknown[192.0.2.2], sasl_method=PLAIN, sasl_username=bob\r\n" +
		"Nov 27 17:21:00 mx postfix/smtpd[1]: C1: client=unknown[192.0.2.3], sasl_method=PLAIN, sasl_username=j.doe\n" +
		"Nov 27 17:22:00 mx postfix/smtpd[1]: C2: client=1-2-3-4.example.net[192.0.2.4], sasl_method=PLAIN, sasl_username=j.doe\n" +
		"Nov 27 17:23:00 mx postfix/smtpd[1]: C3: client=unknown[192.0.2.5], sasl_method=PLAIN, sasl_username=j.doe\n"
	dir := t.TempDir()
	path := filepath.Join(dir, "mail.log")
	writeFile(t, path, log, 0o644)
	lock, _ := lockRecorder(t)
	const (
		bobLine = "3 (2 nets/2 unknowns/3 IPs/0 webmail) -- Nov 27 17:00:01 mx postfix/smtpd[1]: A3: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=bob [DISABLED]\n"
		joeLine = "3 (2 nets/2 unknowns/3 IPs/0 webmail) -- Nov 27 17:21:00 mx postfix/smtpd[1]: C1: client=unknown[192.0.2.3], sasl_method=PLAIN, sasl_username=j.doe [DISABLED]\n"
		bobMail = "sendmail root@example.com\nstdin:\nSubject: SPAMMER DETECTED AT mx1.example.com [USER bob DISABLED]\nTo: root@example.com\n\n" + bobLine
		joeMail = "sendmail root@example.com\nstdin:\nSubject: SPAMMER DETECTED AT mx1.example.com [USER j.doe DISABLED]\nTo: root@example.com\n\n" + joeLine
		header  = "During the last 1 hour the following senders have made at least 3 SMTP connections.\n\n"
		expiry  = "passwd: password expiry information changed.\n"
	)
	nis := func(user, pattern string) string {
		return "ssh -o BatchMode=yes -o ConnectTimeout=30 root@nis.example.com sed -i 's/^" + pattern + ":/" + user + ":*/' /var/yp/ypfiles/shadow && make -C /var/yp/\nstdin:\n"
	}
	tests := []struct {
		name              string
		args              []string
		wantOut, wantCall string
	}{
		{"LOCAL", nil,
			header + "LOCAL\n" + expiry + bobLine + "LOCAL\n" + expiry + joeLine,
			"passwd -l bob\n" + bobMail + "passwd -l j.doe\n" + joeMail},
		{"NIS", []string{"-n", "nis.example.com"},
			header + "NIS\n" + bobLine + "NIS\n" + joeLine,
			nis("bob", "bob") + bobMail + nis("j.doe", `j\.doe`) + joeMail},
		{"disable-command", []string{"--disable-command", lock},
			header + bobLine + joeLine,
			bobMail + joeMail},
		{"max-disable not reached", []string{"--max-disable", "5"},
			header + "LOCAL\n" + expiry + bobLine + "LOCAL\n" + expiry + joeLine,
			"passwd -l bob\n" + bobMail + "passwd -l j.doe\n" + joeMail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := stubCommands(t)
			var stdout, stderr bytes.Buffer
			args := append([]string{"-m", "3", "-d", "1,1", "-l", path, "--now", "2026-11-27 18:00:00"}, tc.args...)
			if code := run(args, nil, &stdout, &stderr, time.Now(), time.UTC); code != 0 || stderr.Len() != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
			}
			if diff := cmp.Diff(tc.wantOut, stdout.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			got, err := os.ReadFile(calls)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantCall, string(got)); diff != "" {
				t.Errorf("commands and sendmail's stdin (-want +got):\n%s", diff)
			}
			// Each mailed line is one of the printed lines, byte for byte.
			for _, mail := range strings.Split(string(got), "\n\n")[1:] {
				line, _, _ := strings.Cut(mail, "\n")
				if !strings.Contains(stdout.String(), "\n"+line+"\n") {
					t.Errorf("mailed line %q is not a printed line", line)
				}
			}
		})
	}
}
