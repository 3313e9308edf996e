package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spam-gear/spamcheck/e2e/internal/mtatest"
	"github.com/spam-gear/spamcheck/pkg/report"
)

// The attack of issue 12: strangers on the internet write text of their
// choosing into the mail log, and a parser that accepts `client=…,
// sasl_username=…` anywhere in a line counts it as an authenticated
// connection. Each vector below puts twelve fake connections of root into
// what a real Postfix logs, from seven fake "networks" (h1 … h6 and
// unknown) and six fake unknown addresses: alone, each of those marked
// naive would make `-d 5,5 -m 5` lock root on such a parser (as
// postfix-spam-check did before issue 12: 60 lines, `passwd -l root`).

// forgedClient is the i-th (0 … 11) fake connection of vector v: hosts h1 …
// h6, then unknown, each from its own address in 10.7.v.0/24.
func forgedClient(v, i int) string {
	host := fmt.Sprintf("h%d", i+1)
	if i >= 6 {
		host = "unknown"
	}
	return fmt.Sprintf("client=%s[10.7.%d.%d], sasl_username=root", host, v, i+1)
}

// forgedPerVector is how many fake connections each vector carries.
const forgedPerVector = 12

// attackVector is one way a stranger gets text into the log.
type attackVector struct {
	name string
	// msg builds the i-th transaction (without Server) around text, a
	// forgedClient.
	msg func(text string) mtatest.Message
	// raw, instead of msg, is what a hand-made client sends around text
	// (from source) after the greeting.
	raw    func(text string) (source, data string)
	accept bool
	// naive: a parser that takes client= anywhere counts the line as
	// root's (Postfix writes the blanks of a HELO name as '?'; the quoted
	// local part without ", " after root keys the line as root"@…).
	naive bool
	// logged matches each log line the vector must have produced.
	logged *regexp.Regexp
}

const attackRcpt = "bob@" + mtatest.Domain

var attackVectors = []attackVector{
	{
		// Any inbound mail: cleanup logs its Message-ID header.
		name: "message-id",
		msg: func(text string) mtatest.Message {
			return mtatest.Message{Source: "127.0.5.1", Helo: "mx.stranger.example", From: "a@stranger.example", To: attackRcpt,
				MessageID: "a " + text + ", b@x"}
		},
		accept: true,
		naive:  true,
		logged: regexp.MustCompile(`/cleanup\[\d+\]: [0-9A-F]+: message-id=<a client=\S+\[10\.7\.\d+\.\d+\], sasl_username=root, b@x>$`),
	},
	{
		// A quoted MAIL FROM local part, in the NOQUEUE reject line of a
		// refused relay attempt.
		name: "mail-from-reject",
		msg: func(text string) mtatest.Message {
			return mtatest.Message{Source: "127.0.5.2", Helo: "mx.stranger.example", From: `"x ` + text + `, y"@example.com`,
				To: "victim@elsewhere.example"}
		},
		naive:  true,
		logged: regexp.MustCompile(`/smtpd\[\d+\]: NOQUEUE: reject: RCPT from unknown\[127\.0\.5\.2\]: 554 5\.7\.1 <victim@elsewhere\.example>: Relay access denied; from=<"x client=\S+\[10\.7\.\d+\.\d+\], sasl_username=root, y"@example\.com> `),
	},
	{
		// The same quoted local part on accepted mail: qmgr logs it.
		name: "mail-from-accepted",
		msg: func(text string) mtatest.Message {
			return mtatest.Message{Source: "127.0.5.3", Helo: "mx.stranger.example", From: `"x ` + text + `"@example.com`, To: attackRcpt}
		},
		accept: true,
		logged: regexp.MustCompile(`/qmgr\[\d+\]: [0-9A-F]+: from=<"x client=\S+\[10\.7\.\d+\.\d+\], sasl_username=root"@example\.com>, size=`),
	},
	{
		// A HELO name with blanks, in the reject line: smtpd joins the
		// words of EHLO's argument and logs each blank as '?'.
		name: "helo-reject",
		msg: func(text string) mtatest.Message {
			return mtatest.Message{Source: "127.0.5.4", Helo: "x " + text + ", y", From: "a@stranger.example", To: "victim@elsewhere.example"}
		},
		logged: regexp.MustCompile(`/smtpd\[\d+\]: NOQUEUE: reject: RCPT from unknown\[127\.0\.5\.4\]: .* helo=<x\?client=\S+\[10\.7\.\d+\.\d+\],\?sasl_username=root,\?y>$`),
	},
	{
		// A non-SMTP command (a web request): smtpd logs it in a warning.
		name: "non-smtp-command",
		raw: func(text string) (string, string) {
			return "127.0.5.7", "GET /a " + text + ", b HTTP/1.0\r\n"
		},
		naive:  true,
		logged: regexp.MustCompile(`/smtpd\[\d+\]: warning: non-SMTP command from unknown\[127\.0\.5\.7\]: GET /a client=\S+\[10\.7\.\d+\.\d+\], sasl_username=root, b HTTP/1\.0$`),
	},
	{
		// Commands sent with EHLO (in one write, so smtpd finds them
		// unread after it): smtpd logs what it has not read yet.
		name: "pipelining",
		raw: func(text string) (string, string) {
			return "127.0.5.8", "EHLO a\r\nNOOP " + text + ", b\r\nQUIT\r\n"
		},
		naive:  true,
		logged: regexp.MustCompile(`/smtpd\[\d+\]: improper command pipelining after EHLO from unknown\[127\.0\.5\.8\]: NOOP client=\S+\[10\.7\.\d+\.\d+\], sasl_username=root, b\\r\\nQUIT\\r\\n$`),
	},
	{
		// The login of a failed AUTH: Postfix logs it as sasl_username=.
		name: "auth-login",
		msg: func(text string) mtatest.Message {
			return mtatest.Message{Source: "127.0.5.5", Helo: "laptop", Auth: "PLAIN", User: "x " + text, Password: "guess",
				From: "a@stranger.example", To: attackRcpt}
		},
		naive:  true,
		logged: regexp.MustCompile(`/smtpd\[\d+\]: warning: unknown\[127\.0\.5\.5\]: SASL PLAIN authentication failed: .*, sasl_username=x client=\S+\[10\.7\.\d+\.\d+\], sasl_username=root$`),
	},
}

