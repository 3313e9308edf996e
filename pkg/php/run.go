package php

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/spam-gear/spamcheck/pkg/cli"
	"github.com/spam-gear/spamcheck/pkg/logread"
	"github.com/spam-gear/spamcheck/pkg/order"
	"github.com/spam-gear/spamcheck/pkg/report"
	"github.com/spam-gear/spamcheck/pkg/textesc"
	"github.com/spam-gear/spamcheck/pkg/threshold"
	"github.com/spam-gear/spamcheck/pkg/timestamp"
	"github.com/spam-gear/spamcheck/pkg/window"
)

// Counter counts mails per script.
type Counter struct {
	// index maps a script to its count in n: counting a script seen
	// before costs a map lookup, which string(key) does without
	// allocating, and an increment in one small array (a pointer per
	// key, as before, cost a cache miss more a record).
	index map[string]int32
	n     []int64
	// Read lists the inputs Scan read, in reading order, a previous
	// rotation included (logread.Source.Opened): the JSON "logs".
	Read []string
}

// NewCounter returns an empty Counter.
func NewCounter() *Counter {
	return &Counter{index: make(map[string]int32)}
}

// Add counts one mail of script key; key may be reused by the caller.
func (c *Counter) Add(key []byte) {
	if i, ok := c.index[string(key)]; ok {
		c.n[i]++
		return
	}
	c.index[string(key)] = int32(len(c.n))
	c.n = append(c.n, 1)
}

// merge adds the counts of d to c and returns c; a nil c is d itself.
func (c *Counter) merge(d *Counter) *Counter {
	if c == nil {
		return d
	}
	c.Read = append(c.Read, d.Read...)
	for k, i := range d.index {
		if j, ok := c.index[k]; ok {
			c.n[j] += d.n[i]
		} else {
			c.index[k] = int32(len(c.n))
			c.n = append(c.n, d.n[i])
		}
	}
	return c
}

// Count returns the number of mails counted for key.
func (c *Counter) Count(key string) int64 {
	if i, ok := c.index[key]; ok {
		return c.n[i]
	}
	return 0
}

// Keys returns the scripts counted, in byte order (the old tools'
// LC_ALL=C sort).
func (c *Counter) Keys() []string {
	keys := make([]string, 0, len(c.index))
	for k := range c.index {
		keys = append(keys, k)
	}
	order.Bytes(keys)
	return keys
}

// timeOf returns a function reading the timestamp that starts a line.
func timeOf(now time.Time, loc *time.Location) func([]byte) (time.Time, bool) {
	parser := timestamp.NewParser(now, loc)
	return func(line []byte) (time.Time, bool) {
		t, _, ok := parser.Parse(line)
		return t, ok
	}
}

// Window returns php-spam-check's window: with -p, the PERIOD before now,
// with no end (lines stamped after now count, SPEC §1); ok is false
// without -p, when every line counts.
func (o *Options) Window() (w window.Window, ok bool) {
	if !o.PeriodSet {
		return window.Window{}, false
	}
	return window.Window{Start: o.Period.Start(o.Now)}, true
}

// Scan reads php-spam-check's logs and counts the mails of every script.
// The lines are joined into records (see records: a record starts only
// where "mail() on [" begins a line's message, and a path holding a
// newline spans lines). Without -p every record with "mail() on
// [FILE:LINE]: To:" counts; with -p only records whose first line starts
// with a timestamp in the window, and the previous rotation of a log is
// read when the window reaches back into it. The returned error joins
// every input that could not be read; the counts cover the rest.
//
// Records never span two inputs. A regular file is first read with the
// reader's marker filter, which never splits out a line without "mail()
// on [" (the speed of grep -F on a syslog file where PHP's lines are
// few); only if that read meets a record that spans lines, which PHP
// writes only for a path holding a newline, is the file read again line by
// line, and only that read counts. Standard input, FIFOs and devices
// cannot be read twice and are read line by line from the start.
func Scan(o *Options, stdin io.Reader) (*Counter, error) {
	var total *Counter
	var errs []error
	for _, p := range o.Logs {
		var c *Counter
		var err error
		spans := true
		if p != "-" {
			if fi, serr := os.Stat(p); serr == nil && fi.Mode().IsRegular() {
				c, spans, err = scanLog(o, p, stdin, true)
			}
		}
		if spans {
			c, _, err = scanLog(o, p, stdin, false)
		}
		if err != nil {
			errs = append(errs, err)
		}
		total = total.merge(c)
	}
	if total == nil {
		total = NewCounter()
	}
	return total, errors.Join(errs...)
}

// scanLog counts the records of one input. With filtered, only the lines
// holding MailLogMarker are read, and spans reports that a record spanning
// lines was met: the counts are then incomplete and must be thrown away.
func scanLog(o *Options, path string, stdin io.Reader, filtered bool) (c *Counter, spans bool, err error) {
	c = NewCounter()
	src := logread.Source{Paths: []string{path}, Stdin: stdin}
	if filtered {
		src.Marker = MailLogMarker
	}
	rs := &records{filtered: filtered}
	w, windowed := o.Window()
	if !windowed {
		rs.emit = func(rec []byte, at, end int) {
			if key, ok := parseRecord(rec, at, end); ok {
				c.Add(key)
			}
		}
	} else {
		tf := timeOf(o.Now, o.Loc)
		src.TimeOf, src.Since, src.Rotated, src.Slack = tf, w.Start, true, logread.DefaultSlack
		rs.emit = func(rec []byte, at, end int) {
			key, ok := parseRecord(rec, at, end)
			if !ok {
				return
			}
			if t, ok := tf(rec); ok && w.Contains(t) {
				c.Add(key)
			}
		}
	}
	src.Opened = func(name string) { c.Read = append(c.Read, name) }
	err = logread.Scan(src, rs.line)
	return c, rs.spans, err
}

