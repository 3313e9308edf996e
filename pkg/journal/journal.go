// Package journal reads mail log entries from the systemd journal, through
// the real journalctl, for the checkers that read syslog lines.
//
// journalctl does the work that must match systemd exactly: it opens the
// journal files (the local journal, or a directory of them such as the
// collector's /var/log/journal/remote), seeks to the window start with
// --since, and writes the entries in its export format (-o export), which
// is binary safe by construction: a field whose value holds a newline or
// other non-text bytes is written as its name, a 64-bit little-endian
// length and the raw bytes, where the JSON output would write an array of
// numbers, four bytes of text per byte. Entries are parsed as they stream
// in: memory is bounded by the largest field kept (MaxField; a larger one
// is skipped, with one warning), never by the size of the journal.
//
// Each entry carries the fields journald itself records and no client can
// set (_COMM, _UID, _PID, _HOSTNAME), which the checkers' trust rules use,
// and the line journalctl -o short would print for it (ShortLine), which
// goes through the same parsers as a mail.log line and is what a report
// shows.
package journal

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxField is the largest field value an entry may carry (the 64 MiB line
// cap of pkg/logread); an entry with a larger field is skipped.
const MaxField = 64 << 20

// Source describes what one Scan reads.
type Source struct {
	// Dir is --journal-dir: read the journal files in Dir (journalctl
	// --directory). Empty: the local journal.
	Dir string
	// Since is the window start; journalctl is asked for the entries from
	// Since−Slack on. Zero reads the whole journal.
	Since time.Time
	Slack time.Duration
	// Matches are journalctl match arguments (FIELD=VALUE), ANDed for
	// different fields.
	Matches []string
	// Marker, when not empty, restricts delivery to the entries whose
	// MESSAGE contains it.
	Marker []byte
	// Command is the journalctl program and any arguments before the
	// ones Scan adds; nil means "journalctl" from PATH.
	Command []string
	// Warn receives warnings (a field over MaxField); nil discards them.
	Warn io.Writer
	// maxField overrides MaxField (tests).
	maxField int
}

// Name describes src for messages and the JSON "logs" list: "journal" or
// "journal:DIR".
func (src *Source) Name() string {
	if src.Dir != "" {
		return "journal:" + src.Dir
	}
	return "journal"
}

// Args returns journalctl's arguments for src, without the program.
func (src *Source) Args() []string {
	// Every field is printed: asking for fewer (--output-fields) made
	// journalctl slower, 6.7 s against 4.3 s for a million entries.
	args := []string{"--no-pager", "--quiet", "--output=export"}
	if src.Dir != "" {
		args = append(args, "--directory="+src.Dir)
	}
	if !src.Since.IsZero() {
		// journalctl's --since takes @SECONDS; rounding down reads at
		// most one more second.
		since := src.Since.Add(-max(src.Slack, 0))
		args = append(args, "--since=@"+strconv.FormatInt(floorUnix(since), 10))
	}
	// "--" keeps a match that starts with '-' from being read as an option.
	if len(src.Matches) > 0 {
		args = append(args, "--")
		args = append(args, src.Matches...)
	}
	return args
}

func floorUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() < 0 {
		s--
	}
	return s
}

// Entry is one journal entry, with the fields Scan keeps. The slices are
// only valid during the callback.
type Entry struct {
	// Time is when the entry was written: _SOURCE_REALTIME_TIMESTAMP when
	// valid, else __REALTIME_TIMESTAMP, the time journalctl -o short shows.
	Time time.Time
	// Message is MESSAGE up to its first newline: the rest of a
	// multi-line message is what a text log would hold as continuation
	// lines without a timestamp, which no checker counts.
	Message []byte
	// Comm, UID, PID and Hostname are journald's trusted fields; Has*
	// tells an absent field from an empty one.
	Comm, UID, PID, Hostname []byte
	HasComm, HasUID          bool
	// Exe is _EXE, the sender's executable as journald resolved it.
	Exe []byte
	// Identifier and SyslogPID are what the client said (SYSLOG_*).
	Identifier, SyslogPID []byte

	fields [nFields]field
}