// rootLogins are failed AUTH attempts as root itself (PLAIN and LOGIN).
var rootLogins = []string{"PLAIN", "LOGIN", "PLAIN", "LOGIN", "PLAIN", "LOGIN"}

var rootLoginLogged = regexp.MustCompile(`/smtpd\[\d+\]: warning: unknown\[127\.0\.5\.6\]: SASL (PLAIN|LOGIN) authentication failed: .*, sasl_username=root$`)

// The legitimate users of the attack scenario: spammer sends through the
// submission service from seven networks (six named, and unknown) and six
// unknown addresses, so -d 5,5 locks it; carol@e2e.test sends three, is
// counted and not reported.
var (
	attackUsers = []mtatest.User{{Name: "spammer", Password: "spam-pw"}, {Name: "carol@e2e.test", Password: "carol-pw"}}
	attackHosts = []mtatest.Host{
		{IP: "127.0.3.1", Name: "c1.net-a.example"},
		{IP: "127.0.3.2", Name: "c2.net-b.example"},
		{IP: "127.0.3.3", Name: "c3.net-c.example"},
		{IP: "127.0.3.4", Name: "c4.net-d.example"},
		{IP: "127.0.3.5", Name: "c5.net-e.example"},
		{IP: "127.0.3.6", Name: "c6.net-f.example"},
		{IP: "127.0.3.7", Name: "carol.home.example"},
	}
)

// legitSend is one authenticated message of a legitimate user.
type legitSend struct {
	submission bool
	src, user  string
	pass, mech string
	token      string
}

func legitPlan() []legitSend {
	var plan []legitSend
	for i := 1; i <= 6; i++ {
		plan = append(plan,
			legitSend{submission: true, src: fmt.Sprintf("127.0.3.%d", i), user: "spammer", pass: "spam-pw", mech: "PLAIN"},
			legitSend{submission: true, src: fmt.Sprintf("127.0.4.%d", i), user: "spammer", pass: "spam-pw", mech: "LOGIN"})
		if i <= 3 {
			plan = append(plan, legitSend{src: "127.0.3.7", user: "carol@e2e.test", pass: "carol-pw", mech: "LOGIN"})
		}
	}
	for i := range plan {
		plan[i].token = fmt.Sprintf("legit-%02d@e2e.test", i+1)
	}
	return plan
}

