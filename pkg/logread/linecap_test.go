package logread

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/cli"
)

// naiveCapped is the reference for the line cap: naiveLines without the
// lines longer than maxLine bytes (a trailing CR counts, the '\n' does
// not), and the offsets of those lines.
func naiveCapped(data []byte, maxLine int) (lines []string, skipped []int64) {
	off := 0
	for off < len(data) {
		end := bytes.IndexByte(data[off:], '\n')
		next := off + end + 1
		if end < 0 {
			end, next = len(data)-off, len(data)
		}
		if end > maxLine {
			skipped = append(skipped, int64(off))
		} else {
			lines = append(lines, string(data[off:off+end]))
		}
		off = next
	}
	return lines, skipped
}

func skippedOffsets(t *testing.T, err error, path string, maxLine int) []int64 {
	t.Helper()
	var offs []int64
	for _, e := range cli.Errors(err) {
		var tl *LineTooLongError
		if !errors.As(e, &tl) || !IsWarning(e) {
			t.Fatalf("unexpected error %v", e)
		}
		if tl.Path != path || tl.Limit != maxLine {
			t.Fatalf("warning %+v, want path %q limit %d", tl, path, maxLine)
		}
		offs = append(offs, tl.Offset)
	}
	return offs
}

// TestLineCap: a line longer than maxLine is not delivered, gives exactly
// one warning with its offset, and the lines after it are read; a line of
// exactly maxLine bytes is delivered. Every buffer size and read size.
func TestLineCap(t *testing.T) {
	const maxLine = 20
	long := func(n int) string { return strings.Repeat("x", n) }
	inputs := []string{
		"a\n" + long(20) + "\nb\n",                  // at the cap: kept
		"a\n" + long(21) + "\nb\n",                  // one over: skipped
		long(21) + "\n",                             // first line
		"a\n" + long(500) + "\n" + long(30) + "\nc", // two in a row, last unterminated
		"a\n" + long(25),                            // unterminated last line over the cap
		"a\n" + long(20),                            // unterminated, at the cap
		long(19) + "\r\n" + long(20) + "\r\n",       // the CR counts: 20 kept, 21 skipped
		"\n\n" + long(1000),
	}
	for _, in := range inputs {
		want, wantSkipped := naiveCapped([]byte(in), maxLine)
		for _, bufSize := range []int{1, 3, 8, 21, 22, 64} {
			for chunk := 1; chunk <= len(in)+1; chunk += 1 + chunk/4 {
				src := Source{Paths: []string{"-"}, Stdin: &chunkReader{r: strings.NewReader(in), n: chunk}}
				got, err := collect(src, tuning{bufSize: bufSize, maxLine: maxLine})
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("%.40q buf %d chunk %d: lines (-want +got):\n%s", in, bufSize, chunk, diff)
				}
				if diff := cmp.Diff(wantSkipped, skippedOffsets(t, err, "standard input", maxLine)); diff != "" {
					t.Fatalf("%.40q buf %d chunk %d: skipped offsets (-want +got):\n%s", in, bufSize, chunk, diff)
				}
			}
		}
	}
}

// TestLineCapFileOffset: the offset is the file's, also when the read
// starts from the window search's offset, and with a marker.
func TestLineCapFileOffset(t *testing.T) {
	var b []byte
	for i := range 200 {
		b = fmt.Appendf(b, "2026-03-01T00:%02d:%02dZ id=%d mk\n", i/60, i%60, i)
	}
	at := len(b)
	b = append(b, "2026-03-01T01:00:00Z "...)
	b = append(b, bytes.Repeat([]byte("y"), 300)...)
	b = append(b, " mk\n2026-03-01T01:00:01Z after mk\n"...)
	path := tempPath(t, "log")
	writeFile(t, path, b)
	tu := tinyTuning
	tu.maxLine = 200
	src := Source{Paths: []string{path}, Marker: []byte("mk"), Since: genStart.Add(3 * time.Minute), TimeOf: isoTimeOf}
	got, err := collect(src, tu)
	if diff := cmp.Diff([]int64{int64(at)}, skippedOffsets(t, err, path, 200)); diff != "" {
		t.Fatalf("skipped offsets (-want +got):\n%s", diff)
	}
	if len(got) == 0 || got[len(got)-1] != "2026-03-01T01:00:01Z after mk" || len(got) > 150 {
		t.Fatalf("delivered %d lines ending %q: want a seek and the line after the long one", len(got), got[len(got)-1:])
	}
}

// zeros is an endless stream of NUL bytes, like /dev/zero.
type zeros struct{ left int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.left <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), z.left))
	clear(p[:n])
	z.left -= int64(n)
	return n, nil
}

// TestLineCapBuffer: with the real cap, 256 MiB without a newline never
// grows the buffer past 64 MiB + 1 byte, and gives one warning.
func TestLineCapBuffer(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 256 MiB; run without -short")
	}
	var lines int
	lr := lineReader{buf: make([]byte, readBufSize), maxLine: defaultTuning.maxLine, fn: func([]byte) bool { lines++; return false }}
	var warned []int64
	lr.tooLong = func(off int64) { warned = append(warned, off) }
	if err := lr.read(io.MultiReader(&zeros{left: 256 << 20}, strings.NewReader("\nlast\n"))); err != nil {
		t.Fatal(err)
	}
	if c := cap(lr.buf); c > 64<<20+1 {
		t.Errorf("buffer grew to %d bytes, want at most 64 MiB + 1", c)
	}
	if lines != 1 || len(warned) != 1 || warned[0] != 0 {
		t.Errorf("delivered %d lines, warnings at %v; want 1 line (\"last\") and one warning at 0", lines, warned)
	}
}

