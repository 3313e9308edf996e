// Package logread streams the lines of mail logs to the checkers.
//
// Logs can be gigabytes and are scanned every few minutes from cron, while
// syslog appends to them and logrotate renames or truncates them. So the
// reader works in constant memory with large buffers and lines of any
// length up to a 64 MiB cap (a longer one is skipped with a warning), finds
// the marker a checker cares about before it looks for line boundaries,
// seeks near the start of the time window instead of reading a file from
// its beginning (allowing for one block of up to 8 MiB of lines out of
// order by any amount), and reads the previous rotation when the window
// reaches back into it (SPEC §1 "Reading logs", §8 "Rotation"). It never
// maps files into memory: a live log truncated under a mapping raises SIGBUS.
// With more than one CPU, a second goroutine reads the next buffer and
// searches it for the marker while the caller gets the lines of the
// previous one (see readAhead).
package logread

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/spam-gear/spamcheck/pkg/internal/readtune"
)

// Source describes what one Scan reads.
type Source struct {
	// Paths are read in order. "-" is Stdin; a name ending in ".gz" is
	// gunzipped. No paths: nothing is read.
	Paths []string
	// Stdin is read for "-"; nil means os.Stdin.
	Stdin io.Reader
	// Marker, when not empty, restricts delivery to the lines that contain
	// it. Searching for it over whole buffers is what makes a full scan
	// cost about what grep -F costs: lines without it are never split out.
	Marker []byte
	// Since is the start of the window; zero means read everything. With
	// Since and TimeOf set, a named regular file is read from near the
	// window start (found by binary search on line timestamps) rather than
	// from its beginning, and lines before the window may still be
	// delivered: the caller filters every line by its own timestamp.
	Since time.Time
	// TimeOf returns the timestamp of a line (given without its trailing
	// '\r'), false when it has none. It is called on a few dozen lines per
	// file, only for the window search and the rotation decision, never on
	// the delivered stream.
	TimeOf func(line []byte) (time.Time, bool)
	// Rotated makes a named regular FILE read its previous rotation first,
	// FILE.1 or else FILE.1.gz, unless FILE's first timestamped line and
	// one at least 8 MiB after it are both at or before Since−Slack (the
	// first may be in an out-of-order block; see windowStart): so a FILE
	// starting after that, shorter than 8 MiB past its first timestamp,
	// without timestamps or missing reads it. Needs Since and TimeOf. A
	// missing rotation is not an error.
	Rotated bool
	// Slack is how far back in time a line may be from one written before
	// it (syslog receives from several processes; a few seconds is common).
	// The window search and the rotation decision start Slack before Since
	// so that no in-window line is skipped.
	Slack time.Duration
	// Opened, when not nil, is called with the name of every input as its
	// reading starts, in reading order: a path as given, a previous
	// rotation as FILE.1 or FILE.1.gz, "-" for Stdin. An input that could
	// not be opened, a directory, or a .gz whose header is not gzip is not
	// passed (Scan's error names it); an input that fails later, having
	// been read in part, is. So the names are exactly the inputs that
	// delivered, or could have delivered, lines.
	Opened func(name string)
}

// DefaultSlack is the Slack the checkers use. Syslog interleaves lines from
// many processes, and relayed messages (journald, remote syslog) keep the
// time they were stamped with, so lines seconds and sometimes minutes out
// of order are normal; five minutes covers them and costs at most five
// minutes of log read before the window.
const DefaultSlack = 5 * time.Minute

// Scan calls fn for every line of src that contains src.Marker, in input
// order, the previous rotation of a file before the file. The line has no
// '\n' but keeps every other byte, a CRLF line's '\r' included: parse
// TrimCR(line), print line. It is only valid during the call: fn must copy
// what it keeps. Lines may hold any bytes and be of any length up to the
// line cap (64 MiB: a longer line is skipped, and Scan's error holds a
// LineTooLongError for it). The marker is looked for in TrimCR(line).
//
// An input that cannot be opened or read gives an error naming it (a
// *fs.PathError: "open /var/log/mail.log: no such file or directory"); Scan
// still reads the other inputs and returns all such errors joined, so the
// caller can print what it computed and exit 1. A directory is an error
// ("is a directory"); a FIFO or device is read as a stream, without seeking.
//
// A file renamed while Scan reads it is read to its end; a file truncated
// under Scan is read up to the truncation and its partial last line dropped.
// Either way no line is delivered twice.
func Scan(src Source, fn func(line []byte)) error {
	return scan(src, fn, fromSizes(readtune.Get()))
}

