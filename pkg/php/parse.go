// Package php implements php-spam-check and php-legacy-spam-check: they
// count the mails each PHP script sent, from PHP's own mail.log
// (php-spam-check) or from the lines the phpsendmail wrapper writes to the
// mail syslog (php-legacy-spam-check), and print the scripts that reached
// the threshold, one bare path per line, for file scanners to read.
package php

import "bytes"

// MailLogMarker is the byte string that begins the message of every
// record php-spam-check counts.
var MailLogMarker = []byte("mail() on [")

// LegacyMarker is the byte string every line php-legacy-spam-check counts
// contains (the text phpsendmail logs starts with it).
var LegacyMarker = []byte("sendmail-php url=")

var (
	toField       = []byte("]: To:")
	filenameField = []byte(", filename=")
	uidField      = []byte(", uid=")
)

// ParseMailLog returns the script a PHP mail.log record names: the FILE of
// the first "mail() on [FILE:LINE]: To:" in it, with the suffixes PHP adds
// to code compiled from a string removed (see StripEval). A record is one
// line, or several joined by '\n' when the script's path holds newlines;
// the scan (records) decides where records start.
//
// Whatever precedes "mail() on [" is ignored (PHP's "[date] " prefix, a
// syslog prefix when mail.log = syslog, or nothing: PHP < 5.5). The
// bracket ends at the first "]: To:" after its opening; what precedes that
// must be ":LINE" (one or more digits), and FILE is everything before the
// last ':' of the bracket, so FILE may itself hold ':', blanks, '(', ')' and
// '\”. Only this first bracket is looked at: everything after it (To,
// Headers, Subject) is free text a sender controls, and may well contain
// "mail() on [" or "]: To:". ok is false when the record has no such
// bracket, the bracket has no ":LINE", or FILE is empty. FILE may hold any
// byte, newlines included; it is printed escaped (textesc).
//
// The key is a slice of line: it is valid as long as line is, and costs
// no allocation.
func ParseMailLog(line []byte) (key []byte, ok bool) {
	i := bytes.Index(line, MailLogMarker)
	if i < 0 {
		return nil, false
	}
	end := bytes.Index(line[i+len(MailLogMarker):], toField)
	if end < 0 {
		return nil, false
	}
	return parseRecord(line, i, i+len(MailLogMarker)+end)
}

// parseRecord is ParseMailLog once the first "mail() on [" (at offset at)
// and the first "]: To:" after it (at offset end) are known.
func parseRecord(rec []byte, at, end int) (key []byte, ok bool) {
	bracket := rec[at+len(MailLogMarker) : end]
	colon := bytes.LastIndexByte(bracket, ':')
	if colon < 0 || !allDigits(bracket[colon+1:]) {
		return nil, false
	}
	file := bracket[:colon]
	if len(file) == 0 {
		return nil, false
	}
	return StripEval(file), true
}

// allDigits reports whether b is a non-empty run of ASCII digits.
func allDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// evalDescriptions are the descriptions the Zend engine gives code compiled
// from a string; the executed "file name" is then
// "OUTER(LINE) : DESCRIPTION" (Zend's "%s(%d) : %s").
var evalDescriptions = [][]byte{
	[]byte(" : eval()'d code"),
	[]byte(" : runtime-created function"),
	[]byte(" : regexp code"),
	[]byte(" : assert code"),
}

// StripEval returns the file that contains the code file names: it removes
// "(LINE) : eval()'d code" (and likewise "runtime-created function",
// "regexp code", "assert code") from the end of file, repeatedly, so a
// nested eval names its outermost file:
//
//	/x.php(12) : eval()'d code(3) : eval()'d code  →  /x.php
//
// A suffix is removed only when a non-empty name precedes "(LINE)", so the
// result is never empty when file is not. The result is a prefix of file.
func StripEval(file []byte) []byte {
	for {
		outer, ok := stripOne(file)
		if !ok {
			return file
		}
		file = outer
	}
}

// stripOne removes one "(LINE) : DESCRIPTION" suffix.
func stripOne(file []byte) ([]byte, bool) {
	// Every description ends in 'e' or 'n'; most keys end in "php".
	if n := len(file); n == 0 || file[n-1] != 'e' && file[n-1] != 'n' {
		return nil, false
	}
	for _, desc := range evalDescriptions {
		if !bytes.HasSuffix(file, desc) {
			continue
		}
		head := file[:len(file)-len(desc)]
		if len(head) == 0 || head[len(head)-1] != ')' {
			return nil, false
		}
		open := bytes.LastIndexByte(head, '(')
		if open <= 0 || !allDigits(head[open+1:len(head)-1]) {
			return nil, false
		}
		return head[:open], true
	}
	return nil, false
}

// DecodeFilename appends to dst the FILE a phpsendmail filename= value
// names: "%25" is read as '%' and "%2C" as ',', the two escapes
// phpsendmail writes there (SPEC §6); every other byte, a lone '%' or
// another "%XX" included, is kept as it is, so values logged by the old
// wrapper, which escaped nothing, read as before unless they held one of
// those two spellings.
func DecodeFilename(dst, v []byte) []byte {
	for {
		i := bytes.IndexByte(v, '%')
		if i < 0 || i+2 >= len(v) {
			return append(dst, v...)
		}
		dst = append(dst, v[:i]...)
		switch string(v[i+1 : i+3]) {
		case "25":
			dst = append(dst, '%')
			v = v[i+3:]
		case "2C":
			dst = append(dst, ',')
			v = v[i+3:]
		default:
			dst = append(dst, '%')
			v = v[i+1:]
		}
	}
}

// ParseLegacy returns the script a phpsendmail log line names: the value of
// "filename=" in
//
//	sendmail-php url=URL, client=IP, filename=FILE, uid=UID, user=USER, args=ARGS
//
// FILE is found by key, not by position: it lies between the first
// ", filename=" after "sendmail-php url=" and the next ", uid=", so it may
// hold blanks, and the syslog prefix before the message may have any shape.
// ok is false when the line is not such a line, FILE is empty (a mail sent
// from the command line or cron has no SCRIPT_FILENAME) or FILE holds a
// newline.
//
// The key is a slice of line and costs no allocation; it is the value as
// logged, which DecodeFilename turns into the script's name.
func ParseLegacy(line []byte) (key []byte, ok bool) {
	key, _, ok = parseLegacy(line)
	return key, ok
}

// LegacyUID returns the value of the "uid=" that ends the filename
// ParseLegacy finds (up to the next ',' or the end of the line), and
// whether there is one: what phpsendmail logged as its caller's real uid.
func LegacyUID(line []byte) (uid []byte, ok bool) {
	_, rest, ok := parseLegacy(line)
	if !ok {
		return nil, false
	}
	if i := bytes.IndexByte(rest, ','); i >= 0 {
		rest = rest[:i]
	}
	return rest, true
}

// parseLegacy is ParseLegacy, also returning what follows the ", uid=".
func parseLegacy(line []byte) (key, rest []byte, ok bool) {
	i := bytes.Index(line, LegacyMarker)
	if i < 0 {
		return nil, nil, false
	}
	rest = line[i+len(LegacyMarker):]
	j := bytes.Index(rest, filenameField)
	if j < 0 {
		return nil, nil, false
	}
	rest = rest[j+len(filenameField):]
	k := bytes.Index(rest, uidField)
	if k <= 0 {
		return nil, nil, false
	}
	file := rest[:k]
	if bytes.IndexByte(file, '\n') >= 0 {
		return nil, nil, false
	}
	return file, rest[k+len(uidField):], true
}
