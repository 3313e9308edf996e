package postfix

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/spam-gear/spamcheck/pkg/action"
	"github.com/spam-gear/spamcheck/pkg/cli"
	"github.com/spam-gear/spamcheck/pkg/logread"
	"github.com/spam-gear/spamcheck/pkg/order"
	"github.com/spam-gear/spamcheck/pkg/report"
	"github.com/spam-gear/spamcheck/pkg/timestamp"
	"github.com/spam-gear/spamcheck/pkg/window"
)

// User holds one SASL user's figures in the window.
type User struct {
	Name  string
	Count int64
	// IPs counts the distinct client IP texts, Unknowns the distinct client
	// IP texts of lines whose host is exactly "unknown", Nets the distinct
	// NetName(host) strings; the sets behind them are ips, unknowns and nets.
	IPs, Unknowns, Nets int64
	Webmail             int64
	FirstLine           string

	ips, unknowns addrSet
	nets          idSet // ids of the network names in Counter.names
}

// Counter gathers every user's figures in one pass over the log.
type Counter struct {
	Users   map[string]*User
	webmail []netip.Addr
	// names interns the texts that are kept by id: network names, and the
	// client IP texts that are not canonical dotted quads. One string per
	// distinct text, however many users share it.
	names map[string]uint32
}

// NewCounter returns an empty Counter; connections from the webmail
// addresses are counted separately.
func NewCounter(webmail []netip.Addr) *Counter {
	return &Counter{Users: make(map[string]*User), webmail: webmail, names: make(map[string]uint32)}
}

// Add counts one in-window connection line.
func (c *Counter) Add(line []byte, conn Conn) {
	u := c.Users[string(conn.User)]
	if u == nil {
		u = &User{Name: string(conn.User), FirstLine: string(line)}
		c.Users[u.Name] = u
	}
	u.Count++
	ip := c.addrKey(conn.IP)
	if u.ips.add(ip) {
		u.IPs++
	}
	if string(conn.Host) == "unknown" && u.unknowns.add(ip) {
		u.Unknowns++
	}
	if u.nets.add(c.intern(NetName(conn.Host))) {
		u.Nets++
	}
	if len(c.webmail) > 0 && c.isWebmail(conn.IP) {
		u.Webmail++
	}
}

// intern returns the id of text, allocating only for a text not seen before.
// (Ids are uint32: 2^32 distinct texts would not fit in memory anyway.)
func (c *Counter) intern(text []byte) uint32 {
	id, ok := c.names[string(text)]
	if !ok {
		id = uint32(len(c.names))
		c.names[string(text)] = id
	}
	return id
}

// addrKey identifies a client IP text without keeping a string per user: a
// canonical dotted quad (nearly every address in a real log) by its value,
// any other text (IPv6, "unknown", junk) by its id in Counter.names.
// Distinct keys are exactly distinct texts: no two spellings of one address
// are merged (01.2.3.4 is interned as text, not read as 1.2.3.4).
type addrKey struct {
	v    uint32
	isV4 bool
}

