// Package postfix implements postfix-spam-check: it counts the connections
// of SASL-authenticated Postfix users in a window and reports (and can
// lock) those over their threshold.
package postfix

import (
	"bytes"
	"sync"
	"time"

	"github.com/spam-gear/spamcheck/pkg/timestamp"
)

// Marker is a byte string every counted line contains; the scan skips lines
// without it before any parsing.
var Marker = []byte("sasl_username=")

var (
	clientField = []byte(": client=")
	userName    = []byte("sasl_username=")
	fieldSep    = []byte(", ")
	smtpdTag    = []byte("smtpd[")
	noQueue     = []byte("NOQUEUE")
)

// Conn is one authenticated connection: smtpd's queue-id line after a
// successful AUTH. The slices point into the parsed line.
type Conn struct {
	Host []byte // client host name as Postfix logged it, "unknown" when unverified
	IP   []byte // client address as logged (IPv4, IPv6 or "unknown")
	User []byte
}

// ParseLine extracts the connection from a Postfix log line: the line
// smtpd writes (smtpd.c, "%s: client=%s" and then ", sasl_method=%s",
// ", sasl_username=%s", ", sasl_sender=%s", ", orig_queue_id=%s",
// ", orig_client=%s", each only when set) when it creates the queue file
// of a message from a SASL-authenticated client:
//
//	[STAMP HOST [PREFIX/]smtpd[PID]: ]QUEUEID: client=HOST[IP][:PORT], NAME=VALUE, …, sasl_username=USER[, …]
//
// Every part is anchored, because the rest of a mail log carries text that
// strangers choose, with blanks and commas (a Message-ID in cleanup's
// "message-id=<…>", a quoted MAIL FROM in "NOQUEUE: reject: …", the login of
// a failed AUTH in "warning: …, sasl_username=…"):
//   - when the line starts with a timestamp (any shape pkg/timestamp reads),
//     one blank, HOST (no blanks), one blank and the syslog tag follow; the
//     tag is "smtpd[PID]:" or ends with "/smtpd[PID]:" (postfix/smtpd,
//     postfix/submission/smtpd, postfix-in/smtps/smtpd; not postfix/xsmtpd),
//     and then one blank and the message. A line without a timestamp is
//     taken to be a message alone (a log of messages without syslog
//     prefixes); Scan never counts it, since it has no time.
//   - the message starts with QUEUEID (letters and digits: Postfix's short
//     hex ids and the long ids of enable_long_queue_ids, never NOQUEUE)
//     directly followed by ": client=".
//   - HOST runs to the first '[' (not empty, no blank or comma), IP from
//     there to the next ']' (not empty, no blank); then ":PORT" when
//     smtpd_client_port_logging is on (digits, or "unknown"), then the end
//     of the line or ", ".
//   - the rest is ", "-separated NAME=VALUE fields; the first one named
//     sasl_username gives USER, which runs to the next ", " or the end of
//     the line (newer Postfix appends ", sasl_sender="). An empty USER is
//     not counted, nor is a line without the field.
//
// One trailing '\r' (a CRLF log) is ignored. The work is one pass over the
// line: every search starts where the previous one ended.
func ParseLine(line []byte) (Conn, bool) {
	line = trimCR(line)
	n, ok := stampLen(line)
	if !ok {
		return parseMessage(line)
	}
	return parseAfterStamp(line, n)
}

// ParseAfterStamp is ParseLine for a line whose timestamp is already known
// to occupy line[:n] (the n of timestamp.Parser.Parse), so that a caller
// that has parsed the time does not parse it again.
func ParseAfterStamp(line []byte, n int) (Conn, bool) {
	return parseAfterStamp(trimCR(line), n)
}

// parseAfterStamp reads " HOST TAG: MESSAGE" after a stamp of n bytes.
func parseAfterStamp(line []byte, n int) (Conn, bool) {
	if n <= 0 || n >= len(line) || line[n] != ' ' {
		return Conn{}, false
	}
	rest := line[n+1:]
	host := bytes.IndexByte(rest, ' ')
	if host <= 0 {
		return Conn{}, false
	}
	rest = rest[host+1:]
	tag := bytes.IndexByte(rest, ' ')
	if tag < 0 || !isSmtpdTag(rest[:tag]) {
		return Conn{}, false
	}
	return parseMessage(rest[tag+1:])
}

