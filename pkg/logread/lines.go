package logread

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
)

// readBufSize is the size of the read buffer. Large reads mean few system
// calls, few partial lines carried from one read to the next, and long runs
// for the SIMD marker search. CPU time of a full scan of a 1 GB Postfix log
// from the page cache, by buffer size: 64 KiB 165 ms, 256 KiB 155 ms,
// 1 MiB 132 ms, 4 MiB 129 ms; 1 MiB takes nearly all of the gain.
const readBufSize = 1 << 20

// errHandover is returned by read when it leaves the rest of its input to
// readAhead (see lineReader.handover).
var errHandover = errors.New("read ahead from here")

// errTruncated is returned by a fileReader when the file became shorter than
// what was already read from it (logrotate's copytruncate).
var errTruncated = errors.New("file truncated while being read")

// lineReader splits a stream into lines and hands those that contain marker
// to fn. It owns one buffer, reused for every read and grown when a single
// line does not fit, up to maxLine+1 bytes: a longer line is dropped as it
// is read, never held whole, so memory depends on neither the size of the
// input nor the length of its lines.
type lineReader struct {
	buf []byte
	// finder is the marker search of the serial reader and of the lines
	// tested on the caller's side when reading ahead.
	finder
	// fn receives each delivered line, without its '\n' but with every
	// other byte (a CRLF line keeps its '\r': see TrimCR); the slice is
	// only valid during the call. Returning true stops the read.
	fn func(line []byte) (stop bool)
	// maxLine is the longest line delivered (0: no limit). A longer line
	// is skipped: tooLong, when set, is called once with the offset of its
	// start, and the read goes on after its '\n'.
	maxLine int
	tooLong func(off int64)
	// name and off are the input's name and the offset in it of the first
	// byte read, for tooLong.
	name string
	off  int64
	// chunk is the input offset of the data lines works on; lineStart, the
	// offset of the line fn is given, valid during the call.
	chunk, lineStart int64
	// ahead is the size of readAhead's buffers, at most maxLine+1 (so a
	// line that fits in one is within the cap); pool holds them, kept for
	// the next input.
	ahead int
	pool  []*aheadChunk
	// handover is how many bytes read reads before it leaves the rest to
	// readAhead (0: never); carried and skipping are its state then: the
	// head of a line in buf[:carried], or the rest of an over-long line
	// to drop.
	handover int64
	carried  int
	skipping bool
	// prep, when set, are ScanPrepared's hooks: readAhead's reading
	// goroutine prepares each chunk's spans, and they are delivered by
	// prep.deliverChunk instead of fn (lines outside the spans still go
	// to fn).
	prep *prepHooks
}

// read delivers every line of r. The bytes after the last '\n' are a line too
// when r ends (an unterminated last line), but not when the file was
// truncated under us: then they are the head of a line that no longer exists.
// With lr.handover set, read stops once it has read that many bytes of r,
// at the end of a read, with lr.off, lr.carried and lr.skipping telling
// where it is, and returns errHandover: readAhead goes on from there.
func (lr *lineReader) read(r io.Reader) error {
	buf := lr.buf[:cap(lr.buf)]
	n := 0            // buf[:n] is the start of a line whose '\n' has not been read yet
	off := lr.off     // the input offset of buf[0]
	skipping := false // the current line is over the cap: drop it up to its '\n'
	for {
		if n == len(buf) {
			// One line fills the whole buffer: grow it, keep the head; or,
			// when the buffer is at the cap, the line is longer than the
			// cap (a cap-sized line fits with its '\n'): skip it.
			if lr.maxLine > 0 && n > lr.maxLine {
				lr.skip(off)
				off += int64(n)
				n, skipping = 0, true
			} else {
				buf = lr.grow(n)
			}
		}
		m, err := r.Read(buf[n:])
		if m > 0 && skipping { // n == 0
			if i := bytes.IndexByte(buf[:m], '\n'); i < 0 {
				off += int64(m)
				m = 0
			} else {
				off += int64(i + 1)
				m = copy(buf, buf[i+1:m])
				skipping = false
			}
		}
		if m > 0 {
			// Only the new bytes can hold the first '\n' after buf[:n].
			if i := bytes.LastIndexByte(buf[n:n+m], '\n'); i >= 0 {
				end := n + i + 1
				lr.chunk = off
				if lr.lines(buf[:end]) {
					return nil
				}
				off += int64(end)
				n = copy(buf, buf[end:n+m])
			} else {
				n += m
			}
		}
		if err == nil && lr.handover > 0 && off+int64(n)-lr.off >= lr.handover {
			// readAhead goes on from here: buf[:n] is its carry.
			if lr.maxLine > 0 && n > lr.maxLine { // see the top of the loop
				lr.skip(off)
				off += int64(n)
				n, skipping = 0, true
			}
			lr.off, lr.carried, lr.skipping = off, n, skipping
			return errHandover
		}
		switch {
		case err == nil:
		case err == io.EOF:
			if n > 0 {
				if n == len(buf) {
					if lr.maxLine > 0 && n > lr.maxLine {
						lr.skip(off)
						return nil
					}
					buf = lr.grow(n)
				}
				buf[n] = '\n'
				lr.chunk = off
				lr.lines(buf[:n+1])
			}
			return nil
		case err == errTruncated:
			return nil
		default:
			return err
		}
	}
}

func (lr *lineReader) skip(off int64) {
	if lr.tooLong != nil {
		lr.tooLong(off)
	}
}

