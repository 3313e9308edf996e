package e2e

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spam-gear/spamcheck/e2e/internal/mtatest"
)

// Exim scenario accounts.
var (
	eximUsers = []mtatest.User{
		{Name: "spammer", Password: "spam-pw"},
		{Name: "carol@e2e.test", Password: "carol-pw"},
	}
	eximLocalUsers = []string{"webshop", "blogger"}
)

// eximSend is one planned Exim transaction.
type eximSend struct {
	src        string
	helo       string
	noHelo     bool
	mech       string
	user, pass string
	to         string
	accept     bool
	localUser  string // local submission (exim -odi -t) by this user
	token      string

	// What exim-spam-check should count it as (accepted arrivals only):
	// the local-user key, the SMTP-sender key, the --auth key.
	localKey, smtpKey, authKey string
}

// eximPlan is the Exim traffic, in order. With MAX 5 (count > 5):
//   - local users: webshop 7 (reported), blogger 2, root 1;
//   - SMTP senders: HELO bulk.example 8 (reported; 7 unknown clients and
//     one with a verified name: H=name (helo) [ip]); HELO equal to the
//     verified name mail-4.net-b.example 3 (H=name [ip]); no HELO from the
//     unnamed 127.0.0.9 6 (reported, H=[ip]); no HELO from a named host 1
//     (H=name [ip]) and from one whose name does not verify 1 (H=[ip]);
//     HELO laptop 9 (reported: spammer's authenticated mail), carol-pc 4;
//   - authenticated (--auth): spammer 9 (reported), carol@e2e.test 4;
//   - 2 failed logins and one relay attempt (rejectlog), not arrivals.
func eximPlan() []eximSend {
	rcpt := "bob@" + mtatest.Domain
	var plan []eximSend
	bulkSrc := []string{"127.0.0.7", "127.0.0.8", "127.0.0.2", "127.0.0.10", "127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.9"}
	spamSrc := []string{"127.0.0.2", "127.0.0.3", "127.0.0.7", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.8", "127.0.0.10", "127.0.0.20"}
	for i := 0; i < 9; i++ {
		plan = append(plan, eximSend{src: spamSrc[i], helo: "laptop", mech: "PLAIN", user: "spammer", pass: "spam-pw",
			to: rcpt, accept: true, smtpKey: "laptop", authKey: "spammer"})
		if i < len(bulkSrc) {
			plan = append(plan, eximSend{src: bulkSrc[i], helo: "bulk.example", to: rcpt, accept: true, smtpKey: "bulk.example"})
		}
		if i < 7 {
			plan = append(plan, eximSend{localUser: "webshop", to: rcpt, accept: true, localKey: "webshop"})
		}
		if i < 6 {
			plan = append(plan, eximSend{src: "127.0.0.9", noHelo: true, to: rcpt, accept: true, smtpKey: "127.0.0.9"})
		}
		if i < 4 {
			plan = append(plan, eximSend{src: "127.0.0.20", helo: "carol-pc", mech: "LOGIN", user: "carol@e2e.test", pass: "carol-pw",
				to: rcpt, accept: true, smtpKey: "carol-pc", authKey: "carol@e2e.test"})
		}
		switch i {
		case 0, 4, 6:
			plan = append(plan, eximSend{src: "127.0.0.4", helo: "mail-4.net-b.example", to: rcpt, accept: true, smtpKey: "mail-4.net-b.example"})
		case 1, 5:
			plan = append(plan, eximSend{localUser: "blogger", to: rcpt, accept: true, localKey: "blogger"})
		case 2:
			plan = append(plan, eximSend{src: "127.0.0.5", noHelo: true, to: rcpt, accept: true, smtpKey: "5-0-0-127.pool.net-c.example"})
			plan = append(plan, eximSend{src: "127.0.0.11", helo: "laptop", mech: "PLAIN", user: "spammer", pass: "wrong", to: rcpt})
		case 3:
			plan = append(plan, eximSend{localUser: "root", to: rcpt, accept: true, localKey: "root"})
			plan = append(plan, eximSend{src: "127.0.0.13", helo: "bulk.example", to: "victim@elsewhere.example"})
		case 7:
			plan = append(plan, eximSend{src: "127.0.0.6", noHelo: true, to: rcpt, accept: true, smtpKey: "127.0.0.6"})
			plan = append(plan, eximSend{src: "127.0.0.12", helo: "laptop", mech: "PLAIN", user: "spammer", pass: "wrong", to: rcpt})
		}
	}
	for i := range plan {
		plan[i].token = fmt.Sprintf("ex-%02d@e2e.test", i+1)
	}
	return plan
}

func runEximPlan(t *testing.T, e *mtatest.Exim, plan []eximSend) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), scenarioTimeout)
	defer cancel()
	for _, s := range plan {
		if s.localUser != "" {
			msg := mtatest.LocalMessage(s.localUser+"@"+mtatest.Domain, s.to, "local", s.token)
			if err := e.SubmitLocal(ctx, s.localUser, msg); err != nil {
				t.Fatal(err)
			}
			continue
		}
		r, err := mtatest.Send(ctx, mtatest.Message{Server: e.Addr, Source: s.src, Helo: s.helo, NoHelo: s.noHelo, Auth: s.mech,
			User: s.user, Password: s.pass, From: "sender@" + mtatest.Domain, To: s.to, MessageID: s.token})
		if err != nil {
			t.Fatal(err)
		}
		if r.Accepted != s.accept {
			t.Fatalf("%s from %s: accepted=%v, planned %v\n%s", s.token, s.src, r.Accepted, s.accept, r.Transcript)
		}
	}
}

