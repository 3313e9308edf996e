package exim

import (
	"bufio"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/spam-gear/spamcheck/pkg/cli"
	"github.com/spam-gear/spamcheck/pkg/logread"
	"github.com/spam-gear/spamcheck/pkg/report"
	"github.com/spam-gear/spamcheck/pkg/tally"
	"github.com/spam-gear/spamcheck/pkg/threshold"
	"github.com/spam-gear/spamcheck/pkg/timestamp"
	"github.com/spam-gear/spamcheck/pkg/window"
)

// Kind is a group of keys; the groups are reported in this order.
type Kind int

// The groups.
const (
	Users  Kind = iota // U= of local submissions
	SMTP               // HELO, host name or address of SMTP senders
	Authed             // A= ids, with --auth only
	nKinds
)

// String is the kind's name in the JSON report.
func (k Kind) String() string {
	return [...]string{"users", "smtp_senders", "authenticated"}[k]
}

// Count is one key's figures in the window.
type Count struct {
	Key       string
	Count     int64
	FirstLine string // the key's first in-window line, verbatim
}

// Counter gathers every key's count in one pass over the log.
//
// Each kind's keys, first lines and counts are in a tally.Table: a key
// costs its first line and ~45 bytes, with nothing allocated per key (a
// scanner's one-off IP-literal HELO used to cost a *Count, two strings
// and a map entry).
type Counter struct {
	auth bool
	keys [nKinds]*tally.Table[int64] // the count is each key's value
	// Read lists the inputs Scan read, in reading order, a previous
	// rotation included (logread.Source.Opened): the JSON "logs".
	Read []string
}

// NewCounter returns an empty Counter; authenticated ids are counted only
// when auth is true.
func NewCounter(auth bool) *Counter {
	c := &Counter{auth: auth}
	for k := range c.keys {
		c.keys[k] = tally.NewTable[int64]()
	}
	return c
}

// Add counts one in-window arrival line. line is kept verbatim (a
// trailing CR included) if it is a key's first.
func (c *Counter) Add(line []byte, a *Arrival) {
	if k := a.LocalKey(); k != nil {
		c.add(Users, k, line)
	} else if k := a.SMTPKey(); k != nil {
		c.add(SMTP, k, line)
	}
	if c.auth {
		if k := a.AuthKey(); k != nil {
			c.add(Authed, k, line)
		}
	}
}

func (c *Counter) add(kind Kind, key, line []byte) {
	_, n, _ := c.keys[kind].Add(key, line)
	*n++
}

// Len is the number of keys of kind.
func (c *Counter) Len(kind Kind) int { return c.keys[kind].Len() }

// Sorted yields the keys of kind in byte order (the old tool's
// LC_ALL=C sort), each a new *Count whose strings share the counter's
// bytes.
func (c *Counter) Sorted(kind Kind) iter.Seq2[int, *Count] {
	t := c.keys[kind]
	ids := make([]uint32, t.Len())
	for i := range ids {
		ids[i] = uint32(i)
	}
	slices.SortFunc(ids, func(a, b uint32) int { return strings.Compare(t.Key(a), t.Key(b)) })
	return func(yield func(int, *Count) bool) {
		for i, id := range ids {
			if !yield(i, &Count{Key: t.Key(id), Count: *t.Value(id), FirstLine: t.Line(id)}) {
				return
			}
		}
	}
}

// Scan reads logs and counts the arrivals in w. The returned error joins
// every input that could not be read; the counts cover the rest.
func Scan(o *Options, logs []string, stdin io.Reader, w window.Window) (*Counter, error) {
	counter := NewCounter(o.Auth)
	parser := timestamp.NewParser(o.Now, o.Loc)
	timeOf := func(line []byte) (time.Time, bool) {
		t, _, ok := parser.Parse(line)
		return t, ok
	}
	// The parse runs in logread's reading goroutine when it reads ahead
	// (half of a full scan's time is the parse, half the counting), each
	// goroutine with its own timestamp parser.
	prepare := func() func(line []byte, a *Arrival) bool {
		parser := timestamp.NewParser(o.Now, o.Loc)
		return func(line []byte, a *Arrival) bool {
			// Parsed without a CRLF line's '\r', kept whole as the first line.
			text := logread.TrimCR(line)
			t, n, ok := parser.Parse(text)
			if !ok || !w.Contains(t) {
				return false
			}
			*a, ok = ParseLine(text, n)
			return ok
		}
	}
	err := logread.ScanPrepared(logread.Source{
		Paths:   logs,
		Stdin:   stdin,
		Marker:  Marker,
		Since:   w.Start,
		TimeOf:  timeOf,
		Rotated: true,
		Slack:   logread.DefaultSlack,
		Opened:  func(name string) { counter.Read = append(counter.Read, name) },
	}, prepare, func(line []byte, a *Arrival) { counter.Add(line, a) })
	return counter, err
}

// Run scans and reports; it returns the exit status.
func Run(o *Options, stdin io.Reader, stdout, stderr io.Writer) int {
	tally.LimitMemory()
	w := o.Window()
	logs, err := o.Inputs()
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	var counter *Counter
	var untrusted int64
	if o.Journal.Use {
		counter, untrusted, err = ScanJournal(o, w, stderr)
	} else {
		counter, err = Scan(o, logs, stdin, w)
	}
	errs = append(errs, cli.Errors(err)...)
	status := cli.ExitOK
	for _, err := range errs {
		fmt.Fprintf(stderr, "%s: %v\n", Name, err)
		if !logread.IsWarning(err) {
			status = cli.ExitRuntime
		}
	}

	out := bufio.NewWriter(stdout)
	jsonMode := o.Format == cli.FormatJSON
	var groups []report.Group
	headerDone := false
	for kind := range nKinds { // Authed is empty without --auth
		for _, c := range counter.Sorted(kind) {
			limit := o.Overrides.Limit(c.Key, o.Max)
			g := report.Group{Kind: kind.String(), Key: c.Key, Count: c.Count, Threshold: limit, FirstLine: c.FirstLine}
			g.Reported = threshold.Reached(c.Count, limit, true)
			if jsonMode {
				// Only the JSON document lists every key; text mode
				// keeps nothing per unreported key.
				groups = append(groups, g)
				continue
			}
			if !g.Reported {
				continue
			}
			if !headerDone {
				fmt.Fprintf(out, "%s\n\n", report.Header(o.PeriodText(), o.MaxText))
				headerDone = true
			}
			fmt.Fprintf(out, "%d -- %s\n", c.Count, c.FirstLine)
		}
	}
	var doc *report.Document
	if jsonMode {
		doc = &report.Document{
			Tool: Name, Now: o.Now,
			WindowInclusive: w.Inclusive, Period: o.PeriodText(), Threshold: o.Max, Strict: true,
			Logs: counter.Read, Groups: groups,
		}
		if o.Journal.Use {
			doc.Logs = logs // the journal's name
		}
		if !w.Start.IsZero() {
			doc.WindowStart = &w.Start
		}
		for _, err := range errs {
			doc.Errors = append(doc.Errors, err.Error())
		}
		if o.Journal.Use {
			doc.UntrustedLines = report.Int(untrusted)
		}
	}
	return cli.Finish(out, stderr, Name, doc, status)
}
