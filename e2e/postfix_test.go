package e2e

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spam-gear/spamcheck/e2e/internal/mtatest"
)

// hosts is what the test DNS says about the client addresses the scenarios
// connect from. Addresses not listed (127.0.0.7 … 127.0.0.13) have no PTR
// record.
var hosts = []mtatest.Host{
	{IP: "127.0.0.2", Name: "h2-2.dyn.net-a.example"},
	{IP: "127.0.0.3", Name: "h3-3.dyn.net-a.example"},
	{IP: "127.0.0.4", Name: "mail-4.net-b.example"},
	{IP: "127.0.0.5", Name: "5-0-0-127.pool.net-c.example"},
	{IP: "127.0.0.6", Name: "broken.net-d.example", NoForward: true}, // reverse name does not verify
	{IP: "127.0.0.20", Name: "webmail.e2e.test"},
}

// loggedHost is the client name a server logs for ip: the verified
// reverse name, or "unknown" (Postfix).
func loggedHost(ip string) string {
	for _, h := range hosts {
		if h.IP == ip && h.Name != "" && !h.NoForward {
			return h.Name
		}
	}
	return "unknown"
}

// Postfix scenario accounts.
var pfUsers = []mtatest.User{
	{Name: "spammer", Password: "spam-pw"},         // realm = host name: logged bare
	{Name: "carol@e2e.test", Password: "carol-pw"}, // logged as carol@e2e.test
	{Name: "dave", Password: "dave-pw"},
}

// pfSend is one planned Postfix transaction.
type pfSend struct {
	submission bool   // submission service (postfix/submission/smtpd), else smtpd
	src        string // client address
	helo       string
	mech       string // "" = no AUTH
	user, pass string
	to         string
	accept     bool
	local      bool // sendmail -t as root instead of SMTP
	token      string
}

// postfixPlan is the Postfix traffic, in order:
//   - spammer: 14 authenticated messages from 13 addresses (8 unknown, one
//     with a reverse name that does not verify), through submission;
//   - carol@e2e.test: 6 (AUTH LOGIN, smtpd) from the webmail host and a
//     named host: exactly at the threshold 6;
//   - dave: 5, one below the threshold;
//   - 3 failed logins of spammer and one of an unknown user (warnings with
//     sasl_username=, not connections), 3 unauthenticated arrivals, one
//     relay attempt (NOQUEUE reject), 2 local submissions.
func postfixPlan() []pfSend {
	spamSrc := []string{"127.0.0.2", "127.0.0.7", "127.0.0.3", "127.0.0.8", "127.0.0.4", "127.0.0.9", "127.0.0.5",
		"127.0.0.10", "127.0.0.6", "127.0.0.11", "127.0.0.12", "127.0.0.20", "127.0.0.13", "127.0.0.20"}
	carolSrc := []string{"127.0.0.20", "127.0.0.4", "127.0.0.20", "127.0.0.20", "127.0.0.4", "127.0.0.20"}
	rcpt := "bob@" + mtatest.Domain
	var plan []pfSend
	for i := range spamSrc {
		plan = append(plan, pfSend{submission: true, src: spamSrc[i], helo: "laptop", mech: "PLAIN",
			user: "spammer", pass: "spam-pw", to: rcpt, accept: true})
		if i < len(carolSrc) {
			plan = append(plan, pfSend{src: carolSrc[i], helo: "carol-pc", mech: "LOGIN",
				user: "carol@e2e.test", pass: "carol-pw", to: rcpt, accept: true})
		}
		if i < 5 {
			plan = append(plan, pfSend{submission: true, src: "127.0.0.2", helo: "dave.example", mech: "PLAIN",
				user: "dave", pass: "dave-pw", to: rcpt, accept: true})
		}
		switch i {
		case 1, 4, 7:
			plan = append(plan, pfSend{submission: true, src: fmt.Sprintf("127.0.0.%d", 7+i/3), helo: "laptop", mech: "PLAIN",
				user: "spammer", pass: "wrong", to: rcpt})
		case 2:
			plan = append(plan, pfSend{src: "127.0.0.10", helo: "x", mech: "LOGIN", user: "ghost", pass: "nope", to: rcpt})
		case 3, 5, 9:
			plan = append(plan, pfSend{src: "127.0.0.11", helo: "mx.other.example", to: rcpt, accept: true})
		case 6:
			plan = append(plan, pfSend{src: "127.0.0.12", helo: "relay.example", to: "victim@elsewhere.example"})
		case 8, 10:
			plan = append(plan, pfSend{local: true, to: rcpt, accept: true})
		}
	}
	for i := range plan {
		plan[i].token = fmt.Sprintf("pf-%02d@e2e.test", i+1)
	}
	return plan
}

