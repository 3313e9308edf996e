// Package postfix implements postfix-spam-check: it counts the connections
// of SASL-authenticated Postfix users in a window and reports (and can
// lock) those over their threshold.
package postfix

import "bytes"

// Marker is a byte string every counted line contains; the scan skips lines
// without it before any parsing.
var Marker = []byte("sasl_username=")

var (
	clientField = []byte("client=")
	userField   = []byte(", sasl_username=")
	fieldSep    = []byte(", ")
)

// Conn is one authenticated connection: smtpd's queue-id line after a
// successful AUTH. The slices point into the parsed line.
type Conn struct {
	Host []byte // client host name as Postfix logged it, "unknown" when unverified
	IP   []byte // client address as logged (IPv4, IPv6 or "unknown")
	User []byte
}

// ParseLine extracts the connection from a Postfix log line. It requires
// `client=HOST[IP]` at a word start (so not `orig_client=`) followed later
// by `, sasl_username=USER`; USER runs to the next ", " or the end of the
// line (newer Postfix appends `, sasl_sender=`). Failed-AUTH warnings carry
// sasl_username= but no client= and are rejected, as are empty users.
func ParseLine(line []byte) (Conn, bool) {
	rest := line
	var c Conn
	for {
		i := bytes.Index(rest, clientField)
		if i < 0 {
			return Conn{}, false
		}
		atWordStart := i == 0 && len(rest) == len(line) || i > 0 && rest[i-1] == ' '
		rest = rest[i+len(clientField):]
		if !atWordStart {
			continue
		}
		open := bytes.IndexByte(rest, '[')
		if open <= 0 || bytes.IndexByte(rest[:open], ' ') >= 0 || bytes.IndexByte(rest[:open], ',') >= 0 {
			continue
		}
		closing := bytes.IndexByte(rest[open:], ']')
		if closing < 0 {
			continue
		}
		c.Host = rest[:open]
		c.IP = rest[open+1 : open+closing]
		if len(c.IP) == 0 || bytes.IndexByte(c.IP, ' ') >= 0 {
			continue
		}
		rest = rest[open+closing+1:]
		break
	}
	u := bytes.Index(rest, userField)
	if u < 0 {
		return Conn{}, false
	}
	user := rest[u+len(userField):]
	if end := bytes.Index(user, fieldSep); end >= 0 {
		user = user[:end]
	}
	if len(user) == 0 {
		return Conn{}, false
	}
	c.User = user
	return c, true
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
