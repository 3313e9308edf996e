package postfix

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"iter"
	"net/netip"
	"slices"
	"time"

	"github.com/spam-gear/spamcheck/pkg/action"
	"github.com/spam-gear/spamcheck/pkg/cli"
	"github.com/spam-gear/spamcheck/pkg/logread"
	"github.com/spam-gear/spamcheck/pkg/order"
	"github.com/spam-gear/spamcheck/pkg/report"
	"github.com/spam-gear/spamcheck/pkg/tally"
	"github.com/spam-gear/spamcheck/pkg/timestamp"
	"github.com/spam-gear/spamcheck/pkg/window"
)

// User holds one SASL user's figures in the window.
type User struct {
	Name  string
	Count int64
	// IPs counts the distinct client IP texts, Unknowns the distinct client
	// IP texts of lines whose host is exactly "unknown", Nets the distinct
	// NetName(host) strings.
	IPs, Unknowns, Nets int64
	Webmail             int64
	FirstLine           string
}

// Counter gathers every user's figures in one pass over the log.
//
// A user costs its first line, a 52-byte record (key, line, figures) and
// a hash slot in users (tally.Table): a million users seen once
// each fit in ~190 MiB where a map of structs with string copies took
// 1 GB. The figures keep the first member of each distinct-value set
// inline; a user seen with a second address, network or a webmail
// connection gets an overflow entry.
type Counter struct {
	users   *tally.Table[figures]
	more    tally.Pages[overflow]
	webmail []netip.Addr
	// names interns the texts that are kept by id: network names, and the
	// client IP texts that are not canonical dotted quads. One copy of
	// each distinct text, however many users share it.
	names *tally.Table[struct{}]
	// pending are the set adds not made yet: they are made in batches,
	// after a pass that peeks at each one's slot, so that the cache
	// misses of a batch (random client addresses in per-user sets)
	// overlap. Nothing reads a set before flush.
	pending  [64]pendingAdd
	npending int
	peeked   uint32 // what the peeks read, kept so they are not optimized away
	// Read lists the inputs Scan read, in reading order, a previous
	// rotation included (logread.Source.Opened): the JSON "logs".
	Read []string
}

// figures are one user's counts. ip, unknown and net are the first
// member + 1 of the user's sets of client IPs, of client IPs of "unknown"
// hosts and of network names (0: empty set); the other members are in
// Counter.more, at more - 1 (0: none).
type figures struct {
	count       int64
	ip, unknown uint64
	net         uint32
	more        uint32
}

// pendingAdd is an add of x to one of the sets of overflow entry more - 1:
// the index, not a pointer, since Counter.more may move its first page.
type pendingAdd struct {
	x    uint64
	more uint32
	set  uint8 // setIPs, setUnknowns or setNets
}

const (
	setIPs = iota
	setUnknowns
	setNets
)

// overflow is what a user seen with more than one IP or network name, or
// from webmail, needs beyond its figures.
type overflow struct {
	ips, unknowns, nets tally.HashSet // the members after the first
	webmail             int64
}

// NewCounter returns an empty Counter; connections from the webmail
// addresses are counted separately.
func NewCounter(webmail []netip.Addr) *Counter {
	return &Counter{users: tally.NewTable[figures](), webmail: webmail, names: tally.NewTable[struct{}]()}
}

// Add counts one in-window connection line. line is kept verbatim (a
// trailing CR included) if it is the user's first.
func (c *Counter) Add(line []byte, conn Conn) {
	ip := c.addrKey(conn.IP) + 1
	net := c.intern(NetName(conn.Host)) + 1
	webmail := len(c.webmail) > 0 && c.isWebmail(conn.IP)
	_, f, _ := c.users.Add(conn.User, line)
	f.count++
	if f.ip == 0 {
		f.ip = ip
	} else if ip != f.ip {
		c.later(f, setIPs, ip)
	}
	if string(conn.Host) == "unknown" {
		if f.unknown == 0 {
			f.unknown = ip
		} else if ip != f.unknown {
			c.later(f, setUnknowns, ip)
		}
	}
	if f.net == 0 {
		f.net = net
	} else if net != f.net {
		c.later(f, setNets, uint64(net))
	}
	if webmail {
		c.overflow(f).webmail++
	}
}

// later queues an add of x to one of f's sets, making the queued adds
// when the queue is full.
func (c *Counter) later(f *figures, set uint8, x uint64) {
	c.overflow(f)
	c.pending[c.npending] = pendingAdd{x: x, more: f.more, set: set}
	c.npending++
	if c.npending == len(c.pending) {
		c.flush()
	}
}

// flush makes the queued set adds: first a pass that only reads each
// add's slot, whose loads do not depend on one another, then the adds,
// which find those slots in cache.
func (c *Counter) flush() {
	adds := c.pending[:c.npending]
	c.npending = 0
	for _, a := range adds {
		c.peeked += c.set(a).Peek(a.x)
	}
	for _, a := range adds {
		c.set(a).Add(a.x)
	}
}