// LegacyWindow returns the length of php-legacy-spam-check's window for
// MINUTES: MINUTES×1.2 truncated to whole minutes, computed in integers
// (10 → 12, 5 → 6, 1 → 1, 0 → 0). ok is false when that is more than a
// time.Duration holds (about 292 years): the whole log is then in the
// window.
func LegacyWindow(minutes int64) (d time.Duration, ok bool) {
	const maxMinutes = math.MaxInt64 / int64(time.Minute)
	if minutes < 0 || minutes > maxMinutes {
		return 0, false
	}
	m := minutes * 12 / 10 // cannot overflow: minutes ≤ maxMinutes ≈ 1.5e8
	if m > maxMinutes {
		return 0, false
	}
	return time.Duration(m) * time.Minute, true
}

// Window returns php-legacy-spam-check's window: the LegacyWindow before
// now, strict (a line exactly at its start is out), with no end (lines
// stamped after now count, SPEC §1). An unbounded window has a zero Start.
func (o *LegacyOptions) Window() window.Window {
	var w window.Window
	if d, ok := LegacyWindow(o.Minutes); ok {
		w.Start = o.Now.Add(-d)
	}
	return w
}

// ScanLegacy reads php-legacy-spam-check's logs and counts, per script, the
// phpsendmail lines that start with a timestamp in the window. The
// previous rotation of a log is read when the window reaches back into
// it. The returned error joins every input that could not be read; the
// counts cover the rest.
func ScanLegacy(o *LegacyOptions, stdin io.Reader) (*Counter, error) {
	c := NewCounter()
	w := o.Window()
	tf := timeOf(o.Now, o.Loc)
	src := logread.Source{
		Paths:   o.Logs,
		Stdin:   stdin,
		Marker:  LegacyMarker,
		Since:   w.Start,
		TimeOf:  tf,
		Rotated: true,
		Slack:   logread.DefaultSlack,
		Opened:  func(name string) { c.Read = append(c.Read, name) },
	}
	var buf []byte
	err := logread.Scan(src, func(line []byte) {
		line = logread.TrimCR(line)
		key, ok := ParseLegacy(line)
		if !ok {
			return
		}
		if t, ok := tf(line); ok && w.Contains(t) {
			if bytes.IndexByte(key, '%') >= 0 {
				buf = DecodeFilename(buf[:0], key)
				key = buf
			}
			c.Add(key)
		}
	})
	return c, err
}

// Run scans, prints the scripts that reached the threshold and returns the
// exit status.
func Run(o *Options, stdin io.Reader, stdout, stderr io.Writer) int {
	c, err := Scan(o, stdin)
	doc := &report.Document{
		Tool: Name, Now: o.Now, Threshold: o.Max, Logs: c.Read,
	}
	if w, ok := o.Window(); ok {
		start := w.Start
		doc.WindowStart, doc.Period = &start, o.Period.Text
	}
	return finish(Name, o.Format, doc, c, err, stdout, stderr)
}

// RunLegacy scans, prints the scripts that reached the threshold and
// returns the exit status.
func RunLegacy(o *LegacyOptions, stdin io.Reader, stdout, stderr io.Writer) int {
	var c *Counter
	var err error
	doc := &report.Document{
		Tool: LegacyName, Now: o.Now, Threshold: o.Max, Logs: o.Logs,
	}
	if o.Journal.Use {
		var untrusted int64
		c, untrusted, err = ScanLegacyJournal(o, stderr)
		doc.UntrustedLines = report.Int(untrusted)
	} else {
		c, err = ScanLegacy(o, stdin)
		doc.Logs = c.Read
	}
	if w := o.Window(); !w.Start.IsZero() {
		start := w.Start
		d, _ := LegacyWindow(o.Minutes)
		doc.WindowStart = &start
		doc.Period = strconv.FormatInt(int64(d/time.Minute), 10) + "minutes"
	}
	return finish(LegacyName, o.Format, doc, c, err, stdout, stderr)
}

// finish reports what was counted: in text, each script whose count
// reached doc.Threshold (>=), one bare path per line in byte order and
// nothing else; in JSON, every script counted. A path is printed, in both,
// with its control bytes as \ooo (textesc), so that one line is one
// script and nothing in a path drives the reader's terminal. A scan error
// is printed on stderr, one line per unreadable input, and makes the
// status 1 (a warning, a skipped over-long line, does not); what was
// counted is printed all the same.
func finish(tool, format string, doc *report.Document, c *Counter, scanErr error, stdout, stderr io.Writer) int {
	status := cli.ExitOK
	for _, e := range cli.Errors(scanErr) {
		fmt.Fprintf(stderr, "%s: %v\n", tool, e)
		doc.Errors = append(doc.Errors, e.Error())
		if !logread.IsWarning(e) {
			status = cli.ExitRuntime
		}
	}
	out := bufio.NewWriter(stdout)
	jsonMode := format == cli.FormatJSON
	var buf []byte
	for _, key := range c.Keys() {
		n := c.Count(key)
		reported := threshold.Reached(n, doc.Threshold, false)
		if jsonMode {
			doc.Groups = append(doc.Groups, report.Group{
				Kind: "scripts", Key: textesc.String(key), Count: n, Threshold: doc.Threshold, Reported: reported,
			})
		} else if reported {
			buf = append(textesc.Append(buf[:0], []byte(key)), '\n')
			out.Write(buf)
		}
	}
	if !jsonMode {
		doc = nil
	}
	return cli.Finish(out, stderr, tool, doc, status)
}