// attackCounts is what the checker must report about a legitimate user.
type attackCounts struct {
	Count, Nets, Unknowns, IPs int64
	Reported                   bool
	Action                     string
	FirstLine                  string
}

// legitExpect is the JSON group of each legitimate user, from the plan.
func legitExpect(t *testing.T, plan []legitSend, log string) map[string]attackCounts {
	t.Helper()
	named := map[string]string{}
	for _, h := range attackHosts {
		named[h.IP] = h.Name
	}
	type agg struct {
		n                   int64
		nets, unknowns, ips map[string]bool
	}
	by := map[string]*agg{}
	for _, s := range plan {
		a := by[s.user]
		if a == nil {
			a = &agg{nets: map[string]bool{}, unknowns: map[string]bool{}, ips: map[string]bool{}}
			by[s.user] = a
		}
		a.n++
		a.ips[s.src] = true
		host := named[s.src]
		if host == "" {
			host = "unknown"
			a.unknowns[s.src] = true
		}
		a.nets[netName(host)] = true
	}
	want := map[string]attackCounts{}
	for user, a := range by {
		c := attackCounts{Count: a.n, Nets: int64(len(a.nets)), Unknowns: int64(len(a.unknowns)), IPs: int64(len(a.ips)),
			FirstLine: firstSMTPDLine(t, log, user)}
		if c.Count >= 5 {
			c.Reported = true
			if c.Nets > 5 && c.Unknowns > 5 {
				c.Action = "disabled"
			}
		}
		want[user] = c
	}
	if want["spammer"].Action != "disabled" || want["carol@e2e.test"].Reported {
		t.Fatalf("scenario broken: %+v", want)
	}
	return want
}

// firstSMTPDLine is the first line of log in which smtpd logs an
// authenticated connection of user (the messages are sent concurrently,
// so this need not be the first one planned).
func firstSMTPDLine(t *testing.T, log, user string) string {
	t.Helper()
	re := regexp.MustCompile(`/smtpd\[\d+\]: [0-9A-F]+: client=\S+\[127\.\d+\.\d+\.\d+\], sasl_method=\w+, sasl_username=` + regexp.QuoteMeta(user) + `$`)
	for _, line := range strings.Split(log, "\n") {
		if re.MatchString(line) {
			return line
		}
	}
	t.Fatalf("no smtpd line of %s in the log", user)
	return ""
}

// runAttackPlan sends the legitimate mail and every attack, four
// transactions at a time. It returns how many messages were accepted.
func runAttackPlan(t *testing.T, p *mtatest.Postfix, plan []legitSend) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), scenarioTimeout)
	defer cancel()
	type job struct {
		m      mtatest.Message
		raw    func() (string, error)
		accept bool
	}
	var jobs []job
	for _, s := range plan {
		server := p.SMTP
		if s.submission {
			server = p.Submission
		}
		jobs = append(jobs, job{m: mtatest.Message{Server: server, Source: s.src, Helo: "laptop", Auth: s.mech, User: s.user,
			Password: s.pass, From: "sender@" + mtatest.Domain, To: attackRcpt, MessageID: s.token}, accept: true})
	}
	for _, v := range attackVectors {
		for i := range forgedPerVector {
			text := forgedClient(v.num(), i)
			if v.raw != nil {
				src, data := v.raw(text)
				jobs = append(jobs, job{m: mtatest.Message{Source: src}, raw: func() (string, error) {
					return mtatest.Talk(ctx, p.SMTP, src, true, data)
				}})
				continue
			}
			m := v.msg(text)
			m.Server = p.SMTP
			jobs = append(jobs, job{m: m, accept: v.accept})
		}
	}
	for _, mech := range rootLogins {
		jobs = append(jobs, job{m: mtatest.Message{Server: p.SMTP, Source: "127.0.5.6", Helo: "laptop", Auth: mech, User: "root",
			Password: "toor", From: "a@stranger.example", To: attackRcpt}})
	}
	var (
		mu       sync.Mutex
		failures []string
		accepted int
		wg       sync.WaitGroup
		sem      = make(chan struct{}, 4)
	)
	for _, j := range jobs {
		if j.accept {
			accepted++
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if j.raw != nil {
				tr, err := j.raw()
				if err != nil {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("from %s: %v\n%s", j.m.Source, err, tr))
					mu.Unlock()
				}
				return
			}
			r, err := mtatest.Send(ctx, j.m)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				failures = append(failures, err.Error())
			case r.Accepted != j.accept:
				failures = append(failures, fmt.Sprintf("from %s, MAIL FROM %s, HELO %q, login %q: accepted=%v, planned %v\n%s",
					j.m.Source, j.m.From, j.m.Helo, j.m.User, r.Accepted, j.accept, r.Transcript))
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d transactions went wrong; the first:\n%s", len(failures), len(jobs), failures[0])
	}
	return accepted
}