// grow makes room for a line longer than the buffer, keeping its first n
// bytes: it doubles the buffer, but with a cap, once the buffer would pass
// readBufSize (or the cap), it goes straight to maxLine+1 bytes. The kernel
// gives a fresh allocation pages only as they are written, so a long line
// costs about its length, and the buffers a doubling up to 64 MiB leaves
// behind (as much again: 137 MB peak RSS for a 256 MiB line, measured,
// against 74 MB) are never made.
func (lr *lineReader) grow(n int) []byte {
	size := 2 * max(n, 1)
	if lr.maxLine > 0 && (size > readBufSize || size > lr.maxLine) {
		size = lr.maxLine + 1
	}
	buf := make([]byte, size)
	copy(buf, lr.buf[:n])
	lr.buf = buf
	return buf
}

// lines delivers the matching lines of data, which ends with '\n'. It
// reports whether fn asked to stop.
//
// With a marker the search runs over the whole of data and line boundaries
// are looked for only around a match, so lines without the marker cost
// nothing beyond the search itself.
func (lr *lineReader) lines(data []byte) (stop bool) {
	if len(lr.marker) == 0 {
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			lr.lineStart = lr.chunk
			if lr.fn(data[:i]) {
				return true
			}
			data = data[i+1:]
			lr.chunk += int64(i + 1)
		}
		return false
	}
	lr.sample(data)
	for {
		start, end, ok := lr.nextLine(data)
		if !ok {
			return false
		}
		lr.lineStart = lr.chunk + int64(start)
		if lr.fn(data[start:end]) {
			return true
		}
		data = data[end+1:]
		lr.chunk += int64(end + 1)
	}
}

// lastNewline is bytes.LastIndexByte(b, '\n') eight bytes at a time
// (bytes.LastIndexByte reads one byte a step; a profile of the postfix
// full scan spent 11% of its time there, looking back ~110 bytes from
// each sasl_username= to its line's start). A word holding a '\n' is
// found with the zero-byte test of w XOR "\n\n…", which has no false
// negatives; its bytes are then read one by one from the end.
func lastNewline(b []byte) int {
	const ones, highs, nls = 0x0101010101010101, 0x8080808080808080, 0x0a0a0a0a0a0a0a0a
	i := len(b)
	for ; i >= 8; i -= 8 {
		x := binary.LittleEndian.Uint64(b[i-8:i]) ^ nls
		if (x-ones)&^x&highs == 0 {
			continue
		}
		for j := i - 1; j >= i-8; j-- {
			if b[j] == '\n' {
				return j
			}
		}
	}
	for i--; i >= 0; i-- {
		if b[i] == '\n' {
			return i
		}
	}
	return -1
}

// TrimCR removes one trailing '\r': what a checker parses of a line Scan
// delivered, so that a CRLF log is read as an LF log, while the line it
// prints (a report's first line) keeps every byte, as the old tools
// printed it (SPEC §1 "Reading logs").
func TrimCR(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1]
	}
	return line
}

// finder is one goroutine's marker search: the marker and the byte of it
// looked for first.
type finder struct {
	marker []byte
	// rare is the index in marker of the byte the search looks for first,
	// or -1 for bytes.Index; chosen from the first data searched (sampled).
	rare    int
	sampled bool
}

// sample chooses the rare byte from data, the first the finder searches.
func (f *finder) sample(data []byte) {
	if !f.sampled {
		f.rare, f.sampled = rarestByte(f.marker, data[:min(len(data), 64<<10)]), true
	}
}

// nextLine returns the first line of data that holds the marker,
// data[start:end] (end is its '\n'); data starts at a line start and ends
// with '\n'. The marker is searched for over the whole of data and line
// boundaries are looked for only around a match, so lines without it cost
// nothing beyond the search. A match that runs past the line's content
// (into a trailing '\r', which is not part of what is parsed, or across
// the '\n', possible when the marker holds those bytes) is not in the
// line, and neither is any later one in it.
func (f *finder) nextLine(data []byte) (start, end int, ok bool) {
	for base := 0; ; {
		i := f.index(data[base:])
		if i < 0 {
			return 0, 0, false
		}
		i += base
		start = base + lastNewline(data[base:i]) + 1
		end = i + bytes.IndexByte(data[i:], '\n')
		if i+len(f.marker) <= start+len(TrimCR(data[start:end])) {
			return start, end, true
		}
		base = end + 1
	}
}

// index returns the offset of the first occurrence of the marker in data,
// or -1. It looks for the marker's rarest byte with bytes.IndexByte (SIMD)
// and compares the whole marker only there. bytes.Index keys on the
// marker's first byte instead, and for markers like "sasl_username=" that
// is a letter found every few dozen bytes of a log, where '_' is found every
// few hundred: the search then runs at close to memory speed.
func (f *finder) index(data []byte) int {
	m, k := f.marker, f.rare
	if k < 0 {
		return bytes.Index(data, m)
	}
	c := m[k]
	for start := 0; start+len(m) <= len(data); {
		j := bytes.IndexByte(data[start+k:len(data)-len(m)+k+1], c)
		if j < 0 {
			return -1
		}
		start += j
		if bytes.Equal(data[start:start+len(m)], m) {
			return start
		}
		start++
	}
	return -1
}

// rarestByte returns the index in marker of the byte that is least frequent
// in sample, which stands for the input. When even that byte is common (one
// in 16 bytes or more) the search would stop too often to gain anything and
// rarestByte returns -1: plain bytes.Index then.
func rarestByte(marker, sample []byte) int {
	var count [256]int
	for _, c := range sample {
		count[c]++
	}
	best := 0
	for i := range marker {
		if count[marker[i]] < count[marker[best]] {
			best = i
		}
	}
	if count[marker[best]]*16 >= len(sample) && len(sample) > 0 {
		return -1
	}
	return best
}
