package exim

import "bytes"

// The parser as it was before the one-pass rewrite, kept verbatim (names
// prefixed "old") as the oracle FuzzParseLineOracle compares ParseLine
// with. Do not change it: it is the definition ParseLine must keep.

// oldParseLine parses an Exim main-log line whose timestamp occupies
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
// oldParseLine does not allocate. Nothing after a '\n' is read.
func oldParseLine(line []byte, stamp int) (a Arrival, ok bool) {
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if stamp < 0 || stamp > len(line) {
		return Arrival{}, false
	}
	i := oldSkipPID(line, oldSkipSyslog(line, stamp))
	// " MSGID <= "
	if i >= len(line) || line[i] != ' ' {
		return Arrival{}, false
	}
	i++
	j := i
	for j < len(line) && oldIsIDByte(line[j]) {
		j++
	}
	if j == i || !bytes.HasPrefix(line[j:], Marker) {
		return Arrival{}, false
	}
	i = j + len(Marker)

	end := oldSenderEnd(line, i)
	a.Sender = line[i:end]
	i = end
	for i < len(line) {
		if line[i] == ' ' {
			i++
			continue
		}
		end := oldWordEnd(line, i)
		word := line[i:end]
		if string(word) == "from" || string(word) == "for" {
			break
		}
		eq := bytes.IndexByte(word, '=')
		if eq <= 0 || !oldIsFieldName(word[:eq]) {
			i = end // a flag such as L., K, PRDR, or stray text
			continue
		}
		name, v := word[:eq], i+eq+1
		switch {
		case string(name) == "H":
			h, n := oldParseHost(line[v:])
			if !a.HasHost {
				a.Host, a.HasHost = h, true
			}
			i = v + n
			continue
		case v < len(line) && line[v] == '"':
			end = oldQuotedEnd(line, v)
		}
		value := line[v:end]
		switch string(name) {
		case "U":
			if a.User == nil {
				a.User = value
			}
		case "P":
			if a.Proto == nil {
				a.Proto = value
			}
		case "A":
			if a.Auth == nil {
				a.Auth = value
			}
		}
		i = end
	}
	return a, true
}

// oldSkipPID returns the index after a " [digits]" at line[i:], or i.
// oldSkipSyslog steps over what syslog puts between its timestamp and Exim's
// message when Exim logs through syslog (log_file_path = syslog):
// " HOST exim[PID]:" and, unless syslog_timestamp = false, Exim's own
// " 2006-01-02 15:04:05[.mmm][ +hhmm]" (the window uses syslog's stamp).
// It returns i unchanged for a line in Exim's own format, whose second
// word is the message id. Lines Exim split at 870 bytes ("[1/2] …") are
// not arrivals.
func oldSkipSyslog(line []byte, i int) int {
	if i >= len(line) || line[i] != ' ' {
		return i
	}
	host := oldWordEnd(line, i+1)
	if host == i+1 || host >= len(line) {
		return i
	}
	tag := host + 1
	tagEnd := oldWordEnd(line, tag)
	if !bytes.HasPrefix(line[tag:tagEnd], oldSyslogIdent) || line[tagEnd-1] != ':' {
		return i
	}
	return tagEnd + oldEximStamp(line[tagEnd:])
}

var oldSyslogIdent = []byte("exim")

// oldEximStamp returns the length of " 2006-01-02 15:04:05[.mmm][ +hhmm]" at
// the start of b, or 0.
func oldEximStamp(b []byte) int {
	const shape = " dddd-dd-dd dd:dd:dd"
	if len(b) < len(shape) {
		return 0
	}
	for k := 0; k < len(shape); k++ {
		if shape[k] == 'd' && !oldIsDigit(b[k]) || shape[k] != 'd' && b[k] != shape[k] {
			return 0
		}
	}
	n := len(shape)
	if n+1 < len(b) && b[n] == '.' && oldIsDigit(b[n+1]) {
		n += 2
		for n < len(b) && oldIsDigit(b[n]) {
			n++
		}
	}
	if n+6 <= len(b) && b[n] == ' ' && (b[n+1] == '+' || b[n+1] == '-') &&
		oldIsDigit(b[n+2]) && oldIsDigit(b[n+3]) && oldIsDigit(b[n+4]) && oldIsDigit(b[n+5]) &&
		(n+6 == len(b) || b[n+6] == ' ') {
		n += 6
	}
	return n
}

func oldSkipPID(line []byte, i int) int {
	if i+1 >= len(line) || line[i] != ' ' || line[i+1] != '[' {
		return i
	}
	j := i + 2
	for j < len(line) && oldIsDigit(line[j]) {
		j++
	}
	if j == i+2 || j >= len(line) || line[j] != ']' {
		return i
	}
	return j + 1
}

// oldSenderEnd returns the end of the sender address that starts at line[i]:
// the first blank outside double quotes. An address whose quotes do not
// close ends at its first blank, so that one stray quote cannot hide the
// fields.
func oldSenderEnd(line []byte, i int) int {
	end := oldWordEnd(line, i)
	if bytes.IndexByte(line[i:end], '"') < 0 {
		return end // the common case: no quotes at all
	}
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
		return end
	}
	return len(line)
}

// oldQuotedEnd returns the end of the quoted value that starts with the '"'
// at line[i]: just after its closing quote and whatever follows it up to
// the next blank. An unclosed quote runs to the end of the line.
func oldQuotedEnd(line []byte, i int) int {
	for j := i + 1; j < len(line); j++ {
		switch line[j] {
		case '\\':
			j++
		case '"':
			return oldWordEnd(line, j+1)
		}
	}
	return len(line)
}

// oldParseHost reads an H= value at the start of s and returns it with the
// number of bytes it takes.
func oldParseHost(s []byte) (h Host, n int) {
	i := 0
	if i < len(s) && s[i] != '(' && s[i] != '[' {
		i = oldWordEnd(s, 0)
		h.Name = s[:i]
		if i+1 >= len(s) || s[i] != ' ' || (s[i+1] != '(' && s[i+1] != '[') {
			return h, i
		}
		i++
	}
	if i < len(s) && s[i] == '(' {
		if k := bytes.Index(s[i:], []byte(") [")); k >= 0 {
			h.HELO = s[i+1 : i+k]
			i += k + 2
		} else if k := bytes.IndexByte(s[i:], ')'); k >= 0 {
			h.HELO = s[i+1 : i+k]
			return h, i + k + 1
		} else {
			return h, i
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
			for j < len(s) && oldIsDigit(s[j]) {
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

// oldWordEnd returns the index of the first blank at or after i, or len(b).
func oldWordEnd(b []byte, i int) int {
	if k := bytes.IndexByte(b[i:], ' '); k >= 0 {
		return i + k
	}
	return len(b)
}

func oldIsDigit(c byte) bool { return '0' <= c && c <= '9' }

func oldIsLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// oldIsIDByte reports whether c may appear in an Exim message id (base-62
// digits and '-': 1j5IF1-0006A7-Ub, 10HmaX-000000005vi-0000).
func oldIsIDByte(c byte) bool { return oldIsDigit(c) || oldIsLetter(c) || c == '-' }

// oldIsFieldName reports whether b is the name of an Exim log field: a letter,
// then letters, digits or '*' (U, P, M8S, id*).
func oldIsFieldName(b []byte) bool {
	if !oldIsLetter(b[0]) {
		return false
	}
	for _, c := range b[1:] {
		if !oldIsLetter(c) && !oldIsDigit(c) && c != '*' {
			return false
		}
	}
	return true
}