// isSmtpdTag reports whether tag is "smtpd[PID]:" or ends with
// "/smtpd[PID]:", PID being one or more digits.
func isSmtpdTag(tag []byte) bool {
	if len(tag) < len("smtpd[0]:") || tag[len(tag)-1] != ':' || tag[len(tag)-2] != ']' {
		return false
	}
	open := bytes.LastIndexByte(tag, '[')
	if open < 0 || open+1 == len(tag)-2 || !allDigits(tag[open+1:len(tag)-2]) {
		return false
	}
	start := open + 1 - len(smtpdTag)
	if start < 0 || !bytes.Equal(tag[start:open+1], smtpdTag) {
		return false
	}
	return start == 0 || tag[start-1] == '/'
}

// parseMessage reads "QUEUEID: client=HOST[IP][:PORT][, NAME=VALUE…]".
func parseMessage(msg []byte) (Conn, bool) {
	id := 0
	for id < len(msg) && isAlnum(msg[id]) {
		id++
	}
	if id == 0 || !bytes.HasPrefix(msg[id:], clientField) || bytes.Equal(msg[:id], noQueue) {
		return Conn{}, false
	}
	rest := msg[id+len(clientField):]
	// HOST, up to the first '[', holds no blank or comma (they are never
	// in a host name Postfix logs); IP, up to the next ']', no blank.
	// Each is one IndexByte (the line is read once more at most, never
	// rescanned), cheaper than a byte loop on the 20–60 bytes of a host.
	open := bytes.IndexByte(rest, '[')
	if open <= 0 || bytes.IndexByte(rest[:open], ' ') >= 0 || bytes.IndexByte(rest[:open], ',') >= 0 {
		return Conn{}, false
	}
	closing := bytes.IndexByte(rest[open+1:], ']')
	if closing <= 0 || bytes.IndexByte(rest[open+1:open+1+closing], ' ') >= 0 {
		return Conn{}, false
	}
	closing += open + 1
	c := Conn{Host: rest[:open], IP: rest[open+1 : closing]}
	rest = rest[closing+1:]
	if len(rest) > 0 && rest[0] == ':' {
		port := 1
		for port < len(rest) && isAlnum(rest[port]) {
			port++
		}
		if port == 1 {
			return Conn{}, false
		}
		rest = rest[port:]
	}
	// The fields: rest is empty or ", NAME=VALUE[, …]".
	for len(rest) > 0 {
		if !bytes.HasPrefix(rest, fieldSep) {
			return Conn{}, false
		}
		rest = rest[len(fieldSep):]
		end := indexSep(rest)
		field := rest[:end]
		if bytes.HasPrefix(field, userName) {
			c.User = field[len(userName):]
			if len(c.User) == 0 {
				return Conn{}, false
			}
			return c, true
		}
		if !isField(field) {
			return Conn{}, false
		}
		rest = rest[end:]
	}
	return Conn{}, false
}

// indexSep returns the index of the first ", " in b, or len(b).
func indexSep(b []byte) int {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], ',')
		if j < 0 {
			return len(b)
		}
		i += j + 1
		if i < len(b) && b[i] == ' ' {
			return i - 1
		}
	}
}

// isField reports whether field is NAME=VALUE with NAME made of lower-case
// letters and '_' (sasl_method, sasl_sender, orig_queue_id, orig_client).
func isField(field []byte) bool {
	i := 0
	for i < len(field) && ('a' <= field[i] && field[i] <= 'z' || field[i] == '_') {
		i++
	}
	return i > 0 && i < len(field) && field[i] == '='
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// trimCR removes one trailing '\r' (CRLF line ends).
func trimCR(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1]
	}
	return line
}

// stampParsers lend ParseLine a timestamp.Parser to find where a line's
// stamp ends (a Parser is not safe for concurrent use, and ParseLine may be
// called from several goroutines). The length of a stamp does not depend
// on the year inferred or the zone, so any now and zone will do.
var stampParsers = sync.Pool{New: func() any {
	return timestamp.NewParser(time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC), time.UTC)
}}

// stampLen returns the length of the timestamp that starts line.
func stampLen(line []byte) (int, bool) {
	if len(line) == 0 {
		return 0, false
	}
	p := stampParsers.Get().(*timestamp.Parser)
	_, n, ok := p.Parse(line)
	stampParsers.Put(p)
	return n, ok
}

// NetName is the old tool's "network name" of a client host:
// `sed 's/.*[0-9].//'`, i.e. the host with its longest prefix that ends in
// a digit followed by one more character removed
// (89-1-2-3.dyn.example.net → dyn.example.net, mailhost1 → mailhost1).
func NetName(host []byte) []byte {
	for i := len(host) - 2; i >= 0; i-- {
		if host[i] >= '0' && host[i] <= '9' {
			return host[i+2:]
		}
	}
	return host
}