// tuning holds the sizes Scan works with (readtune.Default in the
// programs). Tests shrink them to put buffer, probe and block boundaries
// inside small inputs.
type tuning struct {
	bufSize    int   // initial read buffer
	probeStep  int   // first read of a window probe; doubled until probeLimit
	probeLimit int   // a window probe gives up after this many bytes
	searchGap  int64 // the window search stops when its interval is this small
	// block is the largest block of out-of-order lines, in bytes, that the
	// window search and the rotation decision allow for (see windowStart);
	// 0 trusts every probe.
	block int64
	// maxLine is the longest line delivered; a longer one is skipped with
	// a LineTooLongError. 0 means defaultTuning's.
	maxLine int
	// serial reads and scans in one goroutine (lineReader.read) instead of
	// reading ahead in a second one (lineReader.readAhead): the programs do
	// so when they may use only one CPU, where reading ahead only adds the
	// hand-overs.
	serial bool
	// handover is how many bytes of an input are read serially before the
	// rest is read ahead; 0 reads ahead from the start.
	handover int64
}

func fromSizes(s readtune.Sizes) tuning {
	return tuning{
		bufSize: s.BufSize, probeStep: s.ProbeStep, probeLimit: s.ProbeLimit,
		searchGap: s.SearchGap, block: s.Block, maxLine: s.MaxLine,
		serial: s.Serial || runtime.GOMAXPROCS(0) < 2, handover: s.Handover,
	}
}

// defaultTuning is what the programs use. Log lines are a few hundred
// bytes: one 4 KiB read usually finds a timestamp, and 64 KiB of lines
// without one ends the probe, which is then treated as "not before the
// window" (safe: it only moves the search's upper bound). Reading 32 KiB
// more than needed is cheaper than another probe. Blocks of 8 MiB out of
// order and lines of 64 MiB are SPEC §1's figures.
var defaultTuning = fromSizes(readtune.Default)

// LineTooLongError reports a line longer than the line cap (64 MiB), which
// Scan skipped: it was never buffered whole, not delivered, and the scan
// went on after its '\n'. It is a warning, not a failure: Scan returns it
// joined with the real errors (see IsWarning), once per skipped line.
type LineTooLongError struct {
	Path   string // the input, as named ("standard input" for "-")
	Offset int64  // byte offset of the line's start (in the uncompressed data of a .gz)
	Limit  int    // the cap, in bytes
}

func (e *LineTooLongError) Error() string {
	limit := fmt.Sprintf("%d bytes", e.Limit)
	if e.Limit%(1<<20) == 0 {
		limit = fmt.Sprintf("%d MiB", e.Limit>>20)
	}
	where := ""
	if strings.HasSuffix(e.Path, ".gz") {
		where = " of the uncompressed data"
	}
	return fmt.Sprintf("warning: %s: line at byte %d%s is longer than %s: skipped", e.Path, e.Offset, where, limit)
}

// IsWarning reports whether err, one of the errors Scan returned joined
// (split them with cli.Errors), is only a warning: a skipped over-long
// line. The scan read everything else; the checkers print it and keep
// their exit status.
func IsWarning(err error) bool {
	var e *LineTooLongError
	return errors.As(err, &e)
}

// scanner is the state of one Scan: one read buffer and one probe buffer
// for all its inputs, and the errors met so far.
type scanner struct {
	src      Source
	tu       tuning
	lr       lineReader
	probeBuf []byte
	errs     []error
}

func scan(src Source, fn func(line []byte), tu tuning) error {
	return scanWith(src, fn, nil, tu)
}