func (c *Counter) addrKey(ip []byte) addrKey {
	if v, ok := parseV4(ip); ok {
		return addrKey{v: v, isV4: true}
	}
	return addrKey{v: c.intern(ip)}
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

// addrSet is a set of client IP texts (see addrKey).
type addrSet struct{ v4, other idSet }

// add adds k and reports whether it was new.
func (s *addrSet) add(k addrKey) bool {
	if k.isV4 {
		return s.v4.add(k.v)
	}
	return s.other.add(k.v)
}

// idSet is a set of uint32 values: open addressing with linear probing in a
// power-of-two table kept at most 3/4 full, 4 bytes a slot. That is 5-11
// bytes a value, against ~20 for a map[uint32]struct{} (whose slots are
// padded to 8 bytes) and ~70 for the map[string]struct{} of texts it
// replaces. 0 marks an empty slot, so the value 0 is kept in hasZero.
// The zero idSet is empty and allocates nothing until a value is added.
type idSet struct {
	slots   []uint32
	n       uint32 // values in slots
	hasZero bool
}

// hashMul is the multiplier of the multiply-shift hash: random and odd, so
// that no fixed set of addresses (chosen by a client) collides in every run.
var hashMul = rand.Uint64() | 1

// add adds x and reports whether it was new.
func (s *idSet) add(x uint32) bool {
	if x == 0 {
		isNew := !s.hasZero
		s.hasZero = true
		return isNew
	}
	if len(s.slots) > 0 {
		i, found := s.find(x)
		if found {
			return false
		}
		if 4*(int(s.n)+1) <= 3*len(s.slots) {
			s.slots[i] = x
			s.n++
			return true
		}
	}
	s.grow()
	i, _ := s.find(x)
	s.slots[i] = x
	s.n++
	return true
}

// find returns x's slot, or the empty slot where x belongs.
func (s *idSet) find(x uint32) (int, bool) {
	mask := len(s.slots) - 1
	i := int((uint64(x) * hashMul) >> (64 - bits.TrailingZeros(uint(len(s.slots)))))
	for {
		switch s.slots[i] {
		case x:
			return i, true
		case 0:
			return i, false
		}
		i = (i + 1) & mask
	}
}

// grow doubles the table (the first one holds 3 values).
func (s *idSet) grow() {
	old := s.slots
	s.slots = make([]uint32, max(4, 2*len(old)))
	for _, x := range old {
		if x != 0 {
			i, _ := s.find(x)
			s.slots[i] = x
		}
	}
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

// Sorted returns the users in the old tool's `sort -n` order.
func (c *Counter) Sorted() []*User {
	names := make([]string, 0, len(c.Users))
	for n := range c.Users {
		names = append(names, n)
	}
	order.Numeric(names)
	users := make([]*User, len(names))
	for i, n := range names {
		users[i] = c.Users[n]
	}
	return users
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
	}, func(line []byte) {
		t, ok := timeOf(line)
		if !ok || !w.Contains(t) {
			return
		}
		if conn, ok := ParseLine(line); ok {
			counter.Add(line, conn)
		}
	})
	return counter, err
}

// Run scans, reports and acts; it returns the exit status.
func Run(o *Options, stdin io.Reader, stdout, stderr io.Writer) int {
	w := window.Window{Start: o.Period.Start(o.Now), End: o.Now, Bounded: o.NowSet}
	var counter *Counter
	var untrusted int64
	var scanErr error
	if o.Journal.Use {
		counter, untrusted, scanErr = ScanJournal(o, w)
	} else {
		counter, scanErr = Scan(o, stdin, w)
	}
	status := cli.ExitOK
	scanErrs := cli.Errors(scanErr)
	for _, err := range scanErrs {
		fmt.Fprintf(stderr, "%s: %v\n", Name, err)
		status = cli.ExitRuntime
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
		g := report.Group{
			Kind: "users", Key: u.Name, Count: u.Count, Threshold: limit,
			FirstLine: u.FirstLine,
			Nets:      report.Int(u.Nets), Unknowns: report.Int(u.Unknowns),
			IPs: report.Int(u.IPs), Webmail: report.Int(u.Webmail),
		}
		if u.Count >= limit {
			g.Reported = true
			reported = append(reported, u)
			reportedAt = append(reportedAt, len(groups))
		}
		groups = append(groups, g)
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
		groups[reportedAt[i]].Action = oc.action
		if !jsonMode {
			fmt.Fprintf(out, "%s%s\n", line, oc.suffix)
		}
	}
	var doc *report.Document
	if jsonMode {
		start := w.Start
		doc = &report.Document{
			Tool: Name, Now: o.Now, WindowStart: &start,
			Period: o.Period.Text, Threshold: o.Max, Logs: o.Logs, Groups: groups,
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