// num is the vector's number, the third octet of its fake addresses.
func (v attackVector) num() int {
	for i := range attackVectors {
		if attackVectors[i].name == v.name {
			return i + 1
		}
	}
	panic("unknown vector " + v.name)
}

// naiveClient is a parser that accepts client=HOST[IP] anywhere with a
// later sasl_username=USER, as postfix-spam-check did before issue 12.
var naiveClient = regexp.MustCompile(`(?:^| )client=([^\[ ,]+)\[([^\] ]+)\].*?, sasl_username=(.*?)(?:, |$)`)

// checkAttackLog checks that the real log holds every attack, and that
// the fake connections would make -d 5,5 -m 5 lock root on a naive parser:
// without that, a passing checker would prove nothing.
func checkAttackLog(t *testing.T, log string, legitAccepted int) {
	t.Helper()
	for _, v := range attackVectors {
		if got := countLines(log, v.logged); got != forgedPerVector {
			t.Errorf("vector %s: %d lines match %s, want %d", v.name, got, v.logged, forgedPerVector)
		}
	}
	if got := countLines(log, rootLoginLogged); got != len(rootLogins) {
		t.Errorf("failed AUTH as root: %d lines match %s, want %d", got, rootLoginLogged, len(rootLogins))
	}
	real := regexp.MustCompile(`/smtpd\[\d+\]: [0-9A-F]+: client=\S+\[127\.0\.[34]\.\d+\], sasl_method=(PLAIN|LOGIN), sasl_username=(spammer|carol@e2e\.test)$`)
	if got := countLines(log, real); got != legitAccepted {
		t.Errorf("%d authenticated smtpd lines (%s), want %d", got, real, legitAccepted)
	}
	var count, want int
	nets, unknowns := map[string]bool{}, map[string]bool{}
	for _, v := range attackVectors {
		n := 0
		for _, line := range strings.Split(log, "\n") {
			if !v.logged.MatchString(line) {
				continue
			}
			m := naiveClient.FindStringSubmatch(line)
			if m == nil || m[3] != "root" {
				continue
			}
			n++
			nets[netName(m[1])] = true
			if m[1] == "unknown" {
				unknowns[m[2]] = true
			}
		}
		wantN := 0
		if v.naive {
			wantN = forgedPerVector
		}
		if n != wantN {
			t.Errorf("vector %s: a naive parser counts %d lines for root, want %d", v.name, n, wantN)
		}
		want += wantN
		count += n
	}
	if count != want || len(nets) <= 5 || len(unknowns) <= 5 {
		t.Errorf("a naive parser finds %d connections of root (want %d) from %d nets and %d unknowns (want > 5 each): the attack is not in the log",
			count, want, len(nets), len(unknowns))
	} else {
		t.Logf("a naive parser finds %d connections of root from %d nets and %d unknowns", count, len(nets), len(unknowns))
	}
}

// decodeGroups reads postfix-spam-check's --format=json document.
func decodeGroups(t *testing.T, stdout string) map[string]attackCounts {
	t.Helper()
	var doc report.Document
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("--format=json: %v\n%s", err, stdout)
	}
	if len(doc.Errors) > 0 {
		t.Errorf("--format=json errors: %q", doc.Errors)
	}
	deref := func(p *int64) int64 {
		if p == nil {
			return -1
		}
		return *p
	}
	got := map[string]attackCounts{}
	for _, g := range doc.Groups {
		if _, dup := got[g.Key]; dup {
			t.Errorf("user %q appears twice in the JSON groups", g.Key)
		}
		got[g.Key] = attackCounts{Count: g.Count, Nets: deref(g.Nets), Unknowns: deref(g.Unknowns), IPs: deref(g.IPs),
			Reported: g.Reported, Action: g.Action, FirstLine: g.FirstLine}
	}
	return got
}

