package logread

import "github.com/spam-gear/spamcheck/pkg/internal/readtune"

// ScanPrepared is Scan with the work on each line split in two: prepare
// parses a line that holds the marker into a value of type T and says
// whether it counts; fn gets the lines prepare accepted, with their
// values, in input order, on the caller's goroutine, as Scan's fn does.
// When Scan reads ahead, prepare runs in the reading goroutine, on the
// buffer it has just searched, while fn works through the previous one:
// a checker whose parser costs as much as its counting (exim-spam-check)
// spreads over two cores. Every other line (the first of each buffer, all
// of them when reading serially) is prepared on the caller's goroutine.
//
// So that no state is shared between the goroutines, newPrepare is called
// once for each goroutine that prepares, and the prepare it returns is
// only ever called from that goroutine. The value may hold slices of the
// line: it is only used during fn's call. Without a marker every line is
// prepared on the caller's goroutine.
func ScanPrepared[T any](src Source, newPrepare func() func(line []byte, v *T) bool, fn func(line []byte, v *T)) error {
	return scanPrepared(src, newPrepare, fn, fromSizes(readtune.Get()))
}

func scanPrepared[T any](src Source, newPrepare func() func(line []byte, v *T) bool, fn func(line []byte, v *T), tu tuning) error {
	prepare := newPrepare()
	var v T
	each := func(line []byte) {
		var zero T
		v = zero
		if prepare(line, &v) {
			fn(line, &v)
		}
	}
	if len(src.Marker) == 0 {
		return scan(src, each, tu)
	}
	return scanWith(src, each, &prepHooks{
		newChunkPrep: func() func(c *aheadChunk) {
			prepare := newPrepare()
			return func(c *aheadChunk) {
				vals, _ := c.vals.([]T)
				vals = vals[:0]
				kept := c.spans[:0]
				for _, sp := range c.spans {
					vals = append(vals, *new(T))
					if prepare(c.buf[sp.start:sp.end], &vals[len(vals)-1]) {
						kept = append(kept, sp)
					} else {
						vals = vals[:len(vals)-1]
					}
				}
				c.spans, c.vals = kept, vals
			}
		},
		deliverChunk: func(c *aheadChunk, lr *lineReader, dataOff int64) {
			vals := c.vals.([]T)
			for i, sp := range c.spans {
				lr.lineStart = dataOff + int64(sp.start)
				fn(c.buf[sp.start:sp.end], &vals[i])
			}
		},
	}, tu)
}

// prepHooks are ScanPrepared's, without its type: newChunkPrep makes, for
// the reading goroutine, the function that prepares a searched chunk (it
// keeps the spans prepare accepted and their values in the chunk), and
// deliverChunk hands a prepared chunk's lines to fn.
type prepHooks struct {
	newChunkPrep func() func(c *aheadChunk)
	deliverChunk func(c *aheadChunk, lr *lineReader, dataOff int64)
}
