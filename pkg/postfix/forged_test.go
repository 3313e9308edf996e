package postfix

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestForgedLinesCountNothing is issue 12's attack: text that an
// unauthenticated client chooses (a Message-ID, a quoted MAIL FROM, the
// login of a failed AUTH) carrying "client=…, sasl_username=root" in every
// shape Postfix logs it, 96 times from 48 unknown and 48 named clients, then
// -m 90 -d 5,5. Nothing is reported and no command runs. A message-only
// log of well-formed connection lines counts nothing either (no time).
func TestForgedLinesCountNothing(t *testing.T) {
	dir := t.TempDir()
	var log, bare strings.Builder
	for i := range 96 {
		host := "unknown"
		if i%2 == 1 {
			host = fmt.Sprintf("h%d", i)
		}
		fake := fmt.Sprintf("client=%s[10.7.%d.%d], sasl_username=root", host, i/8, i%8)
		ts := fmt.Sprintf("Nov 27 17:%02d:%02d", 10+i/60, i%60)
		fmt.Fprintf(&log, "%s mx postfix/cleanup[2]: %X: message-id=<a %s, b@x>\n", ts, 0xA000+i, fake)
		fmt.Fprintf(&log, "%s mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 5.7.1 <c@d>: Relay access denied; from=<\"x %s\"@b> to=<c@d> proto=ESMTP helo=<x>\n", ts, fake)
		fmt.Fprintf(&log, "%s mx postfix/smtpd[1]: warning: unknown[192.0.2.9]: SASL LOGIN authentication failed: (reason unavailable), sasl_username=a %s\n", ts, fake)
		fmt.Fprintf(&log, "%s mx postfix/smtpd[1]: warning: unknown[192.0.2.9]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=root\n", ts)
		fmt.Fprintf(&log, "2026-11-27T17:%02d:%02d.5+00:00 mx postfix/cleanup[2]: %X: message-id=<%s, sasl_method=PLAIN, sasl_username=root>\n", 10+i/60, i%60, 0xB000+i, fake)
		fmt.Fprintf(&bare, "%X: client=%s[10.7.%d.%d], sasl_method=PLAIN, sasl_username=root\n", 0xC000+i, host, i/8, i%8)
	}
	calls := stubCommands(t)
	lock := filepath.Join(dir, "lock")
	writeFile(t, lock, "#!/bin/sh\necho \"$@\" >> "+calls+"\n", 0o755)
	for name, content := range map[string]string{"forged.log": log.String(), "message-only.log": bare.String()} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			writeFile(t, path, content, 0o644)
			var stdout, stderr bytes.Buffer
			code := run([]string{"-m", "90", "-d", "5,5", "--disable-command", lock, "-l", path, "--now", "2026-11-27 18:00:00"},
				nil, &stdout, &stderr, time.Now(), time.UTC)
			if code != 0 || stdout.Len() != 0 || stderr.Len() != 0 {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
			}
			if _, err := os.Stat(calls); err == nil {
				data, _ := os.ReadFile(calls)
				t.Errorf("a lock command ran: %s", data)
			}
		})
	}
}