// scanWith is scan, with ScanPrepared's hooks when prep is not nil.
func scanWith(src Source, fn func(line []byte), prep *prepHooks, tu tuning) error {
	if tu.maxLine <= 0 {
		tu.maxLine = defaultTuning.maxLine
	}
	// Every line that fits in the initial buffer is within the cap.
	tu.bufSize = max(1, min(tu.bufSize, tu.maxLine+1))
	s := &scanner{
		src: src,
		tu:  tu,
		lr: lineReader{
			buf:     make([]byte, tu.bufSize),
			finder:  finder{marker: src.Marker},
			maxLine: tu.maxLine,
			fn:      func(line []byte) bool { fn(line); return false },
			prep:    prep,
		},
	}
	if !tu.serial {
		s.lr.ahead = min(tu.bufSize, aheadBufSize)
		s.lr.handover = tu.handover
		defer s.lr.release()
	}
	s.lr.tooLong = func(off int64) {
		s.errs = append(s.errs, &LineTooLongError{Path: s.lr.name, Offset: off, Limit: tu.maxLine})
	}
	if s.src.Stdin == nil {
		s.src.Stdin = os.Stdin
	}
	if s.src.Slack < 0 {
		s.src.Slack = 0
	}
	for _, p := range src.Paths {
		switch {
		case p == "-":
			s.opened(p)
			s.stream(s.src.Stdin, "standard input", 0)
		case strings.HasSuffix(p, ".gz"):
			s.gzipFile(p)
		default:
			s.namedFile(p)
		}
	}
	return errors.Join(s.errs...)
}

// windowed reports whether named regular files are read from the window
// start.
func (s *scanner) windowed() bool {
	return !s.src.Since.IsZero() && s.src.TimeOf != nil
}

// threshold is the time such that a line at or before it proves that no
// line before it is in the window (lines are out of order by at most Slack).
func (s *scanner) threshold() time.Time {
	return s.src.Since.Add(-s.src.Slack)
}

// opened reports that the input name is about to be read.
func (s *scanner) opened(name string) {
	if s.src.Opened != nil {
		s.src.Opened(name)
	}
}

func (s *scanner) fail(err error) {
	s.errs = append(s.errs, err)
}

// stream reads r from where it is to its end; off is r's position in the
// input, for warnings. The first tu.handover bytes are read serially, the
// rest, if any, ahead: a short input (an hour's window of a busy log is a
// few MB) would pay for a second goroutine, the first-touch faults of its
// buffers and the hand-overs, and gain nothing.
func (s *scanner) stream(r io.Reader, name string, off int64) {
	s.lr.name, s.lr.off = name, off
	s.lr.carried, s.lr.skipping = 0, false
	var err error
	switch {
	case s.lr.ahead == 0:
		err = s.lr.read(r)
	case s.lr.handover == 0:
		err = s.lr.readAhead(r)
	default:
		if err = s.lr.read(r); err == errHandover {
			err = s.lr.readAhead(r)
		}
	}
	if err != nil {
		s.fail(pathError("read", name, err))
	}
}

// pathError makes sure err names the input, as the OS errors from os.File
// already do.
func pathError(op, name string, err error) error {
	if _, ok := err.(*fs.PathError); ok {
		return err
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

func (s *scanner) gzipFile(name string) {
	f, err := os.Open(name)
	if err != nil {
		s.fail(err)
		return
	}
	defer f.Close()
	s.gunzip(f, name)
}

func (s *scanner) gunzip(f *os.File, name string) {
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		s.fail(&fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR})
		return
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		s.fail(pathError("gunzip", name, err))
		return
	}
	s.opened(name)
	s.stream(zr, name, 0)
}

