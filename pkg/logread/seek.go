package logread

import (
	"bytes"
	"io"
	"os"
	"time"
)

// windowStart returns an offset in f from which reading finds every line of
// the window: an offset before which no line is in the window, or 0.
//
// It is a binary search on byte offsets over the first size bytes (the size
// when the file was opened; what is appended meanwhile lies after any
// answer). Each probe reads a few KiB, so a search costs O(log size) small
// reads. The answer is only ever set to an offset proved safe below,
// whatever the probes find, so disorder, lines without timestamps and lines
// too long to probe only make the answer earlier than it could be, never
// wrong.
//
// What is assumed of the log (SPEC §1): lines are in time order except that
// (1) a line may be up to Slack older than lines before it, and (2) one
// block of lines, contiguous and at most block bytes long, may be older by
// any amount than the lines around it (a relay flushing its backlog, a
// clock stepped back): a line of the block is at most Slack newer than any
// line after the block, but may be older than everything before it.
//
// Lemma: if a line L outside the block is at or before Since−Slack, no line
// before L is in the window. A line a before L outside the block is at most
// L+Slack by (1); a line of the block before L belongs to a block that ends
// before L, so it is at most L+Slack by (2); L+Slack ≤ Since.
//
// One probe is not enough: it may land in the block, whose old stamps say
// nothing about the lines before it (trusting it is what lost in-window
// lines). So a probe's "before the window" verdict for line P is used only
// together with a second line Q, starting at least block bytes before P,
// that is also at or before Since−Slack; the answer is then Q's offset.
// Proof: if Q is outside the block, the lemma for Q says so. If Q is in the
// block, the block (at most block bytes, starting at or before Q) ends by
// Q+block ≤ P, so P is outside it, and the lemma for P covers every line
// before P, those before Q included. Either way no line before Q is in the
// window. On an ordered log this reads about block bytes (8 MiB, a few
// milliseconds) more than the window: the price of never losing a line.
// Two blocks far apart can still mislead it; so could a block stamped
// newer than the lines after it (a clock running ahead, then stepped back)
// whose stamps fall in the window while it lies before the window: no
// search that reads less than the whole file can find such a block.
func (s *scanner) windowStart(f *os.File, size int64) (int64, error) {
	threshold := s.threshold()
	answer := int64(0)
	lo, hi := int64(0), size // where the next probe goes
	for hi-lo > s.tu.searchGap {
		mid := lo + (hi-lo)/2
		start, t, ok, err := s.probe(f, mid, size)
		if err != nil {
			return 0, err
		}
		if !ok || t.After(threshold) {
			hi = mid
			continue
		}
		safe, ok, err := s.confirm(f, start, size)
		if err != nil {
			return 0, err
		}
		if !ok {
			hi = mid
			continue
		}
		answer, lo = max(answer, safe), start
	}
	return answer, nil
}

// confirm is the second probe of windowStart, for a line at start found at
// or before the threshold: it returns the offset of a line starting at
// least block bytes earlier that is at or before the threshold too (or 0
// when the file has no room for one: 0 is always safe), and false when the
// line found there is not before the window (or there is none).
func (s *scanner) confirm(f *os.File, start, size int64) (safe int64, ok bool, err error) {
	if s.tu.block <= 0 {
		return start, true, nil
	}
	// A probe returns a line starting within probeLimit bytes of where it
	// reads, so reading from here finds one starting before start−block.
	off := start - s.tu.block - int64(s.tu.probeLimit)
	if off < 0 {
		return 0, true, nil
	}
	q, t, ok, err := s.probe(f, off, size)
	if err != nil || !ok || t.After(s.threshold()) {
		return 0, false, err
	}
	return q, true, nil
}

// probe finds the first line that starts at or after off, ends by size and
// has a timestamp, looking at no more than probeLimit bytes. It returns the
// line's offset and time; ok is false when there is none within reach.
func (s *scanner) probe(f *os.File, off, size int64) (start int64, t time.Time, ok bool, err error) {
	if s.probeBuf == nil {
		s.probeBuf = make([]byte, s.tu.probeLimit)
	}
	buf := s.probeBuf
	base := off
	i := 0 // index in buf of the first line start, or -1 until found
	if off > 0 {
		// Read from the byte before off: if it is '\n', off starts a line.
		base = off - 1
		i = -1
	}
	have, step := 0, s.tu.probeStep
	for {
		want := int(min(int64(have+step), int64(len(buf)), size-base))
		if want <= have {
			return 0, t, false, nil
		}
		n, err := f.ReadAt(buf[have:want], base+int64(have))
		have += n
		if err != nil && err != io.EOF {
			return 0, t, false, err
		}
		atEnd := base+int64(have) >= size || err == io.EOF
		if i < 0 {
			j := bytes.IndexByte(buf[:have], '\n')
			if j < 0 && atEnd {
				return 0, t, false, nil
			}
			if j >= 0 {
				i = j + 1
			}
		}
		for i >= 0 && i < have {
			j := bytes.IndexByte(buf[i:have], '\n')
			if j < 0 && !atEnd {
				break // the line goes on past what was read
			}
			end := have
			if j >= 0 {
				end = i + j
			}
			if t, ok := s.src.TimeOf(TrimCR(buf[i:end])); ok {
				return base + int64(i), t, true, nil
			}
			if j < 0 {
				break
			}
			i = end + 1
		}
		if atEnd {
			return 0, t, false, nil
		}
		step *= 2
	}
}

// previousNeeded reports whether the previous rotation of a file may hold
// lines of the window: unless the file's first timestamped line, and a
// second one starting at least block bytes after it, are both at or before
// the threshold (see windowStart: the pair proves that no line before the
// first one, so none of the previous rotation, is in the window, even when
// the first one is in an out-of-order block). A file with no timestamp, or
// shorter than block bytes after its first timestamp, reads its previous
// rotation (from the window start, if it is a plain file).
func (s *scanner) previousNeeded(f *os.File, size int64) (bool, error) {
	start, t, ok, err := s.firstTime(f, size)
	if err != nil || !ok || t.After(s.threshold()) {
		return true, err
	}
	if s.tu.block <= 0 {
		return false, nil
	}
	_, t, ok, err = s.probe(f, start+s.tu.block, size)
	return !ok || t.After(s.threshold()), err
}

// firstTime returns the offset and time of the first timestamped line among
// the first size bytes of f; ok is false when there is none. A probe from
// offset 0 settles it for any real log; only a file whose first 64 KiB
// hold no timestamp is read further, to its end if need be.
func (s *scanner) firstTime(f *os.File, size int64) (start int64, t time.Time, ok bool, err error) {
	if start, t, ok, err = s.probe(f, 0, size); ok || err != nil || size <= int64(s.tu.probeLimit) {
		return start, t, ok, err
	}
	// Silent about over-long lines: the read that delivers them warns.
	var lr lineReader
	lr = lineReader{buf: s.lr.buf, maxLine: s.tu.maxLine, fn: func(line []byte) bool {
		t, ok = s.src.TimeOf(TrimCR(line))
		start = lr.lineStart
		return ok
	}}
	err = lr.read(io.NewSectionReader(f, 0, size))
	s.lr.buf = lr.buf
	return start, t, ok, err
}