// lockCalls are the commands that locking user and mailing root about
// reportLine run, for the local, NIS and --disable-command modes.
func lockCalls(mode, user, reportLine string) []call {
	var lock []string
	switch mode {
	case "local":
		lock = []string{"passwd", "-l", user}
	case "nis":
		lock = []string{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=30", "root@nis." + mtatest.Domain,
			fmt.Sprintf("sed -i 's/^%s:/%s:*/' /var/yp/ypfiles/shadow && make -C /var/yp/", user, user)}
	case "command":
		lock = []string{"lock-user", user}
	}
	to := "root@" + stubDomain
	mail := fmt.Sprintf("Subject: SPAMMER DETECTED AT %s [USER %s DISABLED]\nTo: %s\n\n%s\n", stubFQDN, user, to, reportLine)
	return []call{{argv: lock}, {argv: []string{"sendmail", to}, stdin: mail}}
}

// lockModes are the checker arguments of each way of locking.
var lockModes = []struct {
	name  string
	args  []string
	label string // the line before the report line in text mode
}{
	{"local", nil, "LOCAL\n" + stubPasswdOutput + "\n"},
	{"nis", []string{"-n", "nis." + mtatest.Domain}, "NIS\n"},
	{"command", []string{"--disable-command=lock-user"}, ""},
}

// TestPostfixAttack drives the attacks into a real Postfix, logging
// through rsyslogd (both file formats) and through postlogd, and runs
// postfix-spam-check -d 5,5 -m 5 on what it logged: root is never counted
// and nothing is run for it, while the legitimate users are counted
// exactly and spammer is locked.
func TestPostfixAttack(t *testing.T) {
	skipShort(t)
	t.Parallel()
	for _, mode := range []string{"syslog", "maillog"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			p := mtatest.StartPostfix(t, mtatest.PostfixOptions{Users: attackUsers, Hosts: attackHosts, Maillog: mode == "maillog"})
			plan := legitPlan()
			accepted := runAttackPlan(t, p, plan)
			for _, f := range p.LogFiles() {
				mtatest.WaitForLog(t, f, 30*time.Second, func(s string) bool {
					for _, v := range attackVectors {
						if countLines(s, v.logged) < forgedPerVector {
							return false
						}
					}
					return strings.Count(s, "status=sent") >= accepted && countLines(s, rootLoginLogged) >= len(rootLogins)
				})
			}
			mtatest.WaitQuiet(t, 300*time.Millisecond, 10*time.Second, p.LogFiles()...)
			p.Stop()
			now := time.Now().Add(2 * time.Second)
			t.Logf("postfix %s: started and attacked in %v", mode, time.Since(start).Round(time.Millisecond))

			files := map[string]string{"maillog": p.MaillogFile}
			if mode == "syslog" {
				files = map[string]string{"traditional": p.SyslogFile, "rfc3339": p.RFC3339File}
			}
			for name, file := range files {
				t.Run(name, func(t *testing.T) {
					log := readFile(t, file)
					checkAttackLog(t, log, len(plan))
					checkAttackChecker(t, file, legitExpect(t, plan, log), now)
				})
			}
		})
	}
}