// TestLineCapBufferAhead is TestLineCapBuffer for readAhead: the carried
// line stops at 64 MiB + 1 byte, the read-ahead buffers keep their size.
func TestLineCapBufferAhead(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 256 MiB; run without -short")
	}
	var lines int
	lr := lineReader{buf: make([]byte, 64), ahead: readBufSize, maxLine: defaultTuning.maxLine, fn: func([]byte) bool { lines++; return false }}
	var warned []int64
	lr.tooLong = func(off int64) { warned = append(warned, off) }
	if err := lr.readAhead(io.MultiReader(strings.NewReader("first\n"), &zeros{left: 256 << 20}, strings.NewReader("\nlast\n"))); err != nil {
		t.Fatal(err)
	}
	if c := cap(lr.buf); c > 64<<20+1 {
		t.Errorf("carry grew to %d bytes, want at most 64 MiB + 1", c)
	}
	for _, c := range lr.pool {
		if len(c.buf) != readBufSize {
			t.Errorf("a read-ahead buffer has %d bytes, want %d", len(c.buf), readBufSize)
		}
	}
	if lines != 2 || len(warned) != 1 || warned[0] != 6 {
		t.Errorf("delivered %d lines, warnings at %v; want 2 lines and one warning at 6", lines, warned)
	}
}

// FuzzScanCap checks the line cap against naiveCapped: with a cap of
// 1+maxLine bytes, every longer line is dropped with one warning at its
// offset, every other line is delivered (if it holds the marker) with all
// its bytes, whatever the read and buffer sizes.
func FuzzScanCap(f *testing.F) {
	f.Add([]byte("a\nxxxxxxxxxx\r\nb mk\nyyyyyyyyyyyyyyyy mk"), []byte("mk"), uint8(3), uint8(2), uint8(7))
	f.Add([]byte("\n\nzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\nmk\r"), []byte("mk"), uint8(0), uint8(0), uint8(0))
	f.Fuzz(func(t *testing.T, data, marker []byte, chunk, bufSize, maxLine uint8) {
		limit := 1 + int(maxLine)
		all, wantSkipped := naiveCapped(data, limit)
		var want []string
		for _, l := range all {
			if bytes.Contains(TrimCR([]byte(l)), marker) {
				want = append(want, l)
			}
		}
		for _, serial := range []bool{false, true} {
			src := Source{
				Paths:  []string{"-"},
				Stdin:  &chunkReader{r: bytes.NewReader(data), n: 1 + int(chunk)},
				Marker: marker,
			}
			got, err := collect(src, tuning{bufSize: 1 + int(bufSize), maxLine: limit, serial: serial})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("serial %v: lines (-want +got):\n%s", serial, diff)
			}
			if diff := cmp.Diff(wantSkipped, skippedOffsets(t, err, "standard input", limit)); diff != "" {
				t.Errorf("serial %v: skipped offsets (-want +got):\n%s", serial, diff)
			}
		}
	})
}

// TestHandover: read hands its input over to readAhead after any number
// of bytes, in the middle of a line, of a skipped over-long line or at a
// line's end, and the lines and warnings are those of a serial read.
func TestHandover(t *testing.T) {
	const maxLine = 12
	inputs := []string{
		"a mk\nbb\n" + strings.Repeat("x", 30) + " mk\nc mk\r\nd\nlast mk",
		strings.Repeat("y", 13) + "\n" + strings.Repeat("z", 12) + " \n mk" + strings.Repeat("w", 40),
		"mk\n\n\nmk mk\n" + strings.Repeat("q", 12) + "\nmk",
		"a mk\nmk" + strings.Repeat("y", 11), // ends with a line one over the cap
	}
	type result struct {
		Lines   []string
		Skipped []int64
	}
	run := func(in string, bufSize int, handover int64, chunk int) result {
		var res result
		lr := lineReader{buf: make([]byte, bufSize), ahead: bufSize, handover: handover, finder: finder{marker: []byte("mk")}, maxLine: maxLine,
			fn: func(line []byte) bool { res.Lines = append(res.Lines, string(line)); return false }}
		lr.tooLong = func(off int64) { res.Skipped = append(res.Skipped, off) }
		r := &chunkReader{r: strings.NewReader(in), n: chunk}
		err := lr.read(r)
		if err == errHandover {
			err = lr.readAhead(r)
		}
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, in := range inputs {
		for _, bufSize := range []int{1, 4, 13} {
			for _, chunk := range []int{1, 3, 13} {
				want := run(in, bufSize, 0, chunk)
				for h := int64(1); h <= int64(len(in))+1; h++ {
					if diff := cmp.Diff(want, run(in, bufSize, h, chunk)); diff != "" {
						t.Fatalf("%.30q buf %d chunk %d handover after %d bytes (-serial +handed over):\n%s", in, bufSize, chunk, h, diff)
					}
				}
			}
		}
	}
}
