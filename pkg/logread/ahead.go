package logread

import (
	"bytes"
	"io"
	"sync"
)

// aheadBuffers is how many buffers of read-ahead circulate: one being
// delivered, one being read and searched, and one more so that a slow
// read or a slow delivery does not stall the other side at once.
const aheadBuffers = 3

// aheadBufSize is the size of a read-ahead buffer. A fresh page costs a
// fault on first touch (dear in a VM), the buffers are fresh memory, and
// with ScanPrepared each also holds its lines' values (exim: 200 bytes an
// arrival), so they are part of a full scan's peak memory. Full reads of
// the 2 GB bench logs, medians of 7 alternate runs, 384 KiB against
// 512 KiB: postfix 571/585 ms, php 898/940 ms, exim 1761/1763 ms, exim's
// peak RSS 31.8-32.1 MB against 32.5-32.6 MB; 256 KiB is slower (postfix
// 705 ms against 604 for 384 KiB in the same run).
const aheadBufSize = 384 << 10

// aheadChunk is one read of the read-ahead goroutine and what it found in
// it: buf[:n], the error that came with it, the first and last '\n' (-1 for
// none), and, with a marker, the lines between them that hold it.
type aheadChunk struct {
	buf         []byte
	free        func() // gives buf back (see newBuffer)
	n           int
	err         error
	first, last int
	spans       []lineSpan
	// vals holds ScanPrepared's values of the spans, one each ([]T).
	vals any
}

// lineSpan is a line of a chunk, buf[start:end], without its '\n'.
type lineSpan struct{ start, end int }

// readAhead delivers the lines of r as read does, or the rest of them when
// read has handed r over (see lineReader.handover), in two goroutines: a
// second one reads the next buffer and searches it for the marker while
// this one delivers the lines found in the previous buffer. A full scan is
// the kernel copying the file into the buffer, the marker search over every
// byte, and the checker's work on the few lines that match; serially they
// add up, here the first two (and, with ScanPrepared, the checker's parse)
// overlap the rest. The search covers the
// complete lines of a buffer; the first line of each buffer, which may
// continue the previous buffer's last, is assembled and tested here, in
// lr.buf (the carry), which grows as read's buffer does, up to maxLine+1
// bytes; a longer line is skipped as read skips it.
func (lr *lineReader) readAhead(r io.Reader) error {
	size := max(lr.ahead, 1)
	if len(lr.pool) != aheadBuffers || len(lr.pool[0].buf) != size {
		lr.release()
		lr.pool = takeSpare(size)
	}
	if lr.pool == nil {
		lr.pool = make([]*aheadChunk, aheadBuffers)
		for i := range lr.pool {
			buf, free := newBuffer(size)
			lr.pool[i] = &aheadChunk{buf: buf, free: free}
		}
	}
	// full holds every chunk at once if need be, so the reader never
	// blocks on it and always ends when told or at r's end.
	free := make(chan *aheadChunk, aheadBuffers)
	full := make(chan *aheadChunk, aheadBuffers)
	done := make(chan struct{})
	for _, c := range lr.pool {
		free <- c
	}
	var prepare func(c *aheadChunk)
	if lr.prep != nil && len(lr.marker) > 0 {
		prepare = lr.prep.newChunkPrep()
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(full)
		// The search state is the reader's own: lr's is not touched here.
		f := finder{marker: lr.marker}
		for {
			var c *aheadChunk
			select {
			case <-done:
				return
			case c = <-free:
			}
			select {
			case <-done:
				return
			default:
			}
			c.n, c.err = r.Read(c.buf)
			f.search(c)
			if prepare != nil {
				prepare(c)
			}
			full <- c
			if c.err != nil {
				return
			}
		}
	}()
	// Stop the reader and wait for it before r can be closed or reused.
	defer func() { close(done); wg.Wait() }()

	// Where read left off, when it did (lr.carried and lr.skipping are
	// zero otherwise).
	carry := lr.carried          // lr.buf[:carry] is the start of a line whose '\n' is still to come
	carryOff := lr.off           // the input offset of lr.buf[0]
	off := lr.off + int64(carry) // the input offset of the next chunk's first byte
	skipping := lr.skipping      // the current line is over the cap: drop it up to its '\n'
	for c := range full {
		data, dataOff := c.buf[:c.n], off
		off += int64(c.n)
		// pos: data[:pos] is dealt with. The first line: the rest of a
		// skipped line, the rest of the carried one, or a line.
		pos := 0
		headEnd := c.n
		if c.first >= 0 {
			headEnd = c.first + 1
		}
		switch {
		case c.n == 0:
		case skipping:
			pos = headEnd
			skipping = c.first < 0
		case carry > 0:
			var ok bool
			if carry, ok = lr.carryAppend(carry, carryOff, data[:headEnd]); !ok {
				skipping = c.first < 0
			} else if c.first >= 0 {
				stop := lr.deliver(lr.buf[:carry-1], carryOff)
				carry = 0
				if stop {
					return nil
				}
			}
			pos = headEnd
		case c.first >= 0:
			if lr.deliver(data[:c.first], dataOff) {
				return nil
			}
			pos = headEnd
		}
		// The complete lines after the first, searched by the reader.
		if c.last > c.first {
			if lr.deliverSpans(c, dataOff) {
				return nil
			}
			pos = c.last + 1
		}
		if pos < c.n { // the head of a line; carry is 0 here
			carryOff = dataOff + int64(pos)
			var ok bool
			if carry, ok = lr.carryAppend(0, carryOff, data[pos:]); !ok {
				skipping = true
			}
		}
		err := c.err
		free <- c
		switch {
		case err == nil:
		case err == io.EOF:
			if carry > 0 {
				lr.deliver(lr.buf[:carry], carryOff)
			}
			return nil
		case err == errTruncated:
			return nil
		default:
			return err
		}
	}
	return nil
}

