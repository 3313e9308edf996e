package postfix

import (
	"fmt"
	"io"
	"slices"

	"github.com/spam-gear/spamcheck/pkg/cli"

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
	var otherUID int64
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
			if collectorUIDMismatch(&trust, &src, e) {
				otherUID++
			}
		}
	})
	if otherUID > 0 {
		entries := "entries"
		if otherUID == 1 {
			entries = "entry"
		}
		fmt.Fprintf(src.Warn, "warning: %d smtpd %s in %s with a _UID other than %s, the uid of this host's Postfix account: not counted (forged on a sending host, or its Postfix uid differs from this host's)\n", otherUID, entries, src.Dir, trust.UID)
	}
	return c, untrusted, err
}

// collectorUIDMismatch reports whether e, read from a collector's
// --journal-dir, failed the rule only by its _UID: the uid check compares
// with this host's Postfix account, and a mail server whose postfix uid
// differs would lose every line without a word (a forgery by a local user
// of a sending host looks the same), so the run says so on stderr.
func collectorUIDMismatch(trust *journal.Trust, src *journal.Source, e *journal.Entry) bool {
	return src.Dir != "" && trust.UID != "" && e.HasComm && slices.Contains(trust.Comms, string(e.Comm)) &&
		(!e.HasUID || string(e.UID) != trust.UID)
}