// namedFile reads a path that is neither "-" nor *.gz, and its previous
// rotation first when the window reaches back into it.
func (s *scanner) namedFile(name string) {
	if !s.src.Rotated || !s.windowed() {
		f, err := os.Open(name)
		if err != nil {
			s.fail(err)
			return
		}
		defer f.Close()
		s.file(f, name)
		return
	}

	prev, prevName, prevErr, cur, curErr := openWithPrevious(name)
	if prev != nil {
		defer prev.Close()
	}
	if cur != nil {
		defer cur.Close()
	}
	needPrev := true
	var curInfo fs.FileInfo
	if curErr == nil {
		curInfo, curErr = cur.Stat()
	}
	if curErr == nil && !curInfo.Mode().IsRegular() {
		needPrev = false // a directory is an error below, a FIFO a stream
	} else if curErr == nil {
		needPrev, curErr = s.previousNeeded(cur, curInfo.Size())
	}
	switch {
	case !needPrev:
	case prev != nil && strings.HasSuffix(prevName, ".gz"):
		s.gunzip(prev, prevName)
	case prev != nil:
		s.file(prev, prevName)
	case prevErr != nil && !errors.Is(prevErr, fs.ErrNotExist):
		s.fail(prevErr)
	}
	if curErr != nil {
		s.fail(curErr)
		return
	}
	s.file(cur, name)
}

// openWithPrevious opens the previous rotation of name (name.1, else
// name.1.gz) and then name. Opening the older file first means a rotation
// between the two opens can leave us with two different files but never
// the same lines twice (copytruncate: the new name.1 is not the one we
// hold). It then checks that the rotation name still denotes the file it
// opened, and retries if a rename slipped in, so that the just-rotated file
// is not missed either.
func openWithPrevious(name string) (prev *os.File, prevName string, prevErr error, cur *os.File, curErr error) {
	for attempt := 1; ; attempt++ {
		prev, prevName, prevErr = openPrevious(name)
		cur, curErr = os.Open(name)
		if attempt == 3 || stillPrevious(name, prev, prevName) {
			return prev, prevName, prevErr, cur, curErr
		}
		if prev != nil {
			prev.Close()
		}
		if cur != nil {
			cur.Close()
		}
	}
}

// openPrevious opens name.1, or name.1.gz when there is no name.1. Both
// missing gives a nil file and a not-exist error.
func openPrevious(name string) (*os.File, string, error) {
	f, err := os.Open(name + ".1")
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return f, name + ".1", err
	}
	f, err = os.Open(name + ".1.gz")
	return f, name + ".1.gz", err
}

// stillPrevious reports whether the previous-rotation name of name still
// denotes prev (or still nothing, when prev is nil).
func stillPrevious(name string, prev *os.File, prevName string) bool {
	now, err := os.Stat(name + ".1")
	nowName := name + ".1"
	if errors.Is(err, fs.ErrNotExist) {
		now, err = os.Stat(name + ".1.gz")
		nowName = name + ".1.gz"
	}
	if prev == nil {
		return err != nil
	}
	if err != nil || nowName != prevName {
		return false
	}
	held, err := prev.Stat()
	return err == nil && os.SameFile(held, now)
}

// file reads an opened named input: a directory is an error, a regular file
// is read from the window start, anything else (FIFO, device) as a stream.
func (s *scanner) file(f *os.File, name string) {
	fi, err := f.Stat()
	if err != nil {
		s.fail(err)
		return
	}
	switch {
	case fi.IsDir():
		s.fail(&fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR})
		return
	case !fi.Mode().IsRegular():
		s.opened(name)
		s.stream(f, name, 0)
		return
	}
	s.opened(name)
	var off int64
	if s.windowed() {
		off, err = s.windowStart(f, fi.Size())
		if err != nil {
			s.fail(err)
			return
		}
	}
	s.stream(&fileReader{f: f, pos: off}, name, off)
}

// fileReader reads a regular file from an offset. When a read comes up
// short (end of file) it compares the file's size with how far it has read:
// a smaller size means the file was truncated under us (copytruncate), and
// the read ends with errTruncated so that the partial last line, whose rest
// is gone, is dropped. A file truncated and rewritten beyond the read offset
// between two reads, a fraction of a millisecond apart, would escape this;
// no mail log is written that fast.
type fileReader struct {
	f   *os.File
	pos int64
}

func (r *fileReader) Read(p []byte) (int, error) {
	n, err := r.f.ReadAt(p, r.pos)
	r.pos += int64(n)
	if err == io.EOF {
		if fi, serr := r.f.Stat(); serr == nil && fi.Size() < r.pos {
			err = errTruncated
		}
	}
	return n, err
}