// release gives back readAhead's buffers: they become the spare set, or,
// when there is one already, are freed.
func (lr *lineReader) release() {
	if lr.pool == nil {
		return
	}
	spare.Lock()
	if spare.set == nil {
		spare.set, lr.pool = lr.pool, nil
	}
	spare.Unlock()
	for _, c := range lr.pool {
		c.free()
	}
	lr.pool = nil
}

// spare keeps the read-ahead buffers of a finished scan for the next one:
// fresh pages fault on first touch, and a process that scans several
// inputs in turn (php-spam-check's logs, a benchmark loop) would pay that
// every time. One set at most is kept, 1.1 MiB.
var spare struct {
	sync.Mutex
	set []*aheadChunk
}

// takeSpare returns the spare set when its buffers have size bytes, else
// nil.
func takeSpare(size int) []*aheadChunk {
	spare.Lock()
	defer spare.Unlock()
	set := spare.set
	if set == nil || len(set[0].buf) != size {
		return nil
	}
	spare.set = nil
	return set
}

// deliver hands one line (without its '\n'), which starts at input offset
// off, to fn when it holds the marker, and reports whether fn asked to stop.
func (lr *lineReader) deliver(line []byte, off int64) (stop bool) {
	if !bytes.Contains(TrimCR(line), lr.marker) {
		return false
	}
	lr.lineStart = off
	return lr.fn(line)
}

// deliverSpans delivers the lines of c after its first '\n', up to its
// last: those the reader found, or, without a marker, every one.
func (lr *lineReader) deliverSpans(c *aheadChunk, dataOff int64) (stop bool) {
	if len(lr.marker) == 0 {
		lr.chunk = dataOff + int64(c.first+1)
		return lr.lines(c.buf[c.first+1 : c.last+1])
	}
	if lr.prep != nil {
		lr.prep.deliverChunk(c, lr, dataOff)
		return false
	}
	for _, sp := range c.spans {
		lr.lineStart = dataOff + int64(sp.start)
		if lr.fn(c.buf[sp.start:sp.end]) {
			return true
		}
	}
	return false
}

// search sets c's first and last '\n' and, with a marker, its spans: the
// lines between them that hold the marker (see finder.nextLine).
func (f *finder) search(c *aheadChunk) {
	data := c.buf[:c.n]
	c.first, c.last = bytes.IndexByte(data, '\n'), -1
	if c.first >= 0 {
		c.last = bytes.LastIndexByte(data, '\n')
	}
	c.spans = c.spans[:0]
	if len(f.marker) == 0 || c.last <= c.first {
		return
	}
	f.sample(data)
	base := c.first + 1
	region := data[base : c.last+1]
	for {
		start, end, ok := f.nextLine(region)
		if !ok {
			return
		}
		c.spans = append(c.spans, lineSpan{base + start, base + end})
		region = region[end+1:]
		base += end + 1
	}
}

// carryAppend appends piece, the next bytes of the line whose first carry
// bytes are lr.buf[:carry] and which starts at input offset lineOff, and
// returns the new length. piece ends with the line's '\n' or holds none.
// When the line's content (without the '\n') passes the cap, the line is
// reported too long and dropped: the result is 0 and false.
func (lr *lineReader) carryAppend(carry int, lineOff int64, piece []byte) (int, bool) {
	content := carry + len(piece)
	if len(piece) > 0 && piece[len(piece)-1] == '\n' {
		content--
	}
	if lr.maxLine > 0 && content > lr.maxLine {
		lr.skip(lineOff)
		return 0, false
	}
	for carry+len(piece) > len(lr.buf) {
		lr.grow(len(lr.buf))
	}
	return carry + copy(lr.buf[carry:], piece), true
}