// checkAttackChecker runs postfix-spam-check -d 5,5 -m 5 on one attacked
// log in every lock mode, text and JSON.
func checkAttackChecker(t *testing.T, file string, want map[string]attackCounts, now time.Time) {
	bin := checker(t, "postfix-spam-check")
	base := []string{"-l", file, "--now", nowArg(now), "-d", "5,5", "-m", "5"}
	spammerLine := fmt.Sprintf("%d (%d nets/%d unknowns/%d IPs/0 webmail) -- %s",
		want["spammer"].Count, want["spammer"].Nets, want["spammer"].Unknowns, want["spammer"].IPs, want["spammer"].FirstLine)
	for _, m := range lockModes {
		t.Run(m.name, func(t *testing.T) {
			st := newStubs(t)
			args := append(append(append([]string(nil), base...), m.args...), "--format=json")
			r := runEnv(t, st.env(), bin, args...)
			if r.code != 0 {
				t.Errorf("exit status %d, want 0; stderr:\n%s", r.code, r.stderr)
			}
			got := decodeGroups(t, r.stdout)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: counted users (-want +got):\n%s", strings.Join(args, " "), diff)
			}
			st.expectCalls(t, lockCalls(m.name, "spammer", spammerLine+" [DISABLED]"))

			st = newStubs(t)
			args = append(append([]string(nil), base...), m.args...)
			r = runEnv(t, st.env(), bin, args...)
			wantOut := "During the last 1 hour the following senders have made at least 5 SMTP connections.\n\n" +
				m.label + spammerLine + " [DISABLED]\n"
			if r.code != 0 || r.stdout != wantOut || r.stderr != "" {
				t.Errorf("%s: exit status %d, stdout (-want +got):\n%s\nstderr: %q", strings.Join(args, " "), r.code, cmp.Diff(wantOut, r.stdout), r.stderr)
			}
			st.expectCalls(t, lockCalls(m.name, "spammer", spammerLine+" [DISABLED]"))
		})
	}
}

// systemAccount returns a local account with a uid between 1 and 999 (a
// system account, protected by SPEC §2), the lowest there is.
func systemAccount(t *testing.T) string {
	t.Helper()
	best, bestUID := "", 1000
	for _, line := range strings.Split(readFile(t, "/etc/passwd"), "\n") {
		f := strings.Split(line, ":")
		if len(f) < 3 || !regexp.MustCompile(`^[a-z_][a-z0-9_-]*$`).MatchString(f[0]) {
			continue
		}
		if uid, err := strconv.Atoi(f[2]); err == nil && uid > 0 && uid < bestUID {
			best, bestUID = f[0], uid
		}
	}
	if best == "" {
		t.Fatal("/etc/passwd has no account with a uid between 1 and 999")
	}
	return best
}