// set returns the set a adds to.
func (c *Counter) set(a pendingAdd) *tally.HashSet {
	o := c.more.At(a.more - 1)
	switch a.set {
	case setIPs:
		return &o.ips
	case setUnknowns:
		return &o.unknowns
	}
	return &o.nets
}

// overflow returns f's overflow entry, adding it if f has none.
func (c *Counter) overflow(f *figures) *overflow {
	if f.more == 0 {
		f.more = c.more.Append(overflow{}) + 1
	}
	return c.more.At(f.more - 1)
}

// Len is the number of users counted.
func (c *Counter) Len() int { return c.users.Len() }

// User returns the figures of the user called name, nil if none was
// counted.
func (c *Counter) User(name string) *User {
	id, ok := c.users.Find([]byte(name))
	if !ok {
		return nil
	}
	return c.user(id)
}

// user returns user id's figures; its strings share the table's bytes.
func (c *Counter) user(id uint32) *User {
	c.flush()
	f := c.users.Value(id)
	u := &User{Name: c.users.Key(id), FirstLine: c.users.Line(id), Count: f.count}
	u.IPs, u.Unknowns, u.Nets = inline(f.ip), inline(f.unknown), inline(uint64(f.net))
	if f.more > 0 {
		o := c.more.At(f.more - 1)
		u.IPs += o.ips.Len()
		u.Unknowns += o.unknowns.Len()
		u.Nets += o.nets.Len()
		u.Webmail = o.webmail
	}
	return u
}

// inline is the number of inline first members (0 or 1).
func inline(first uint64) int64 {
	if first == 0 {
		return 0
	}
	return 1
}

// intern returns the id of text, storing only a text not seen before.
// (Ids are uint32: 2^32 distinct texts would not fit in memory anyway.)
func (c *Counter) intern(text []byte) uint32 {
	id, _, _ := c.names.Add(text, nil)
	return id
}

// addrKey identifies a client IP text without keeping a string per user: a
// canonical dotted quad (nearly every address in a real log) by its value,
// any other text (IPv6, "unknown", junk) by 1<<32 + its id in
// Counter.names. The key + 1 is below 1<<33 (tally.HashSet's range). Distinct keys are exactly distinct texts: no two
// spellings of one address are merged (01.2.3.4 is interned as text, not
// read as 1.2.3.4).
func (c *Counter) addrKey(ip []byte) uint64 {
	if v, ok := parseV4(ip); ok {
		return uint64(v)
	}
	return 1<<32 | uint64(c.intern(ip))
}

// parseV4 returns the value of b when b is a dotted quad in the one
// spelling inet_ntop gives (four decimal numbers 0-255, no leading zeros),
// so that the value stands for exactly one text.
func parseV4(b []byte) (uint32, bool) {
	var v uint32
	i := 0
	for part := range 4 {
		if part > 0 {
			if i == len(b) || b[i] != '.' {
				return 0, false
			}
			i++
		}
		start, n := i, uint32(0)
		for i < len(b) && i-start < 3 && '0' <= b[i] && b[i] <= '9' {
			n = n*10 + uint32(b[i]-'0')
			i++
		}
		if i == start || n > 255 || b[start] == '0' && i-start > 1 {
			return 0, false
		}
		v = v<<8 | n
	}
	return v, i == len(b)
}

func (c *Counter) isWebmail(ip []byte) bool {
	a, err := netip.ParseAddr(string(ip))
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, w := range c.webmail {
		if a == w {
			return true
		}
	}
	return false
}

// Sorted yields the users in the old tool's `sort -n` order, each a new
// *User whose strings share the counter's bytes; it keeps 4 bytes a user
// for the order, not a copy of every user.
func (c *Counter) Sorted() iter.Seq2[int, *User] {
	ids := make([]uint32, c.users.Len())
	for i := range ids {
		ids[i] = uint32(i)
	}
	slices.SortFunc(ids, func(a, b uint32) int { return order.Compare(c.users.Key(a), c.users.Key(b)) })
	return func(yield func(int, *User) bool) {
		for i, id := range ids {
			if !yield(i, c.user(id)) {
				return
			}
		}
	}
}

// ReportLine is the old tool's line for a reported user.
func ReportLine(u *User) string {
	return fmt.Sprintf("%d (%d nets/%d unknowns/%d IPs/%d webmail) -- %s",
		u.Count, u.Nets, u.Unknowns, u.IPs, u.Webmail, u.FirstLine)
}

// Scan reads the logs and counts the connections in w. The returned error
// joins every input that could not be read; the counts cover the rest.
func Scan(o *Options, stdin io.Reader, w window.Window) (*Counter, error) {
	counter := NewCounter(o.Webmail)
	parser := timestamp.NewParser(o.Now, o.Loc)
	timeOf := func(line []byte) (time.Time, bool) {
		t, _, ok := parser.Parse(line)
		return t, ok
	}
	err := logread.Scan(logread.Source{
		Paths:   o.Logs,
		Stdin:   stdin,
		Marker:  Marker,
		Since:   w.Start,
		TimeOf:  timeOf,
		Rotated: true,
		Slack:   logread.DefaultSlack,
		Opened:  func(name string) { counter.Read = append(counter.Read, name) },
	}, func(line []byte) {
		// Parsed without a CRLF line's '\r', kept whole as the first line.
		text := logread.TrimCR(line)
		t, n, ok := parser.Parse(text)
		if !ok || !w.Contains(t) {
			return
		}
		if conn, ok := ParseAfterStamp(text, n); ok {
			counter.Add(line, conn)
		}
	})
	return counter, err
}

