package php

import "bytes"

// maxRecord bounds a record that spans lines. PHP's own records span lines
// only through newlines in the script's path (PATH_MAX, 4096 bytes, on
// Linux), so a longer unfinished record is not one PHP wrote: it is
// dropped, and the reader cannot be made to hold more than this.
const maxRecord = 64 << 10

// recordKind is how a record's first line begins (SPEC §4).
type recordKind uint8

const (
	kindNone   recordKind = iota
	kindFile              // PHP's mail.log file: "mail() on [" at the start, or after "[date] "
	kindSyslog            // mail.log = syslog: after the syslog prefix "… HOST TAG: "
)

// records joins the lines of PHP's mail.log into records and hands each
// complete one to emit (SPEC §4 and §8):
//
//   - A record starts only where "mail() on [" begins the line's message:
//     at the start of the line, right after PHP's "[date] " prefix, or
//     right after a syslog prefix (the text up to the line's first ": ",
//     optionally followed by PHP's "[date] " as PHP < 7.1.2 wrote it).
//     Any other "mail() on [" is text a sender or a path put there.
//   - A line that begins with a blank or a tab continues the previous
//     record (PHP keeps the CRLF of a folded To: or Subject: when it is
//     followed by a blank); the key of that record is already settled, so
//     the line counts for nothing.
//   - While a record has no "]: To:" yet, its path held a newline, and
//     the next line continues it: the newline is part of FILE. PHP writes
//     a record to a file with one write, so in a file that is the next
//     line. With mail.log = syslog, PHP sends each line of the record as a
//     message of its own, other programs' lines may come between, and the
//     continuation is the next line from the same host and tag, appended
//     without its syslog prefix (PHP 8.2 tags "php:" with no pid, so the
//     lines of two PHP processes logging at the same instant can still
//     interleave); a blank-led line also continues it (journalctl indents
//     the lines of a message that holds newlines).
//
// These rules stop a stranger's text (a form's recipient or subject) and a
// path with a newline from starting a record, but not a path built of whole
// lines that each look like PHP's records ("a:1]: To: y<LF>mail() on
// [/home/victim/x.php" as directory names): nothing in the log tells those
// from PHP's own, whatever the rules. The first record of such a write
// names a directory of the forger's.
//
// One record is pending at a time; a pending record longer than maxRecord
// is dropped, as is one still unfinished at the end of the input.
type records struct {
	// emit receives each complete record, only valid during the call,
	// with the offset of its "mail() on [" and of its first "]: To:"
	// (see parseRecord).
	emit func(rec []byte, at, end int)
	// filtered means the reader delivers only the lines that contain
	// MailLogMarker (see Scan). That is exact as long as no record spans
	// lines; at the first unfinished record the scan stops emitting and
	// sets spans, and the caller reads the input again unfiltered.
	filtered, spans bool

	pending bool
	kind    recordKind
	pend    []byte // the pending record: its first line, then '\n' and each continuation
	at      int    // offset of "mail() on [" in pend
	ident   []byte // kindSyslog: "HOST TAG" of the first line
}

// line takes the next line of the log (without its '\n').
func (r *records) line(line []byte) {
	if r.spans {
		return
	}
	if r.pending && r.continued(line) {
		return
	}
	if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
		return
	}
	i, kind := fileStart(line)
	if kind == kindNone {
		i = bytes.Index(line, MailLogMarker)
		if i < 0 {
			return
		}
		if kind = startKind(line[:i]); kind == kindNone {
			return
		}
	}
	if end := bytes.Index(line[i+len(MailLogMarker):], toField); end >= 0 {
		r.emit(line, i, i+len(MailLogMarker)+end) // the common case: one line, not copied
		return
	}
	if len(line) > maxRecord {
		return
	}
	if r.filtered {
		r.spans = true
		return
	}
	r.pending, r.kind, r.at = true, kind, i
	r.pend = append(r.pend[:0], line...)
	if kind == kindSyslog {
		r.ident = append(r.ident[:0], syslogIdent(line[:bytes.Index(line, colonBlank)])...)
	}
}

// continued appends line to the pending record if it continues it, emits
// the record once it has its "]: To:", and reports whether line was used.
func (r *records) continued(line []byte) bool {
	text := line
	if r.kind == kindSyslog && (len(line) == 0 || line[0] != ' ' && line[0] != '\t') {
		j := bytes.Index(line, colonBlank)
		if j < 0 || !bytes.Equal(syslogIdent(line[:j]), r.ident) {
			return false // another program's line: the record waits
		}
		text = line[j+len(colonBlank):]
	}
	if len(r.pend)+1+len(text) > maxRecord {
		r.pending = false
		return true
	}
	r.pend = append(append(r.pend, '\n'), text...)
	if end := bytes.Index(text, toField); end >= 0 {
		r.pending = false
		r.emit(r.pend, r.at, len(r.pend)-len(text)+end)
	}
	return true
}

var colonBlank = []byte(": ")

// fileStart is the first "mail() on [" of line and kindFile when it
// begins line or follows a "[date] " prefix (the lines of PHP's own
// mail.log), found without searching the whole line; otherwise kindNone,
// and the caller searches. It agrees with searching: the marker holds no
// ']', so an earlier one would lie inside the date's brackets.
func fileStart(line []byte) (int, recordKind) {
	if bytes.HasPrefix(line, MailLogMarker) {
		return 0, kindFile
	}
	if len(line) == 0 || line[0] != '[' {
		return 0, kindNone
	}
	j := bytes.IndexByte(line, ']')
	if j < 1 || j+1 >= len(line) || line[j+1] != ' ' || !bytes.HasPrefix(line[j+2:], MailLogMarker) ||
		bytes.Contains(line[:j], MailLogMarker) {
		return 0, kindNone
	}
	return j + 2, kindFile
}

// startKind tells whether "mail() on [" right after prefix begins the
// line's message, and what kind of log the line is from.
func startKind(prefix []byte) recordKind {
	if len(prefix) == 0 || phpDate(prefix) {
		return kindFile
	}
	j := bytes.Index(prefix, colonBlank)
	if j < 0 {
		return kindNone
	}
	if rest := prefix[j+len(colonBlank):]; len(rest) == 0 || phpDate(rest) {
		return kindSyslog
	}
	return kindNone
}

// phpDate reports whether p is exactly PHP's "[date] " prefix: '[', text
// without ']', "] ".
func phpDate(p []byte) bool {
	n := len(p)
	return n >= 3 && p[0] == '[' && p[n-1] == ' ' && bytes.IndexByte(p, ']') == n-2
}

// syslogIdent returns "HOST TAG" from the part of a syslog line before its
// first ": " (the last two blank-separated words: a timestamp may hold
// blanks, a host name and a tag do not).
func syslogIdent(head []byte) []byte {
	t := bytes.LastIndexByte(head, ' ')
	if t <= 0 {
		return head
	}
	return head[bytes.LastIndexByte(head[:t], ' ')+1:]
}