// TestLoggerForgery is the attack SPEC §2's protected accounts answer: any
// local user can write a perfect smtpd line with logger(1). Run as nobody
// against a real rsyslogd, it forges twelve connections (seven networks,
// six unknown addresses) each for root, a system account and two ordinary
// names, boss and victim. postfix-spam-check -d 5,5 -m 5 reports all four
// but never locks root or the system account; it locks the ordinary names,
// the damage no parser can prevent, which --protect=boss, --dry-run and
// --max-disable limit.
func TestLoggerForgery(t *testing.T) {
	skipShort(t)
	t.Parallel()
	s := mtatest.StartSyslog(t)
	nobody, err := user.Lookup("nobody")
	if err != nil {
		mtatest.Missing(t, "no user nobody to run logger as: %v", err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	sys := systemAccount(t)
	users := []string{"root", sys, "boss", "victim"}

	ctx, cancel := context.WithTimeout(context.Background(), scenarioTimeout)
	defer cancel()
	n := 0
	for i := range forgedPerVector {
		for u, name := range users {
			host := fmt.Sprintf("h%d", i+1)
			if i >= 6 {
				host = "unknown"
			}
			tag := "postfix/smtpd"
			if i%2 == 1 {
				tag = "postfix/submission/smtpd"
			}
			msg := fmt.Sprintf("%010X: client=%s[10.8.%d.%d], sasl_method=PLAIN, sasl_username=%s", 0x3A1F002100+n, host, u+1, i+1, name)
			if err := mtatest.LoggerAs(ctx, uid, gid, s.Socket, tag, 4000+n, msg); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	forged := regexp.MustCompile(`^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\S+) \S+ postfix/(submission/)?smtpd\[\d+\]: [0-9A-F]{10}: client=(h\d|unknown)\[10\.8\.\d+\.\d+\], sasl_method=PLAIN, sasl_username=\S+$`)
	files := map[string]string{"traditional": s.Traditional, "rfc3339": s.RFC3339}
	for _, f := range files {
		mtatest.WaitForLog(t, f, 30*time.Second, func(c string) bool { return countLines(c, forged) >= n })
	}
	s.Stop()
	now := time.Now().Add(2 * time.Second)
	order := append([]string(nil), users...)
	sort.SliceStable(order, func(i, j int) bool { return sortNLess(order[i], order[j]) })
	bin := checker(t, "postfix-spam-check")

	for name, file := range files {
		t.Run(name, func(t *testing.T) {
			log := readFile(t, file)
			if got := countLines(log, forged); got != n {
				t.Fatalf("%d forged smtpd lines in the log, want %d:\n%s", got, n, log)
			}
			lines := map[string]string{}
			for _, u := range users {
				first := ""
				for _, l := range strings.Split(log, "\n") {
					if strings.HasSuffix(l, ", sasl_username="+u) {
						first = l
						break
					}
				}
				lines[u] = fmt.Sprintf("%d (7 nets/6 unknowns/%d IPs/0 webmail) -- %s", forgedPerVector, forgedPerVector, first)
			}
			// want is the expected outcome when the users in locked are
			// locked (in report order) by mode, and the others in
			// protected are refused.
			type outcome struct {
				stdout, stderr string
				calls          []call
			}
			want := func(mode, label string, locked, protected []string) outcome {
				var o outcome
				var out, errs strings.Builder
				out.WriteString("During the last 1 hour the following senders have made at least 5 SMTP connections.\n\n")
				for _, u := range order {
					switch {
					case slices.Contains(locked, u):
						out.WriteString(label + lines[u] + " [DISABLED]\n")
						o.calls = append(o.calls, lockCalls(mode, u, lines[u]+" [DISABLED]")...)
					case slices.Contains(protected, u):
						out.WriteString(lines[u] + "\n")
						errs.WriteString(u + ": [NOT DISABLED: protected account]\n")
					default:
						out.WriteString(lines[u] + "\n")
					}
				}
				o.stdout, o.stderr = out.String(), errs.String()
				return o
			}
			base := []string{"-l", file, "--now", nowArg(now), "-d", "5,5", "-m", "5"}
			// check runs the checker; the stderr lines in extraErr may come
			// in any place.
			check := func(t *testing.T, args []string, w outcome, extraErr ...string) {
				t.Helper()
				st := newStubs(t)
				args = append(append([]string(nil), base...), args...)
				r := runEnv(t, st.env(), bin, args...)
				cmdline := strings.Join(args, " ")
				if r.code != 0 {
					t.Errorf("%s: exit status %d, want 0", cmdline, r.code)
				}
				if diff := cmp.Diff(w.stdout, r.stdout); diff != "" {
					t.Errorf("%s: stdout (-want +got):\n%s", cmdline, diff)
				}
				gotErr := r.stderr
				for _, l := range extraErr {
					if before, after, ok := strings.Cut(gotErr, l+"\n"); ok {
						gotErr = before + after
					} else {
						t.Errorf("%s: stderr has no line %q", cmdline, l)
					}
				}
				if diff := cmp.Diff(w.stderr, gotErr); diff != "" {
					t.Errorf("%s: stderr (-want +got):\n%s", cmdline, diff)
				}
				st.expectCalls(t, w.calls)
			}
			builtin := []string{"root", sys}
			withBoss := []string{"root", sys, "boss"}
			for _, m := range lockModes {
				t.Run(m.name, func(t *testing.T) {
					check(t, m.args, want(m.name, m.label, []string{"boss", "victim"}, builtin))
				})
			}
			t.Run("protect", func(t *testing.T) {
				check(t, []string{"--protect=boss"}, want("local", lockModes[0].label, []string{"victim"}, withBoss))
			})
			t.Run("json", func(t *testing.T) {
				st := newStubs(t)
				r := runEnv(t, st.env(), bin, append(append([]string(nil), base...), "--protect=boss", "--format=json")...)
				if r.code != 0 {
					t.Errorf("exit status %d, want 0; stderr:\n%s", r.code, r.stderr)
				}
				got := decodeGroups(t, r.stdout)
				for _, u := range users {
					g := got[u]
					if g.Count != forgedPerVector || g.Nets != 7 || g.Unknowns != 6 || g.IPs != forgedPerVector || !g.Reported {
						t.Errorf("%s: %+v, want %d lines from 7 nets, 6 unknowns, %d IPs, reported", u, g, forgedPerVector, forgedPerVector)
					}
					if acted := g.Action == "disabled"; acted != (u == "victim") {
						t.Errorf("%s: action %q", u, g.Action)
					}
				}
				if len(got) != len(users) {
					t.Errorf("%d users counted, want %d: %+v", len(got), len(users), got)
				}
				st.expectCalls(t, lockCalls("local", "victim", lines["victim"]+" [DISABLED]"))
			})
			t.Run("dry-run", func(t *testing.T) {
				w := want("local", "LOCAL\n", []string{"victim"}, withBoss)
				w.calls = nil
				check(t, []string{"--protect=boss", "--dry-run"}, w)
			})
			t.Run("max-disable", func(t *testing.T) {
				// Protected users do not use up the limit: boss, first of
				// the eligible in report order, is locked, victim is not.
				check(t, []string{"--max-disable=1"}, want("local", lockModes[0].label, []string{"boss"}, builtin),
					"victim: [NOT DISABLED: limit 1 reached]")
			})
		})
	}
}

// TestPostlogForgery is the same forgery into Postfix's own maillog_file
// (Postfix ≥ 3.4): postlog(1) reaches postlogd only with group postdrop.
// Debian installs postlog without set-gid, so an ordinary local user
// cannot write there; a set-gid postlog (upstream's 3.7 install) lets
// every local user write a perfect smtpd line, which is counted like a
// real one and, for root, reported but never acted on.
func TestPostlogForgery(t *testing.T) {
	skipShort(t)
	t.Parallel()
	p := mtatest.StartPostfix(t, mtatest.PostfixOptions{Maillog: true})
	nobody, err := user.Lookup("nobody")
	if err != nil {
		mtatest.Missing(t, "no user nobody to run postlog as: %v", err)
	}
	postdrop, err := user.LookupGroup("postdrop")
	if err != nil {
		mtatest.Missing(t, "no group postdrop: %v", err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	pdGID, _ := strconv.Atoi(postdrop.Gid)
	fi, err := os.Stat("/usr/sbin/postlog")
	if err != nil {
		mtatest.Missing(t, "postfix: %v", err)
	}
	setgid := fi.Mode()&os.ModeSetgid != 0

	ctx, cancel := context.WithTimeout(context.Background(), scenarioTimeout)
	defer cancel()
	// As nobody: only a set-gid postlog gets through.
	plain := "0A1B2C3D4E: client=unknown[10.9.1.1], sasl_method=PLAIN, sasl_username=root"
	errPlain := p.PostlogAs(ctx, uid, gid, "postfix/smtpd", plain)
	// As nobody with group postdrop, as a set-gid postlog runs: 6 lines.
	var lines []string
	for i := range 6 {
		msg := fmt.Sprintf("0A1B2C3D5%X: client=unknown[10.9.2.%d], sasl_method=PLAIN, sasl_username=root", i, i+1)
		if err := p.PostlogAs(ctx, uid, pdGID, "postfix/smtpd", msg); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, msg)
	}
	mtatest.WaitForLog(t, p.MaillogFile, 10*time.Second, func(s string) bool { return strings.Contains(s, lines[5]) })
	p.Stop()
	log := readFile(t, p.MaillogFile)
	if got := strings.Contains(log, plain); got != setgid || (errPlain == nil) != setgid {
		t.Errorf("postlog run by nobody (postlog set-gid: %v): logged %v, error %v", setgid, got, errPlain)
	}
	first := lineWith(t, log, lines[0])
	if !regexp.MustCompile(`^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \S+ postfix/smtpd\[\d+\]: ` + regexp.QuoteMeta(lines[0]) + `$`).MatchString(first) {
		t.Errorf("the forged line is not a perfect smtpd line: %q", first)
	}

	st := newStubs(t)
	bin := checker(t, "postfix-spam-check")
	r := runEnv(t, st.env(), bin, "-l", p.MaillogFile, "--now", nowArg(time.Now().Add(2*time.Second)), "-m", "6", "-d", "0,0")
	want := "During the last 1 hour the following senders have made at least 6 SMTP connections.\n\n" +
		"6 (1 nets/6 unknowns/6 IPs/0 webmail) -- " + first + "\n"
	if setgid {
		want = strings.Replace(want, "6 (1 nets/6 unknowns/6 IPs", "7 (1 nets/7 unknowns/7 IPs", 1)
	}
	if r.code != 0 || r.stdout != want || r.stderr != "root: [NOT DISABLED: protected account]\n" {
		t.Errorf("exit status %d; stdout (-want +got):\n%s\nstderr: %q", r.code, cmp.Diff(want, r.stdout), r.stderr)
	}
	st.expectCalls(t, nil)
}