// Run scans, reports and acts; it returns the exit status.
func Run(o *Options, stdin io.Reader, stdout, stderr io.Writer) int {
	tally.LimitMemory()
	w := window.Window{Start: o.Period.Start(o.Now)}
	var counter *Counter
	var untrusted int64
	var scanErr error
	if o.Journal.Use {
		counter, untrusted, scanErr = ScanJournal(o, w, stderr)
	} else {
		counter, scanErr = Scan(o, stdin, w)
	}
	status := cli.ExitOK
	scanErrs := cli.Errors(scanErr)
	for _, err := range scanErrs {
		fmt.Fprintf(stderr, "%s: %v\n", Name, err)
		if !logread.IsWarning(err) {
			status = cli.ExitRuntime
		}
	}

	out := bufio.NewWriter(stdout)
	jsonMode := o.Format == cli.FormatJSON
	// In JSON mode the commands' own output must not break the document.
	cmdOut := stdout
	if jsonMode {
		cmdOut = stderr
	}
	d := &disabler{o: o, out: out, stderr: stderr, runner: &action.Runner{Stdout: cmdOut, Stderr: stderr}, text: !jsonMode,
		since: w.Start, now: o.Now, protect: newProtection(o)}
	if o.State != "" && o.Disable {
		d.state = loadState(o.State)
	}

	var groups []report.Group
	var reported []*User
	var reportedAt []int // index in groups of each reported user
	for _, u := range counter.Sorted() {
		limit := o.Overrides.Limit(u.Name, o.Max)
		g := report.Group{Kind: "users", Key: u.Name, Count: u.Count, Threshold: limit, FirstLine: u.FirstLine}
		if u.Count >= limit {
			g.Reported = true
			reported = append(reported, u)
			reportedAt = append(reportedAt, len(groups))
		}
		// Only the JSON document lists every user; text mode keeps
		// nothing per unreported user (a million one-off users).
		if jsonMode {
			g.Nets, g.Unknowns = report.Int(u.Nets), report.Int(u.Unknowns)
			g.IPs, g.Webmail = report.Int(u.IPs), report.Int(u.Webmail)
			groups = append(groups, g)
		}
	}

	// Decide first (who is eligible, protected, already locked), so that
	// --max-disable can pick the highest counts; then lock and print.
	outcomes := make([]outcome, len(reported))
	for i, u := range reported {
		outcomes[i] = d.classify(u)
	}
	order, ranked := d.lockOrder(reported, outcomes)
	if ranked {
		// Lock the highest counts first until the limit is reached (a
		// failed lock does not count), capturing what the commands print
		// so that the report below keeps its order and layout.
		locked := int64(0)
		for _, i := range order {
			if locked >= o.MaxDisable {
				outcomes[i] = d.limited(reported[i])
				continue
			}
			var capture *bytes.Buffer
			if !jsonMode {
				capture = &bytes.Buffer{}
			}
			outcomes[i] = d.lock(reported[i], ReportLine(reported[i]), capture)
			if capture != nil {
				outcomes[i].output = capture.Bytes()
			}
			if outcomes[i].suffix != "" {
				locked++
			}
		}
	}
	for i, u := range reported {
		if i == 0 && !jsonMode {
			fmt.Fprintf(out, "%s\n\n", report.Header(o.Period.Text, o.MaxText))
		}
		line := ReportLine(u)
		oc := outcomes[i]
		if oc.candidate && !ranked {
			// No limit binds: each lock runs as its line is printed.
			oc = d.lock(u, line, nil)
		}
		if !jsonMode {
			out.Write(oc.output)
		}
		if oc.note != "" {
			out.Flush()
			io.WriteString(stderr, oc.note)
		}
		if oc.failed {
			status = cli.ExitRuntime
		}
		if jsonMode {
			groups[reportedAt[i]].Action = oc.action
		}
		if !jsonMode {
			fmt.Fprintf(out, "%s%s\n", line, oc.suffix)
		}
	}
	var doc *report.Document
	if jsonMode {
		start := w.Start
		doc = &report.Document{
			Tool: Name, Now: o.Now, WindowStart: &start,
			Period: o.Period.Text, Threshold: o.Max, Logs: counter.Read, Groups: groups,
		}
		if o.Journal.Use {
			doc.Logs = o.Logs // the journal's name
		}
		for _, err := range scanErrs {
			doc.Errors = append(doc.Errors, err.Error())
		}
		if o.Journal.Use {
			doc.UntrustedLines = report.Int(untrusted)
		}
	}
	return cli.Finish(out, stderr, Name, doc, status)
}
