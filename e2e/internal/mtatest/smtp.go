package mtatest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"time"
)

// Message is one SMTP transaction to drive into a server.
type Message struct {
	Server string // host:port
	Source string // local address to connect from (127.0.0.2 … ); "" = 127.0.0.1
	// Helo is the EHLO name. With NoHelo the client sends MAIL FROM
	// without any HELO/EHLO (Exim then logs H=[ip] or H=name [ip]).
	Helo   string
	NoHelo bool
	// Auth is "" (no AUTH), "PLAIN" or "LOGIN".
	Auth           string
	User, Password string
	From, To       string
	// MessageID (without <>) goes into a Message-Id header, so that the
	// arrival can be found in the log afterwards (Postfix: cleanup's
	// message-id=<…>; Exim: id=… on the <= line).
	MessageID string
	Subject   string
}

// Result is the outcome of Send.
type Result struct {
	// Accepted: the server took the message (250 after DATA). False when
	// it refused something on the way (authentication failed, recipient
	// rejected) — not an error.
	Accepted   bool
	Transcript string
}

// sendTimeout bounds one transaction.
const sendTimeout = 20 * time.Second

// Send runs one transaction, with swaks (a real SMTP client) unless NoHelo
// is set, which swaks cannot do; then a minimal client of this package
// talks SMTP itself. The error is for failures to run the transaction at
// all (no server, timeout).
func Send(ctx context.Context, m Message) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	if m.NoHelo {
		if m.Auth != "" {
			return Result{}, errors.New("mtatest: NoHelo with Auth is not supported")
		}
		return sendRaw(ctx, m)
	}
	return sendSwaks(ctx, m)
}

func sendSwaks(ctx context.Context, m Message) (Result, error) {
	src := m.Source
	if src == "" {
		src = "127.0.0.1"
	}
	args := []string{
		"--server", m.Server,
		"--local-interface", src,
		"--helo", m.Helo,
		"--from", m.From,
		"--to", m.To,
		"--timeout", "15s",
		"--header", "Subject: " + orDefault(m.Subject, "mtatest"),
	}
	if m.MessageID != "" {
		args = append(args, "--header", "Message-Id: <"+m.MessageID+">")
	}
	if m.Auth != "" {
		args = append(args, "--auth", m.Auth, "--auth-user", m.User, "--auth-password", m.Password)
	}
	cmd := exec.CommandContext(ctx, "swaks", args...)
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.CombinedOutput()
	r := Result{Transcript: string(out)}
	if err == nil {
		r.Accepted = true
		return r, nil
	}
	var ee *exec.ExitError
	if ctx.Err() == nil && errors.As(err, &ee) {
		// swaks: 2x = the server refused a step (23 MAIL, 24 RCPT,
		// 25 DATA, 28 AUTH …); other codes are failures to talk at all.
		if c := ee.ExitCode(); c >= 21 && c <= 29 {
			return r, nil
		}
	}
	return r, fmt.Errorf("swaks %s: %v\n%s", strings.Join(args, " "), err, out)
}

// sendRaw is a minimal SMTP client for what swaks cannot do.
func sendRaw(ctx context.Context, m Message) (Result, error) {
	var tr strings.Builder
	d := net.Dialer{Timeout: 10 * time.Second}
	if m.Source != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(m.Source)}
	}
	conn, err := d.DialContext(ctx, "tcp", m.Server)
	if err != nil {
		return Result{}, err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	rd := bufio.NewReader(conn)
	// expect reads one (multi-line) reply and reports whether its code
	// starts with want.
	expect := func(want byte) (bool, error) {
		for {
			line, err := rd.ReadString('\n')
			tr.WriteString("<- " + line)
			if err != nil {
				return false, err
			}
			if len(line) < 4 {
				return false, fmt.Errorf("short SMTP reply %q", line)
			}
			if line[3] != '-' {
				return line[0] == want, nil
			}
		}
	}
	send := func(s string) error {
		tr.WriteString("-> " + s)
		_, err := conn.Write([]byte(s))
		return err
	}
	step := func(cmd string, want byte) (bool, error) {
		if err := send(cmd); err != nil {
			return false, err
		}
		return expect(want)
	}
	fail := func(err error) (Result, error) {
		return Result{Transcript: tr.String()}, fmt.Errorf("%v\n%s", err, tr.String())
	}
	if ok, err := expect('2'); err != nil || !ok {
		return fail(fmt.Errorf("no greeting: %v", err))
	}
	for _, c := range []string{"MAIL FROM:<" + m.From + ">\r\n", "RCPT TO:<" + m.To + ">\r\n"} {
		ok, err := step(c, '2')
		if err != nil {
			return fail(err)
		}
		if !ok {
			_, _ = step("QUIT\r\n", '2')
			return Result{Transcript: tr.String()}, nil
		}
	}
	if ok, err := step("DATA\r\n", '3'); err != nil || !ok {
		return fail(fmt.Errorf("DATA refused: %v", err))
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n", m.From, m.To, orDefault(m.Subject, "mtatest"))
	if m.MessageID != "" {
		fmt.Fprintf(&msg, "Message-Id: <%s>\r\n", m.MessageID)
	}
	msg.WriteString("\r\nmtatest\r\n.\r\n")
	ok, err := step(msg.String(), '2')
	if err != nil {
		return fail(err)
	}
	_, _ = step("QUIT\r\n", '2')
	return Result{Accepted: ok, Transcript: tr.String()}, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// LocalMessage formats a small message for local submission (sendmail -t).
func LocalMessage(from, to, subject, messageID string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\nTo: %s\nSubject: %s\n", from, to, subject)
	if messageID != "" {
		fmt.Fprintf(&b, "Message-Id: <%s>\n", messageID)
	}
	b.WriteString("\nmtatest\n")
	return b.String()
}

// Talk connects to server from source (a loopback address; "" = 127.0.0.1),
// writes each of chunks as it is (so a test can send what no SMTP client
// would: non-SMTP commands, commands before the greeting), optionally
// waiting for the greeting first, and reads until the server closes the
// connection or ctx ends. It returns what the server said.
func Talk(ctx context.Context, server, source string, waitGreeting bool, chunks ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	d := net.Dialer{Timeout: 10 * time.Second}
	if source != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(source)}
	}
	conn, err := d.DialContext(ctx, "tcp", server)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	rd := bufio.NewReader(conn)
	var tr strings.Builder
	if waitGreeting {
		line, err := rd.ReadString('\n')
		tr.WriteString(line)
		if err != nil {
			return tr.String(), fmt.Errorf("no greeting: %v", err)
		}
	}
	for _, c := range chunks {
		if _, err := conn.Write([]byte(c)); err != nil {
			return tr.String(), err
		}
	}
	b, err := io.ReadAll(rd)
	tr.Write(b)
	if err != nil && ctx.Err() != nil {
		return tr.String(), fmt.Errorf("server did not close the connection: %v", err)
	}
	return tr.String(), nil
}