// waitEximDone waits until Exim's main log says every accepted message of
// plan is completed and the log has stopped growing; it returns how many
// messages that is.
func waitEximDone(t *testing.T, e *mtatest.Exim, plan []eximSend) int {
	t.Helper()
	accepted := 0
	for _, s := range plan {
		if s.accept {
			accepted++
		}
	}
	mtatest.WaitForLog(t, e.MainLog, 30*time.Second, func(s string) bool { return strings.Count(s, " Completed\n") >= accepted })
	mtatest.WaitQuiet(t, 300*time.Millisecond, 10*time.Second, e.MainLog)
	return accepted
}

// eximExpect computes the expected exim-spam-check output (SPEC §3) from
// the plan: keys with more than max arrivals, local users first, then SMTP
// senders, then (withAuth) authenticated senders, each group in byte order,
// with the first line of each key found in the log by its Message-Id.
func eximExpect(t *testing.T, plan []eximSend, log, header string, max int, withAuth bool) string {
	t.Helper()
	type agg struct {
		count int
		first string
	}
	group := func(key func(eximSend) string) []string {
		m := map[string]*agg{}
		for _, s := range plan {
			k := key(s)
			if !s.accept || k == "" {
				continue
			}
			if m[k] == nil {
				m[k] = &agg{first: s.token}
			}
			m[k].count++
		}
		var keys []string
		for k, a := range m {
			if a.count > max {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		var lines []string
		for _, k := range keys {
			lines = append(lines, fmt.Sprintf("%d -- %s", m[k].count, lineWith(t, log, " id="+m[k].first)))
		}
		return lines
	}
	lines := group(func(s eximSend) string { return s.localKey })
	lines = append(lines, group(func(s eximSend) string { return s.smtpKey })...)
	if withAuth {
		lines = append(lines, group(func(s eximSend) string { return s.authKey })...)
	}
	if len(lines) == 0 {
		return ""
	}
	return header + "\n" + strings.Join(lines, "\n") + "\n"
}

// expectEximRun runs exim-spam-check and compares its output with want.
// SPEC §3 does not say whether an empty line follows the header (postfix's
// report has one), so one empty line right after the header is tolerated.
func expectEximRun(t *testing.T, bin string, args []string, want string) {
	t.Helper()
	r := run(t, bin, args...)
	cmdline := "exim-spam-check " + strings.Join(args, " ")
	if r.code != 0 {
		t.Errorf("%s: exit status %d, want 0\nstderr: %s", cmdline, r.code, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("%s: unexpected stderr %q", cmdline, r.stderr)
	}
	got := r.stdout
	if head, rest, ok := strings.Cut(got, "\n"); ok && strings.HasPrefix(rest, "\n") {
		got = head + "\n" + rest[1:]
	}
	if got != want {
		t.Errorf("%s:\n got: %q\nwant: %q", cmdline, r.stdout, want)
	}
}

// TestExim runs the Exim scenario, checks the log itself, and runs
// exim-spam-check on it in both command-line forms.
func TestExim(t *testing.T) {
	skipShort(t)
	t.Parallel()
	start := time.Now()
	e := mtatest.StartExim(t, mtatest.EximOptions{Users: eximUsers, LocalUsers: eximLocalUsers, Hosts: hosts})
	plan := eximPlan()
	runEximPlan(t, e, plan)
	waitEximDone(t, e, plan)
	now := time.Now().Add(2 * time.Second)
	t.Logf("exim: started and scenario (%d transactions) done in %v", len(plan), time.Since(start).Round(time.Millisecond))
	e.Stop()
	mainlog := readFile(t, e.MainLog)

	t.Run("log", func(t *testing.T) {
		for _, tc := range []struct {
			re   string
			want int
		}{
			{`<= webshop@e2e\.test U=webshop P=local S=\d+ id=`, 7},
			{`<= blogger@e2e\.test U=blogger P=local `, 2},
			{`<= root@e2e\.test U=root P=local `, 1},
			{`<= sender@e2e\.test H=\S+ \(laptop\) \[127\.0\.0\.\d+\] P=esmtpa A=plain:spammer S=`, 5},
			{`<= sender@e2e\.test H=\(laptop\) \[127\.0\.0\.\d+\] P=esmtpa A=plain:spammer S=`, 4},
			{`<= sender@e2e\.test H=webmail\.e2e\.test \(carol-pc\) \[127\.0\.0\.20\] P=esmtpa A=login:carol@e2e\.test S=`, 4},
			{`<= sender@e2e\.test H=\(bulk\.example\) \[127\.0\.0\.\d+\] P=esmtp S=`, 7},
			{`<= sender@e2e\.test H=h2-2\.dyn\.net-a\.example \(bulk\.example\) \[127\.0\.0\.2\] P=esmtp S=`, 1},
			{`<= sender@e2e\.test H=mail-4\.net-b\.example \[127\.0\.0\.4\] P=esmtp S=`, 3},
			{`<= sender@e2e\.test H=\[127\.0\.0\.9\] P=smtp S=`, 6},
			{`<= sender@e2e\.test H=5-0-0-127\.pool\.net-c\.example \[127\.0\.0\.5\] P=smtp S=`, 1},
			{`<= sender@e2e\.test H=\[127\.0\.0\.6\] P=smtp S=`, 1},
			{`plain authenticator failed for \(laptop\) \[127\.0\.0\.1[12]\]: 535 Incorrect authentication data \(set_id=spammer\)`, 2},
			{`H=\(bulk\.example\) \[127\.0\.0\.13\] F=<sender@e2e\.test> rejected RCPT <victim@elsewhere\.example>: relay not permitted`, 1},
		} {
			if got := countLines(mainlog, regexp.MustCompile(tc.re)); got != tc.want {
				t.Errorf("%d lines match %s, want %d", got, tc.re, tc.want)
			}
		}
		if b := readFileOptional(e.PanicLog); b != "" {
			t.Errorf("paniclog is not empty:\n%s", b)
		}
	})

	names := eximNames()
	writeGolden(t, goldenEximMainlog, mainlog, names)
	writeGolden(t, goldenEximRejectlog, readFile(t, e.RejectLog), names)

	t.Run("checker", func(t *testing.T) {
		bin := checker(t, "exim-spam-check")
		at := nowArg(now)
		t.Run("positional", func(t *testing.T) {
			header := "During the last 3600 seconds the following senders have made at least 5 SMTP connections."
			expectEximRun(t, bin, []string{"-l", e.MainLog, "--now", at, "3600", "5"}, eximExpect(t, plan, mainlog, header, 5, false))
			header = "During the last 3600 seconds the following senders have made at least 7 SMTP connections."
			expectEximRun(t, bin, []string{"-l", e.MainLog, "--now", at, "3600", "7"}, eximExpect(t, plan, mainlog, header, 7, false))
		})
		t.Run("flags-auth", func(t *testing.T) {
			header := "During the last 1 hour the following senders have made at least 5 SMTP connections."
			expectEximRun(t, bin, []string{"-l", e.MainLog, "--now", at, "-p", "1hour", "-m", "5", "--auth"}, eximExpect(t, plan, mainlog, header, 5, true))
		})
		t.Run("window", func(t *testing.T) {
			expectEximRun(t, bin, []string{"-l", e.MainLog, "--now", nowArg(now.Add(2 * time.Hour)), "3600", "1"}, "")
		})
	})
}

// eximNames are the scenario's names, for shape extraction.
func eximNames() *strings.Replacer {
	kinds := map[string][]string{
		"USER":  {"spammer", "carol@e2e.test"},
		"LOCAL": append([]string{"root"}, eximLocalUsers...),
		"HELO":  {"laptop", "carol-pc", "bulk.example"},
	}
	for _, h := range hosts {
		kinds["NAME"] = append(kinds["NAME"], h.Name)
	}
	return nameReplacer(kinds)
}
