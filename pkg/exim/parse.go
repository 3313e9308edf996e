// Package exim implements exim-spam-check: it counts the messages Exim
// accepted in a window, per local user (U=), per SMTP sender (the HELO
// name, else the host name or address of H=) and, with --auth, per
// authenticated id (A=name:id), and reports those over their threshold.
package exim

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Marker is a byte string every arrival line contains; the scan skips lines
// without it before any parsing.
var Marker = []byte(" <= ")

// Host is the H= field of an arrival, `[NAME ][(HELO) ][ADDR][:PORT]`.
// Each part is nil when Exim did not log it; HELO is empty, not nil, for
// `()`.
type Host struct {
	Name []byte // verified host name
	HELO []byte // HELO/EHLO argument, without the parentheses
	Addr []byte // IP address, without the brackets
	Port []byte // with +incoming_port
}

// Arrival holds the fields of one Exim arrival (`<=`) line that the counts
// use. Every slice points into the parsed line; a field Exim did not log is
// nil, one it logged empty (`U= `) is empty but not nil.
type Arrival struct {
	Sender  []byte // envelope sender as logged: "<>" for bounces, quotes kept
	User    []byte // U=: the calling login (local) or the ident answer (SMTP)
	Proto   []byte // P=
	Auth    []byte // A=, the whole value: name[:id[:sender]]
	Host    Host   // H=, when HasHost
	HasHost bool
}

// LocalKey is the local user the line counts for: the U= value, nil when
// there is none or it is empty. A line with U= is local even when it also
// has H= (an ident answer from a web application talking SMTP).
func (a *Arrival) LocalKey() []byte {
	if len(a.User) == 0 {
		return nil
	}
	return a.User
}

// SMTPKey is the SMTP sender the line counts for, nil unless the line has
// H= and P= and no U=: the HELO name when Exim logged a non-empty one, else
// the host name, else the address.
func (a *Arrival) SMTPKey() []byte {
	if a.User != nil || a.Proto == nil || !a.HasHost {
		return nil
	}
	for _, k := range [...][]byte{a.Host.HELO, a.Host.Name, a.Host.Addr} {
		if len(k) > 0 {
			return k
		}
	}
	return nil
}

// AuthKey is the authenticated id the line counts for with --auth: the id
// in A=name:id (without a third ":sender" part), nil when the
// authenticator set no id.
func (a *Arrival) AuthKey() []byte {
	i := bytes.IndexByte(a.Auth, ':')
	if i < 0 {
		return nil
	}
	id := a.Auth[i+1:]
	if j := bytes.IndexByte(id, ':'); j >= 0 {
		id = id[:j]
	}
	if len(id) == 0 {
		return nil
	}
	return id
}

// ParseLine parses an Exim main-log line whose timestamp occupies
// line[:stamp] (the length timestamp.Parser.Parse returns; with
// log_selector +pid the " [pid]" that follows is skipped here). It reports
// false unless the line is an arrival, `STAMP [[pid] ]MSGID <= SENDER …`:
// delivery, reject and fake-reject (`(=`) lines are not.
//
// After SENDER (a quoted local part may hold blanks) the NAME=VALUE fields
// are read left to right: a quoted value (T="…", DN="…", with backslash
// escapes) is skipped whole, so text inside it never counts as a field;
// the words "from" and "for" end the fields; the first occurrence of each
// field counts. H= is read as `[NAME ][(HELO) ][ADDR][:PORT]`; its HELO
// ends at the first ") [". (With helo_accept_junk_hosts a client can put
// ") [" in its HELO itself; Exim's line is then ambiguous, and only the
// address in the last brackets could be trusted.)
//
// ParseLine does not allocate. Nothing after a '\n' is read.
//
// Every arrival a full scan reads goes through here, so the line is read
// once, left to right: a field's name is looked at byte by byte only as
// far as its '=', and the values of the fields that do not count are
// skipped with one bytes.IndexByte each.
func ParseLine(line []byte, stamp int) (a Arrival, ok bool) {
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if stamp < 0 || stamp > len(line) {
		return Arrival{}, false
	}
	i := senderStart(line, stamp)
	if i < 0 {
		return Arrival{}, false
	}
	end := senderEnd(line, i)
	a.Sender = line[i:end]
	a.fields(line, end)
	return a, true
}