// ShortLine appends to buf the line journalctl -o short prints for e:
// "Mmm dd hh:mm:ss HOST IDENT[PID]: MESSAGE", the time in loc. As there,
// HOST is _HOSTNAME; IDENT is SYSLOG_IDENTIFIER, else _COMM, else
// "unknown"; PID is _PID, else SYSLOG_PID, and "[PID]" is left out when
// neither is set; a host, identifier or pid that is not printable UTF-8 or
// is 128 bytes or more is left out (shall_print in systemd's
// logs-show.c). The message is kept as it is, bytes included (journalctl
// would print "[N blob data]" for a binary one): a report shows the bytes
// that were logged, as it does for a file.
func (e *Entry) ShortLine(buf []byte, loc *time.Location) []byte {
	buf = e.Time.In(loc).AppendFormat(buf, "Jan 02 15:04:05")
	if printable(e.Hostname) {
		buf = append(append(buf, ' '), e.Hostname...)
	}
	switch {
	case printable(e.Identifier):
		buf = append(append(buf, ' '), e.Identifier...)
	case printable(e.Comm):
		buf = append(append(buf, ' '), e.Comm...)
	default:
		buf = append(buf, " unknown"...)
	}
	switch {
	case printable(e.PID):
		buf = append(append(append(buf, '['), e.PID...), ']')
	case printable(e.SyslogPID):
		buf = append(append(append(buf, '['), e.SyslogPID...), ']')
	}
	buf = append(buf, ": "...)
	return append(buf, e.Message...)
}

// printThreshold is logs-show.c's PRINT_THRESHOLD: longer fields are not
// shown in the short formats.
const printThreshold = 128

// printable is shall_print without --all: set, shorter than
// printThreshold, valid UTF-8 without control characters (tab and newline
// allowed, as utf8_is_printable allows them).
func printable(b []byte) bool {
	if len(b) == 0 || len(b) >= printThreshold || !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r < ' ' && r != '\t' && r != '\n' || r == 0x7f || 0x80 <= r && r < 0xa0 {
			return false
		}
	}
	return true
}

// The fields kept, by index in Entry.fields.
const (
	fMessage = iota
	fComm
	fUID
	fPID
	fHostname
	fExe
	fIdentifier
	fSyslogPID
	fSourceRealtime
	fRealtime
	nFields
)

var fieldIndex = map[string]int{
	"MESSAGE": fMessage, "_COMM": fComm, "_UID": fUID, "_PID": fPID, "_HOSTNAME": fHostname, "_EXE": fExe,
	"SYSLOG_IDENTIFIER": fIdentifier, "SYSLOG_PID": fSyslogPID,
	"_SOURCE_REALTIME_TIMESTAMP": fSourceRealtime, "__REALTIME_TIMESTAMP": fRealtime,
}

// field is one kept value; buf is reused from entry to entry.
type field struct {
	buf []byte
	set bool
}