// runPostfixPlan drives the plan into p, failing t if any transaction
// ends differently than planned.
func runPostfixPlan(t *testing.T, p *mtatest.Postfix, plan []pfSend) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), scenarioTimeout)
	defer cancel()
	for _, s := range plan {
		if s.local {
			if err := p.Sendmail(ctx, mtatest.LocalMessage("root", s.to, "local", s.token)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		server := p.SMTP
		if s.submission {
			server = p.Submission
		}
		r, err := mtatest.Send(ctx, mtatest.Message{Server: server, Source: s.src, Helo: s.helo, Auth: s.mech,
			User: s.user, Password: s.pass, From: "sender@" + mtatest.Domain, To: s.to, MessageID: s.token})
		if err != nil {
			t.Fatal(err)
		}
		if r.Accepted != s.accept {
			t.Fatalf("%s from %s as %q: accepted=%v, planned %v\n%s", s.token, s.src, s.user, r.Accepted, s.accept, r.Transcript)
		}
	}
}

// pfReport is what postfix-spam-check should say about one user.
type pfReport struct {
	user                          string
	count, nets, unknowns, ips, w int
	first                         string
}

// postfixExpect computes the reports for users with at least max
// connections from the plan; webmail lists the -w addresses. The first
// line is looked up in the log by the queue id of the user's first
// message (found through cleanup's message-id= line).
func postfixExpect(t *testing.T, plan []pfSend, log string, max int, webmail []string) []pfReport {
	t.Helper()
	type agg struct {
		count, w            int
		nets, unknowns, ips map[string]bool
		firstToken          string
	}
	byUser := map[string]*agg{}
	var order []string
	for _, s := range plan {
		if s.local || s.mech == "" || !s.accept {
			continue
		}
		a := byUser[s.user]
		if a == nil {
			a = &agg{nets: map[string]bool{}, unknowns: map[string]bool{}, ips: map[string]bool{}, firstToken: s.token}
			byUser[s.user] = a
			order = append(order, s.user)
		}
		a.count++
		host := loggedHost(s.src)
		a.nets[netName(host)] = true
		a.ips[s.src] = true
		if host == "unknown" {
			a.unknowns[s.src] = true
		}
		if slices.Contains(webmail, s.src) {
			a.w++
		}
	}
	var out []pfReport
	for _, u := range order {
		a := byUser[u]
		if a.count < max {
			continue
		}
		out = append(out, pfReport{user: u, count: a.count, nets: len(a.nets), unknowns: len(a.unknowns), ips: len(a.ips), w: a.w,
			first: postfixFirstLine(t, log, a.firstToken)})
	}
	sort.SliceStable(out, func(i, j int) bool { return sortNLess(out[i].user, out[j].user) })
	return out
}

var cleanupMsgID = regexp.MustCompile(`\b([0-9A-F]{6,}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{12,}): message-id=<([^>]*)>`)

// postfixFirstLine finds the smtpd "QUEUEID: client=" line of the message
// whose Message-Id is token.
func postfixFirstLine(t *testing.T, log, token string) string {
	t.Helper()
	for _, line := range strings.Split(log, "\n") {
		if m := cleanupMsgID.FindStringSubmatch(line); m != nil && m[2] == token {
			return lineWith(t, log, " "+m[1]+": client=")
		}
	}
	t.Fatalf("no cleanup line with message-id=<%s>", token)
	return ""
}

// sortNLess orders like LC_ALL=C sort -n: the leading number's value
// (non-numeric = 0), ties in byte order.
func sortNLess(a, b string) bool {
	va, vb := leadingNumber(a), leadingNumber(b)
	if va != vb {
		return va < vb
	}
	return a < b
}

var leadingNum = regexp.MustCompile(`^\s*-?\d+(\.\d+)?`)

func leadingNumber(s string) float64 {
	v, err := strconv.ParseFloat(strings.TrimSpace(leadingNum.FindString(s)), 64)
	if err != nil {
		return 0
	}
	return v
}

// postfixOutput formats the expected report (SPEC §2). disabled lists the
// users reported as disabled in a local --dry-run.
func postfixOutput(period string, max int, reports []pfReport, disabled map[string]bool) string {
	if len(reports) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "During the last %s the following senders have made at least %d SMTP connections.\n\n", periodHeader(period), max)
	for _, r := range reports {
		line := fmt.Sprintf("%d (%d nets/%d unknowns/%d IPs/%d webmail) -- %s", r.count, r.nets, r.unknowns, r.ips, r.w, r.first)
		if disabled[r.user] {
			b.WriteString("LOCAL\n")
			line += " [DISABLED]"
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// TestPostfix runs the Postfix scenario twice, once logging through a
// private rsyslogd (traditional and RFC 3339 files) and once through
// Postfix's own postlogd (maillog_file), checks the logs themselves, and
// then runs postfix-spam-check on each file.
func TestPostfix(t *testing.T) {
	skipShort(t)
	t.Parallel()
	for _, mode := range []string{"syslog", "maillog"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			p := mtatest.StartPostfix(t, mtatest.PostfixOptions{Users: pfUsers, Hosts: hosts, Maillog: mode == "maillog"})
			plan := postfixPlan()
			runPostfixPlan(t, p, plan)
			wantClient := 0
			for _, s := range plan {
				if s.accept {
					wantClient++
				}
			}
			// Wait for every message to be logged and delivered.
			for _, f := range p.LogFiles() {
				mtatest.WaitForLog(t, f, 30*time.Second, func(s string) bool {
					return strings.Count(s, "status=sent") >= wantClient
				})
			}
			mtatest.WaitQuiet(t, 300*time.Millisecond, 10*time.Second, p.LogFiles()...)
			now := time.Now().Add(2 * time.Second)
			t.Logf("postfix %s: started and scenario (%d transactions) done in %v", mode, len(plan), time.Since(start).Round(time.Millisecond))

			files := map[string]string{}
			if mode == "syslog" {
				files["traditional"], files["rfc3339"] = p.SyslogFile, p.RFC3339File
			} else {
				files["maillog"] = p.MaillogFile
			}
			for name, file := range files {
				t.Run("log-"+name, func(t *testing.T) { checkPostfixLog(t, readFile(t, file)) })
			}

			// Shut down so that the shutdown lines are in the captured logs.
			p.Stop()
			names := postfixNames()
			if mode == "syslog" {
				writeGolden(t, goldenPostfixSyslog, readFile(t, p.SyslogFile), names)
				writeGolden(t, goldenPostfixRFC3339, readFile(t, p.RFC3339File), names)
			} else {
				writeGolden(t, goldenPostfixMaillog, readFile(t, p.MaillogFile), names)
			}

			for name, file := range files {
				t.Run("checker-"+name, func(t *testing.T) { checkPostfixChecker(t, plan, file, now) })
			}
		})
	}
}

// checkPostfixLog checks that the real log has what the scenario should
// have produced: independent of the checkers, it tells a broken harness
// from a broken checker.
func checkPostfixLog(t *testing.T, log string) {
	for _, tc := range []struct {
		re   string
		want int
	}{
		{`postfix/submission/smtpd\[\d+\]: [0-9A-F]+: client=\S+\[127\.0\.0\.\d+\], sasl_method=PLAIN, sasl_username=spammer$`, 14},
		{`postfix/smtpd\[\d+\]: [0-9A-F]+: client=\S+\[127\.0\.0\.\d+\], sasl_method=LOGIN, sasl_username=carol@e2e\.test$`, 6},
		{`: client=h2-2\.dyn\.net-a\.example\[127\.0\.0\.2\], sasl_method=PLAIN, sasl_username=dave$`, 5},
		{`: client=unknown\[127\.0\.0\.11\]$`, 3},
		{`warning: unknown\[127\.0\.0\.\d+\]: SASL PLAIN authentication failed: .*sasl_username=spammer$`, 3},
		{`warning: unknown\[127\.0\.0\.10\]: SASL LOGIN authentication failed: `, 1},
		{`NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.12\]: 554 5\.7\.1 <victim@elsewhere\.example>: Relay access denied`, 1},
		{`warning: hostname broken\.net-d\.example does not resolve to address 127\.0\.0\.6`, 1},
		{`: client=unknown\[127\.0\.0\.6\], sasl_method=PLAIN, sasl_username=spammer$`, 1},
		{`postfix/pickup\[\d+\]: [0-9A-F]+: uid=0 from=<root>`, 2},
	} {
		if got := countLines(log, regexp.MustCompile(tc.re)); got != tc.want {
			t.Errorf("%d lines match %s, want %d", got, tc.re, tc.want)
		}
	}
}

// checkPostfixChecker runs postfix-spam-check on one log file.
func checkPostfixChecker(t *testing.T, plan []pfSend, file string, now time.Time) {
	bin := checker(t, "postfix-spam-check")
	log := readFile(t, file)
	noStderr := ""
	at := nowArg(now)
	webmail := []string{"127.0.0.20", "127.0.0.4"}

	t.Run("default-period", func(t *testing.T) {
		want := postfixOutput("1hour", 6, postfixExpect(t, plan, log, 6, nil), nil)
		expectRun(t, bin, []string{"-l", file, "--now", at, "-m", "6"}, want, &noStderr)
	})
	t.Run("webmail", func(t *testing.T) {
		want := postfixOutput("30minutes", 6, postfixExpect(t, plan, log, 6, webmail), nil)
		expectRun(t, bin, []string{"-l", file, "--now=" + at, "-p", "30minutes", "-m", "6", "-w", strings.Join(webmail, ",")}, want, &noStderr)
	})
	t.Run("threshold", func(t *testing.T) {
		want := postfixOutput("1hour", 14, postfixExpect(t, plan, log, 14, nil), nil)
		expectRun(t, bin, []string{"-l", file, "--now", at, "--max-connections=14"}, want, &noStderr)
		expectRun(t, bin, []string{"-l", file, "--now", at, "-m", "15"}, "", &noStderr)
	})
	t.Run("window", func(t *testing.T) {
		// Two hours later nothing of the scenario is in the last hour.
		expectRun(t, bin, []string{"-l", file, "--now", nowArg(now.Add(2 * time.Hour)), "-m", "1"}, "", &noStderr)
	})
	t.Run("disable-dry-run", func(t *testing.T) {
		// spammer: 5 nets and 8 unknowns (> 3 and > 3): disabled;
		// carol@e2e.test: 2 nets, 0 unknowns: only reported.
		reports := postfixExpect(t, plan, log, 6, nil)
		disabled := map[string]bool{}
		for _, r := range reports {
			if r.nets > 3 && r.unknowns > 3 {
				disabled[r.user] = true
			}
		}
		if !disabled["spammer"] || disabled["carol@e2e.test"] {
			t.Fatalf("scenario broken: disabled = %v", disabled)
		}
		want := postfixOutput("1hour", 6, reports, disabled)
		expectRun(t, bin, []string{"-l", file, "--now", at, "-m", "6", "-d", "3,3", "--dry-run"}, want, nil)
	})
}

// postfixNames are the scenario's names, for shape extraction.
func postfixNames() *strings.Replacer {
	kinds := map[string][]string{
		"USER": {"spammer", "carol@e2e.test", "dave", "ghost"},
		"HELO": {"laptop", "carol-pc", "dave.example", "mx.other.example", "relay.example"},
	}
	for _, h := range hosts {
		kinds["NAME"] = append(kinds["NAME"], h.Name)
	}
	return nameReplacer(kinds)
}