// senderStart returns the index of SENDER in `STAMP [[pid] ]MSGID <= SENDER`,
// where line[:stamp] is the timestamp, or -1 when the line is not an
// arrival.
func senderStart(line []byte, stamp int) int {
	// Exim's own format: " MSGID <= " right after the stamp. (The
	// second word, "<=", is then no syslog tag and the first no "[pid]",
	// so the general case below would find the same.)
	if i := stamp + 1; i < len(line) && line[stamp] == ' ' {
		if j := idEnd(line, i); j > i && bytes.HasPrefix(line[j:], Marker) {
			return j + len(Marker)
		}
	}
	i := skipPID(line, skipSyslog(line, stamp))
	if i >= len(line) || line[i] != ' ' {
		return -1
	}
	i++
	j := idEnd(line, i)
	if j == i || !bytes.HasPrefix(line[j:], Marker) {
		return -1
	}
	return j + len(Marker)
}

// idEnd returns the index of the first byte at or after i that cannot be
// in a message id.
func idEnd(line []byte, i int) int {
	for i < len(line) && isIDByte(line[i]) {
		i++
	}
	return i
}

// fields reads the NAME=VALUE fields of line from i on into a.
func (a *Arrival) fields(line []byte, i int) {
	for i < len(line) {
		c := line[i]
		if c == ' ' {
			i++
			continue
		}
		if !isLetter(c) {
			i = wordEnd(line, i) // no field name: a flag or stray text
			continue
		}
		j := i + 1
		for j < len(line) && isNameByte(line[j]) {
			j++
		}
		if j == len(line) || line[j] != '=' {
			if w := line[i:j]; (j == len(line) || line[j] == ' ') && (string(w) == "from" || string(w) == "for") {
				return
			}
			i = wordEnd(line, j) // a flag such as L., K, PRDR, or stray text
			continue
		}
		v := j + 1
		if j-i == 1 {
			switch c {
			case 'H':
				h, n := parseHost(line[v:])
				if !a.HasHost {
					a.Host, a.HasHost = h, true
				}
				i = v + n
				continue
			case 'U':
				i = valueEnd(line, v)
				if a.User == nil {
					a.User = line[v:i]
				}
				continue
			case 'P':
				i = valueEnd(line, v)
				if a.Proto == nil {
					a.Proto = line[v:i]
				}
				continue
			case 'A':
				i = valueEnd(line, v)
				if a.Auth == nil {
					a.Auth = line[v:i]
				}
				continue
			}
		}
		i = valueEnd(line, v)
	}
}

// valueEnd returns the end of the field value that starts at line[v]: the
// next blank, or for a quoted value the blank after its closing quote.
func valueEnd(line []byte, v int) int {
	if v < len(line) && line[v] == '"' {
		return quotedEnd(line, v)
	}
	return wordEnd(line, v)
}

// skipPID returns the index after a " [digits]" at line[i:], or i.
// skipSyslog steps over what syslog puts between its timestamp and Exim's
// message when Exim logs through syslog (log_file_path = syslog):
// " HOST exim[PID]:" and, unless syslog_timestamp = false, Exim's own
// " 2006-01-02 15:04:05[.mmm][ +hhmm]" (the window uses syslog's stamp).
// It returns i unchanged for a line in Exim's own format, whose second
// word is the message id. Lines Exim split at 870 bytes ("[1/2] …") are
// not arrivals.
func skipSyslog(line []byte, i int) int {
	if i >= len(line) || line[i] != ' ' {
		return i
	}
	host := wordEnd(line, i+1)
	if host == i+1 || host >= len(line) {
		return i
	}
	tag := host + 1
	tagEnd := wordEnd(line, tag)
	if !bytes.HasPrefix(line[tag:tagEnd], syslogIdent) || line[tagEnd-1] != ':' {
		return i
	}
	return tagEnd + eximStamp(line[tagEnd:])
}

var syslogIdent = []byte("exim")

// eximStamp returns the length of " 2006-01-02 15:04:05[.mmm][ +hhmm]" at
// the start of b, or 0.
func eximStamp(b []byte) int {
	const shape = " dddd-dd-dd dd:dd:dd"
	if len(b) < len(shape) {
		return 0
	}
	for k := 0; k < len(shape); k++ {
		if shape[k] == 'd' && !isDigit(b[k]) || shape[k] != 'd' && b[k] != shape[k] {
			return 0
		}
	}
	n := len(shape)
	if n+1 < len(b) && b[n] == '.' && isDigit(b[n+1]) {
		n += 2
		for n < len(b) && isDigit(b[n]) {
			n++
		}
	}
	if n+6 <= len(b) && b[n] == ' ' && (b[n+1] == '+' || b[n+1] == '-') &&
		isDigit(b[n+2]) && isDigit(b[n+3]) && isDigit(b[n+4]) && isDigit(b[n+5]) &&
		(n+6 == len(b) || b[n+6] == ' ') {
		n += 6
	}
	return n
}