// Scan runs journalctl for src and calls fn for every entry that has a
// timestamp and a MESSAGE containing src.Marker, in journal order. An error
// names journalctl and carries what it said on stderr; entries read before
// it were delivered.
func Scan(src Source, fn func(e *Entry)) error {
	command := src.Command
	if len(command) == 0 {
		command = []string{"journalctl"}
	}
	cmd := exec.Command(command[0], append(command[1:len(command):len(command)], src.Args()...)...)
	var stderr limitedBuffer
	stderr.limit = 4 << 10
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("%s: %w", src.Name(), err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", src.Name(), err)
	}
	readErr := Read(out, &src, fn)
	if readErr != nil {
		// Stop journalctl rather than wait for it to write into a pipe
		// nobody reads.
		cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	switch {
	case readErr != nil:
		return fmt.Errorf("%s: reading journalctl's output: %w", src.Name(), readErr)
	case waitErr != nil:
		msg := strings.ReplaceAll(strings.TrimSpace(stderr.String()), "\n", "; ")
		if msg != "" {
			return fmt.Errorf("%s: %s %s: %v: %s", src.Name(), command[0], strings.Join(src.Args(), " "), waitErr, msg)
		}
		return fmt.Errorf("%s: %s %s: %v", src.Name(), command[0], strings.Join(src.Args(), " "), waitErr)
	}
	return nil
}

// limitedBuffer keeps the first limit bytes written to it.
type limitedBuffer struct {
	bytes.Buffer
	limit int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// Read parses journal export format from r (what journalctl -o export
// writes) and calls fn as Scan does. Malformed input is an error: it means
// journalctl and this reader disagree, and a silently wrong count must not
// follow.
func Read(r io.Reader, src *Source, fn func(e *Entry)) error {
	p := parser{
		r:        newReader(r, 1<<20),
		src:      src,
		maxField: src.maxField,
	}
	if p.maxField <= 0 {
		p.maxField = MaxField
	}
	return p.run(fn)
}

func newReader(r io.Reader, size int) *bufio.Reader { return bufio.NewReaderSize(r, size) }

type parser struct {
	r        *bufio.Reader
	src      *Source
	maxField int
	e        Entry
	off      int64 // bytes read, for messages
	// skip is set when a kept field of the current entry was over
	// maxField: the entry is dropped.
	skip   bool
	warned bool
	line   []byte // a line longer than the reader's buffer
}

func (p *parser) run(fn func(e *Entry)) error {
	inEntry := false
	for {
		start := p.off
		line, long, err := p.readName()
		if err == io.EOF {
			if inEntry {
				p.deliver(fn)
			}
			return nil
		}
		if err != nil {
			return err
		}
		if long && bytes.IndexByte(line, '=') < 0 {
			return fmt.Errorf("at byte %d: field name longer than %d bytes", start, len(line))
		}
		if len(line) == 0 { // the empty line that ends an entry
			if inEntry {
				p.deliver(fn)
			}
			inEntry = false
			continue
		}
		if !inEntry {
			p.reset()
			inEntry = true
		}
		if i := bytes.IndexByte(line, '='); i >= 0 {
			// NAME=VALUE: the value runs to the newline. readName has
			// consumed the name and '=' only when the line was long.
			p.textValue(line[:i], line[i+1:], long, start)
			continue
		}
		if err := p.binaryValue(line, start); err != nil {
			return err
		}
	}
}

// readName reads one line of the output, without its newline: "NAME=VALUE"
// for a text field, "NAME" for a binary one, empty between entries. A line
// longer than the reader's buffer is gathered in p.line up to maxField
// bytes and its rest discarded (long is then true: its value is too long).
func (p *parser) readName() (line []byte, long bool, err error) {
	chunk, err := p.r.ReadSlice('\n')
	p.off += int64(len(chunk))
	switch {
	case err == nil:
		return chunk[:len(chunk)-1], false, nil
	case err == io.EOF && len(chunk) == 0:
		return nil, false, io.EOF
	case err == io.EOF:
		return nil, false, fmt.Errorf("at byte %d: output ends inside a field", p.off)
	case err != bufio.ErrBufferFull:
		return nil, false, err
	}
	p.line = append(p.line[:0], chunk...)
	for {
		chunk, err = p.r.ReadSlice('\n')
		p.off += int64(len(chunk))
		if len(p.line) <= p.maxField+len(chunk) {
			p.line = append(p.line, chunk...)
		} else {
			long = true
		}
		switch {
		case err == nil:
			p.line = p.line[:len(p.line)-1]
			if len(p.line) > p.maxField+1 {
				long = true
			}
			return p.line, long, nil
		case err == io.EOF:
			return nil, false, fmt.Errorf("at byte %d: output ends inside a field", p.off)
		case err != bufio.ErrBufferFull:
			return nil, false, err
		}
	}
}

func (p *parser) textValue(name, value []byte, long bool, start int64) {
	f := p.field(name)
	switch {
	case f == nil:
	case long || len(value) > p.maxField:
		p.tooLong(name, start)
	default:
		f.buf = append(f.buf[:0], value...)
		f.set = true
	}
}

// binaryValue reads the value of a field written as NAME, newline, a
// little-endian 64-bit length, the bytes, newline.
func (p *parser) binaryValue(name []byte, start int64) error {
	var size [8]byte
	if _, err := io.ReadFull(p.r, size[:]); err != nil {
		return fmt.Errorf("at byte %d: field %q: no length: %w", start, name, unexpected(err))
	}
	p.off += 8
	n := binary.LittleEndian.Uint64(size[:])
	f := p.field(name)
	if f != nil && n > uint64(p.maxField) {
		p.tooLong(name, start)
		f = nil
	}
	if f == nil {
		if n > 1<<62 {
			return fmt.Errorf("at byte %d: field %q: impossible length %d", start, name, n)
		}
		if _, err := p.r.Discard(int(min(n, 1<<62))); err != nil {
			return fmt.Errorf("at byte %d: field %q: %w", start, name, unexpected(err))
		}
	} else {
		f.buf = growTo(f.buf, int(n))
		if _, err := io.ReadFull(p.r, f.buf); err != nil {
			return fmt.Errorf("at byte %d: field %q: %w", start, name, unexpected(err))
		}
		f.set = true
	}
	p.off += int64(n)
	c, err := p.r.ReadByte()
	if err != nil {
		return fmt.Errorf("at byte %d: field %q: %w", start, name, unexpected(err))
	}
	p.off++
	if c != '\n' {
		return fmt.Errorf("at byte %d: field %q: binary value not followed by a newline", start, name)
	}
	return nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func growTo(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

// field returns the slot of a kept field, nil for the others.
func (p *parser) field(name []byte) *field {
	i, ok := fieldIndex[string(name)]
	if !ok {
		return nil
	}
	return &p.e.fields[i]
}

// tooLong drops the current entry, and warns the first time.
func (p *parser) tooLong(name []byte, start int64) {
	p.skip = true
	if !p.warned && p.src.Warn != nil {
		fmt.Fprintf(p.src.Warn, "warning: %s: skipping a journal entry whose %s is longer than %d bytes (at byte %d of journalctl's output)\n",
			p.src.Name(), name, p.maxField, start)
	}
	p.warned = true
}

func (p *parser) reset() {
	p.skip = false
	for i := range p.e.fields {
		p.e.fields[i].set = false
	}
}

func (p *parser) deliver(fn func(e *Entry)) {
	if p.skip {
		return
	}
	e := &p.e
	f := &e.fields
	if !f[fMessage].set {
		return
	}
	msg := f[fMessage].buf
	if i := bytes.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if len(p.src.Marker) > 0 && !bytes.Contains(msg, p.src.Marker) {
		return
	}
	t, ok := usec(f[fSourceRealtime])
	if !ok {
		if t, ok = usec(f[fRealtime]); !ok {
			return
		}
	}
	e.Time, e.Message = t, msg
	e.Comm, e.HasComm = value(f[fComm])
	e.UID, e.HasUID = value(f[fUID])
	e.PID, _ = value(f[fPID])
	e.Hostname, _ = value(f[fHostname])
	e.Exe, _ = value(f[fExe])
	e.Identifier, _ = value(f[fIdentifier])
	e.SyslogPID, _ = value(f[fSyslogPID])
	fn(e)
}

func value(f field) ([]byte, bool) {
	if !f.set {
		return nil, false
	}
	return f.buf, true
}

// usec reads a timestamp in microseconds since the epoch, as journald
// writes them; 0 and unparseable values are not timestamps.
func usec(f field) (time.Time, bool) {
	if !f.set {
		return time.Time{}, false
	}
	n, err := strconv.ParseUint(string(f.buf), 10, 63)
	if err != nil || n == 0 || n > 1<<53 {
		return time.Time{}, false
	}
	return time.UnixMicro(int64(n)), true
}
