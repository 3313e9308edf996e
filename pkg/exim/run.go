package exim

import (
	"bufio"
	"fmt"
	"io"
	"time"

	"github.com/spam-gear/spamcheck/pkg/cli"
	"github.com/spam-gear/spamcheck/pkg/logread"
	"github.com/spam-gear/spamcheck/pkg/order"
	"github.com/spam-gear/spamcheck/pkg/report"
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
type Counter struct {
	auth   bool
	counts [nKinds]map[string]*Count
}

// NewCounter returns an empty Counter; authenticated ids are counted only
// when auth is true.
func NewCounter(auth bool) *Counter {
	c := &Counter{auth: auth}
	for k := range c.counts {
		c.counts[k] = make(map[string]*Count)
	}
	return c
}

// Add counts one in-window arrival line.
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

// add allocates only for a key not seen before.
func (c *Counter) add(kind Kind, key, line []byte) {
	n := c.counts[kind][string(key)]
	if n == nil {
		n = &Count{Key: string(key), FirstLine: string(line)}
		c.counts[kind][n.Key] = n
	}
	n.Count++
}

// Sorted returns the keys of kind in byte order (the old tool's
// LC_ALL=C sort).
func (c *Counter) Sorted(kind Kind) []*Count {
	keys := make([]string, 0, len(c.counts[kind]))
	for k := range c.counts[kind] {
		keys = append(keys, k)
	}
	order.Bytes(keys)
	out := make([]*Count, len(keys))
	for i, k := range keys {
		out[i] = c.counts[kind][k]
	}
	return out
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
	err := logread.Scan(logread.Source{
		Paths:   logs,
		Stdin:   stdin,
		Marker:  Marker,
		Since:   w.Start,
		TimeOf:  timeOf,
		Rotated: true,
		Slack:   logread.DefaultSlack,
	}, func(line []byte) {
		t, n, ok := parser.Parse(line)
		if !ok || !w.Contains(t) {
			return
		}
		if a, ok := ParseLine(line, n); ok {
			counter.Add(line, &a)
		}
	})
	return counter, err
}

// Run scans and reports; it returns the exit status.
func Run(o *Options, stdin io.Reader, stdout, stderr io.Writer) int {
	w := o.Window()
	logs, err := o.Inputs()
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	var counter *Counter
	var untrusted int64
	if o.Journal.Use {
		counter, untrusted, err = ScanJournal(o, w)
	} else {
		counter, err = Scan(o, logs, stdin, w)
	}
	errs = append(errs, cli.Errors(err)...)
	status := cli.ExitOK
	for _, err := range errs {
		fmt.Fprintf(stderr, "%s: %v\n", Name, err)
		status = cli.ExitRuntime
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
			groups = append(groups, g)
			if !g.Reported || jsonMode {
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
			Logs: logs, Groups: groups,
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
