package php

import (
	"bytes"
	"io"
	"os"

	"github.com/spam-gear/spamcheck/pkg/cli"
	"github.com/spam-gear/spamcheck/pkg/journal"
	"github.com/spam-gear/spamcheck/pkg/logread"
	"github.com/spam-gear/spamcheck/pkg/phpsendmail"
)

// defaultLegacyLog is DefaultLegacyLog; tests point it elsewhere to see the
// journal read when it is missing.
var defaultLegacyLog = DefaultLegacyLog

// sendmailPath is the sendmail phpsendmail execs on this host, from the
// same configuration file it reads (phpsendmail.ConfigPath).
var sendmailPath = func() string {
	return phpsendmail.SendmailPath(phpsendmail.LoadConfig(phpsendmail.ConfigPath, io.Discard), func(p string) bool {
		_, err := os.Stat(p)
		return err == nil
	})
}

// ScanLegacyJournal is ScanLegacy reading the journal: an entry counts when
// its journalctl -o short line is a phpsendmail line in the window and the
// phpsendmail wrapper wrote it (journal.PHPSendmailTrust: _COMM phpsendmail
// or the sendmail it execs, _EXE root's on the local journal, and uid=N
// the entry's _UID); the same text from any other process is only counted
// in untrusted.
func ScanLegacyJournal(o *LegacyOptions, stderr io.Writer) (c *Counter, untrusted int64, err error) {
	c = NewCounter()
	w := o.Window()
	trust := journal.PHPSendmailTrust(sendmailPath(), LegacyUID)
	src := o.Journal.Source()
	trust.For(&src) // _EXE checked on the local journal only
	src.Since, src.Slack, src.Marker, src.Warn = w.Start, logread.DefaultSlack, LegacyMarker, cli.PrefixLines(stderr, LegacyName+": ")
	var line, buf []byte
	err = journal.Scan(src, func(e *journal.Entry) {
		if !w.Contains(e.Time) {
			return
		}
		line = e.ShortLine(line[:0], o.Loc)
		key, ok := ParseLegacy(line)
		switch {
		case !ok:
		case !trust.Trusted(e):
			untrusted++
		default:
			if bytes.IndexByte(key, '%') >= 0 {
				buf = DecodeFilename(buf[:0], key)
				key = buf
			}
			c.Add(key)
		}
	})
	return c, untrusted, err
}
