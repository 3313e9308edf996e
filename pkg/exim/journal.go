package exim

import (
	"github.com/spam-gear/spamcheck/pkg/cli"
	"io"

	"github.com/spam-gear/spamcheck/pkg/journal"
	"github.com/spam-gear/spamcheck/pkg/logread"
	"github.com/spam-gear/spamcheck/pkg/timestamp"
	"github.com/spam-gear/spamcheck/pkg/window"
)

// ScanJournal counts the arrivals in w from the journal, for an Exim that
// logs to syslog (log_file_path = syslog): an entry counts when its
// journalctl -o short line is an arrival line and Exim wrote it
// (journal.EximTrust); the same text from any other process is only
// counted in untrusted.
func ScanJournal(o *Options, w window.Window, stderr io.Writer) (c *Counter, untrusted int64, err error) {
	c = NewCounter(o.Auth)
	trust := journal.EximTrust()
	parser := timestamp.NewParser(o.Now, o.Loc)
	src := o.Journal.Source()
	trust.For(&src) // _EXE checked on the local journal only
	src.Since, src.Slack, src.Marker, src.Warn = w.Start, logread.DefaultSlack, Marker, cli.PrefixLines(stderr, Name+": ")
	var buf []byte
	err = journal.Scan(src, func(e *journal.Entry) {
		if !w.Contains(e.Time) {
			return
		}
		buf = e.ShortLine(buf[:0], o.Loc)
		_, n, ok := parser.Parse(buf)
		if !ok {
			return
		}
		a, ok := ParseLine(buf, n)
		switch {
		case !ok:
		case trust.Trusted(e):
			c.Add(buf, &a)
		default:
			untrusted++
		}
	})
	return c, untrusted, err
}
