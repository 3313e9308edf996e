package postfix

import (
	"github.com/spam-gear/spamcheck/pkg/cli"
	"io"

	"github.com/spam-gear/spamcheck/pkg/journal"
	"github.com/spam-gear/spamcheck/pkg/logread"
	"github.com/spam-gear/spamcheck/pkg/window"
)

// defaultLog is DefaultLog; tests point it elsewhere to see the journal
// read when it is missing.
var defaultLog = DefaultLog

// ScanJournal counts the connections in w from the journal. An entry is
// counted when its journalctl -o short line is a counted line (ParseLine)
// and Postfix's smtpd wrote it (journal.PostfixTrust); such lines written
// by any other process are only counted in untrusted.
func ScanJournal(o *Options, w window.Window, stderr io.Writer) (c *Counter, untrusted int64, err error) {
	c = NewCounter(o.Webmail)
	trust := journal.PostfixTrust()
	src := o.Journal.Source()
	src.Since, src.Slack, src.Marker, src.Warn = w.Start, logread.DefaultSlack, Marker, cli.PrefixLines(stderr, Name+": ")
	var buf []byte
	err = journal.Scan(src, func(e *journal.Entry) {
		if !w.Contains(e.Time) {
			return
		}
		buf = e.ShortLine(buf[:0], o.Loc)
		conn, ok := ParseLine(buf)
		switch {
		case !ok:
		case trust.Trusted(e):
			c.Add(buf, conn)
		default:
			untrusted++
		}
	})
	return c, untrusted, err
}