func skipPID(line []byte, i int) int {
	if i+1 >= len(line) || line[i] != ' ' || line[i+1] != '[' {
		return i
	}
	j := i + 2
	for j < len(line) && isDigit(line[j]) {
		j++
	}
	if j == i+2 || j >= len(line) || line[j] != ']' {
		return i
	}
	return j + 1
}

// senderEnd returns the end of the sender address that starts at line[i]:
// the first blank outside double quotes. An address whose quotes do not
// close ends at its first blank, so that one stray quote cannot hide the
// fields.
func senderEnd(line []byte, i int) int {
	end := wordEnd(line, i)
	if bytes.IndexByte(line[i:end], '"') < 0 {
		return end // the common case: no quotes at all
	}
	return quotedSenderEnd(line, i)
}

// quotedSenderEnd is senderEnd for an address with a '"' in its first word.
func quotedSenderEnd(line []byte, i int) int {
	quoted := false
	for j := i; j < len(line); j++ {
		switch c := line[j]; {
		case quoted && c == '\\':
			j++
		case c == '"':
			quoted = !quoted
		case c == ' ' && !quoted:
			return j
		}
	}
	if quoted {
		return wordEnd(line, i)
	}
	return len(line)
}

// quotedEnd returns the end of the quoted value that starts with the '"'
// at line[i]: just after its closing quote and whatever follows it up to
// the next blank. An unclosed quote runs to the end of the line.
func quotedEnd(line []byte, i int) int {
	for j := i + 1; j < len(line); j++ {
		switch line[j] {
		case '\\':
			j++
		case '"':
			return wordEnd(line, j+1)
		}
	}
	return len(line)
}

// parseHost reads an H= value at the start of s and returns it with the
// number of bytes it takes.
func parseHost(s []byte) (h Host, n int) {
	i := 0
	if i < len(s) && s[i] != '(' && s[i] != '[' {
		i = wordEnd(s, 0)
		h.Name = s[:i]
		if i+1 >= len(s) || s[i] != ' ' || (s[i+1] != '(' && s[i+1] != '[') {
			return h, i
		}
		i++
	}
	if i < len(s) && s[i] == '(' {
		// The HELO ends at the first ") [", else at the first ')'.
		first := -1
		for j := i + 1; ; {
			k := bytes.IndexByte(s[j:], ')')
			if k < 0 {
				break
			}
			k += j
			if first < 0 {
				first = k
			}
			if k+2 < len(s) && s[k+1] == ' ' && s[k+2] == '[' {
				h.HELO = s[i+1 : k]
				i, first = k+2, -2
				break
			}
			j = k + 1
		}
		switch first {
		case -1:
			return h, i
		case -2:
		default:
			h.HELO = s[i+1 : first]
			return h, first + 1
		}
	}
	if i < len(s) && s[i] == '[' {
		k := bytes.IndexByte(s[i:], ']')
		if k < 0 {
			return h, i
		}
		h.Addr = s[i+1 : i+k]
		i += k + 1
		if i < len(s) && s[i] == ':' {
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			if j > i+1 {
				h.Port = s[i+1 : j]
				i = j
			}
		}
	}
	return h, i
}

// wordEnd returns the index of the first blank at or after i, or len(b).
//
// Words and field values are mostly shorter than 32 bytes, where the call
// and set-up of bytes.IndexByte cost more than the search: wordEnd tests
// eight bytes at a time in a register instead.
func wordEnd(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if m := zeroBytes(binary.LittleEndian.Uint64(b[i:]) ^ blanks); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if b[i] == ' ' {
			return i
		}
	}
	return len(b)
}

const (
	blanks = 0x2020202020202020 // ' ' in every byte
	lsbs   = 0x0101010101010101
	msbs   = 0x8080808080808080
)

// zeroBytes returns x with the high bit of its lowest zero byte set, and
// no bit below it; 0 when x has no zero byte. (Bytes above the first zero
// one may be marked wrongly: only the lowest mark counts.)
func zeroBytes(x uint64) uint64 { return (x - lsbs) &^ x & msbs }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// isIDByte reports whether c may appear in an Exim message id (base-62
// digits and '-': 1j5IF1-0006A7-Ub, 10HmaX-000000005vi-0000).
func isIDByte(c byte) bool { return isDigit(c) || isLetter(c) || c == '-' }

// isNameByte reports whether c may follow the letter that starts the name
// of an Exim log field (U, P, M8S, id*).
func isNameByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '*' }
