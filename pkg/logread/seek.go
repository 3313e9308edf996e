package logread

import (
	"bytes"
	"io"
	"os"
	"time"
)

// windowStart returns an offset in f from which reading finds every line of
// the window: the start of a line whose time is at or before Since−Slack,
// or 0. Since lines are out of order by at most Slack, every line before
// such a line is at or before Since, so not in the window.
//
// It is a binary search on byte offsets over the first size bytes (the size
// when the file was opened; what is appended meanwhile lies after any
// answer). The invariant "lo is such an offset" holds whatever the probes
// find, so disorder, lines without timestamps and lines too long to probe
// only make the answer earlier than it could be, never wrong. Each probe
// reads a few KiB, so a search costs O(log size) small reads.
func (s *scanner) windowStart(f *os.File, size int64) (int64, error) {
	threshold := s.threshold()
	lo, hi := int64(0), size
	for hi-lo > s.tu.searchGap {
		mid := lo + (hi-lo)/2
		start, t, ok, err := s.probe(f, mid, size)
		if err != nil {
			return 0, err
		}
		if ok && !t.After(threshold) {
			lo = start
		} else {
			hi = mid
		}
	}
	return lo, nil
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

// firstTime returns the time of the first timestamped line among the first
// size bytes of f; ok is false when there is none. A probe from offset 0
// settles it for any real log; only a file whose first 64 KiB hold no
// timestamp is read further, to its end if need be.
func (s *scanner) firstTime(f *os.File, size int64) (t time.Time, ok bool, err error) {
	if _, t, ok, err = s.probe(f, 0, size); ok || err != nil || size <= int64(s.tu.probeLimit) {
		return t, ok, err
	}
	// Silent about over-long lines: the read that delivers them warns.
	lr := lineReader{buf: s.lr.buf, maxLine: s.tu.maxLine, fn: func(line []byte) bool {
		t, ok = s.src.TimeOf(TrimCR(line))
		return ok
	}}
	err = lr.read(io.NewSectionReader(f, 0, size))
	s.lr.buf = lr.buf
	return t, ok, err
}
