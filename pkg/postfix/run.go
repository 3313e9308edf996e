package postfix

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/spam-gear/spamcheck/pkg/action"
	"github.com/spam-gear/spamcheck/pkg/cli"
	"github.com/spam-gear/spamcheck/pkg/logread"
	"github.com/spam-gear/spamcheck/pkg/order"
	"github.com/spam-gear/spamcheck/pkg/period"
	"github.com/spam-gear/spamcheck/pkg/report"
	"github.com/spam-gear/spamcheck/pkg/timestamp"
	"github.com/spam-gear/spamcheck/pkg/window"
)

// User holds one SASL user's figures in the window.
type User struct {
	Name      string
	Count     int64
	IPs       map[string]struct{}
	Unknowns  map[string]struct{}
	Nets      map[string]struct{}
	Webmail   int64
	FirstLine string
}

// Counter gathers every user's figures in one pass over the log.
type Counter struct {
	Users   map[string]*User
	webmail []netip.Addr
}

// NewCounter returns an empty Counter; connections from the webmail
// addresses are counted separately.
func NewCounter(webmail []netip.Addr) *Counter {
	return &Counter{Users: make(map[string]*User), webmail: webmail}
}

// Add counts one in-window connection line.
func (c *Counter) Add(line []byte, conn Conn) {
	u := c.Users[string(conn.User)]
	if u == nil {
		u = &User{
			Name:      string(conn.User),
			IPs:       make(map[string]struct{}),
			Unknowns:  make(map[string]struct{}),
			Nets:      make(map[string]struct{}),
			FirstLine: string(line),
		}
		c.Users[u.Name] = u
	}
	u.Count++
	addTo(u.IPs, conn.IP)
	if string(conn.Host) == "unknown" {
		addTo(u.Unknowns, conn.IP)
	}
	addTo(u.Nets, NetName(conn.Host))
	if len(c.webmail) > 0 && c.isWebmail(conn.IP) {
		u.Webmail++
	}
}

// addTo adds key to set, allocating only for a key not seen before.
func addTo(set map[string]struct{}, key []byte) {
	if _, ok := set[string(key)]; !ok {
		set[string(key)] = struct{}{}
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
		u.Count, len(u.Nets), len(u.Unknowns), len(u.IPs), u.Webmail, u.FirstLine)
}

// Header is the report's first line; it shows -m as typed, never an override.
func Header(periodText, maxText string) string {
	return fmt.Sprintf("During the last %s the following senders have made at least %s SMTP connections.",
		period.Header(periodText), maxText)
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
	counter, scanErr := Scan(o, stdin, w)
	status := cli.ExitOK
	if scanErr != nil {
		fmt.Fprintf(stderr, "%s: %v\n", Name, scanErr)
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
		since: w.Start, now: o.Now}
	if o.State != "" && o.Disable {
		d.state = loadState(o.State)
	}

	var groups []report.Group
	headerDone := false
	for _, u := range counter.Sorted() {
		limit := o.Overrides.Limit(u.Name, o.Max)
		g := report.Group{
			Kind: "users", Key: u.Name, Count: u.Count, Threshold: limit,
			FirstLine: u.FirstLine,
			Nets:      report.Int(int64(len(u.Nets))), Unknowns: report.Int(int64(len(u.Unknowns))),
			IPs: report.Int(int64(len(u.IPs))), Webmail: report.Int(u.Webmail),
		}
		if u.Count >= limit {
			g.Reported = true
			if !jsonMode && !headerDone {
				fmt.Fprintf(out, "%s\n\n", Header(o.Period.Text, o.MaxText))
				headerDone = true
			}
			line := ReportLine(u)
			suffix, action, ok := d.maybeDisable(u, line)
			if !ok {
				status = cli.ExitRuntime
			}
			g.Action = action
			if !jsonMode {
				fmt.Fprintf(out, "%s%s\n", line, suffix)
			}
		}
		groups = append(groups, g)
	}
	if jsonMode {
		start := w.Start
		doc := &report.Document{
			Tool: Name, Version: cli.VersionString(), Now: o.Now, WindowStart: &start,
			Period: o.Period.Text, Threshold: o.Max, Logs: o.Logs, Groups: groups,
		}
		if scanErr != nil {
			doc.Errors = []string{scanErr.Error()}
		}
		if err := report.Write(out, doc); err != nil {
			status = cli.ExitRuntime
		}
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "%s: writing the report: %v\n", Name, err)
		status = cli.ExitRuntime
	}
	return status
}
