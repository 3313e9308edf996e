package logread

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLines(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		marker string
		want   []string
	}{
		{name: "empty", input: "", want: nil},
		{name: "one newline", input: "\n", want: []string{""}},
		{name: "LF", input: "a\nbb\nccc\n", want: []string{"a", "bb", "ccc"}},
		{name: "CRLF keeps its CR", input: "a\r\nbb\r\n", want: []string{"a\r", "bb\r"}},
		{name: "every CR kept", input: "a\r\r\n", want: []string{"a\r\r"}},
		{name: "CR inside kept", input: "a\rb\n", want: []string{"a\rb"}},
		{name: "no final newline", input: "a\nlast", want: []string{"a", "last"}},
		{name: "no final newline with CR", input: "a\nlast\r", want: []string{"a", "last\r"}},
		{name: "lone CR at end", input: "a\n\r", want: []string{"a", "\r"}},
		{name: "empty lines", input: "\n\na\n\n", want: []string{"", "", "a", ""}},
		{name: "NUL bytes", input: "a\x00b\n\x00\n", want: []string{"a\x00b", "\x00"}},
		{name: "invalid UTF-8", input: "\xff\xfe\n\xc3(\n", want: []string{"\xff\xfe", "\xc3("}},
		{name: "marker filters", input: "x sasl_username=a\ny\nz sasl_username=b\n", marker: "sasl_username=",
			want: []string{"x sasl_username=a", "z sasl_username=b"}},
		{name: "marker at line start and end", input: "mk\nxmk\nmkx\nm\nk\n", marker: "mk", want: []string{"mk", "xmk", "mkx"}},
		{name: "marker in first and last line", input: "mk1\n2\n3mk", marker: "mk", want: []string{"mk1", "3mk"}},
		{name: "marker twice in a line", input: "mkmk\nmk mk\n", marker: "mk", want: []string{"mkmk", "mk mk"}},
		{name: "overlapping marker", input: "aaa\naa\na\n", marker: "aa", want: []string{"aaa", "aa"}},
		{name: "marker not present", input: "a\nb\n", marker: "zz", want: nil},
		{name: "marker on empty input", input: "", marker: "a", want: nil},
		{name: "marker with NUL", input: "a\x00b\nab\n", marker: "\x00", want: []string{"a\x00b"}},
		{name: "marker ending in CR matches only inside", input: "a\r\na\rb\n", marker: "a\r", want: []string{"a\rb"}},
		{name: "marker before the CR", input: "xmk\r\ny\n", marker: "mk", want: []string{"xmk\r"}},
		{name: "marker holding a newline matches nothing", input: "a\nb\n", marker: "a\nb", want: nil},
		{name: "marker is the trailing CR", input: "x\r\ny\n", marker: "\r", want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Every read size, with buffers from one byte (every line
			// grows it, or spans buffers) to the default, read ahead and
			// serially.
			for _, serial := range []bool{false, true} {
				for _, bufSize := range []int{1, 2, 3, 5, 8, readBufSize} {
					for chunk := 1; chunk <= len(tc.input)+1; chunk++ {
						src := Source{
							Paths:  []string{"-"},
							Stdin:  &chunkReader{r: strings.NewReader(tc.input), n: chunk},
							Marker: []byte(tc.marker),
						}
						got, err := collect(src, tuning{bufSize: bufSize, serial: serial})
						if err != nil {
							t.Fatalf("scan(%q, marker %q, buf %d, chunk %d, serial %v): %v", tc.input, tc.marker, bufSize, chunk, serial, err)
						}
						if diff := cmp.Diff(tc.want, got); diff != "" {
							t.Fatalf("scan(%q, marker %q, buf %d, chunk %d, serial %v) mismatch (-want +got):\n%s", tc.input, tc.marker, bufSize, chunk, serial, diff)
						}
					}
				}
			}
		})
	}
}

// TestLinesReaders runs the splitter behind the testing/iotest readers,
// which return one byte, half a buffer, or data together with io.EOF.
func TestLinesReaders(t *testing.T) {
	input := "alpha\r\nbeta mk\n\ngamma mk\r\ndelta mk"
	want := naiveLines([]byte(input), []byte("mk"))
	tests := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{name: "OneByteReader", wrap: iotest.OneByteReader},
		{name: "HalfReader", wrap: iotest.HalfReader},
		{name: "DataErrReader", wrap: iotest.DataErrReader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := Source{Paths: []string{"-"}, Stdin: tc.wrap(strings.NewReader(input)), Marker: []byte("mk")}
			got, err := collect(src, tuning{bufSize: 4})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("scan behind %s mismatch (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

// TestMarkerAcrossBufferBoundary reads a file with the default buffer and
// puts the marker at every offset around the first and second buffer
// boundaries, so that it is split between two reads in every possible way.
func TestMarkerAcrossBufferBoundary(t *testing.T) {
	marker := []byte("sasl_username=")
	dir := t.TempDir()
	for _, boundary := range []int{readBufSize, 2 * readBufSize} {
		for shift := -len(marker) - 2; shift <= 2; shift++ {
			var b []byte
			for len(b) < boundary+shift-100 {
				b = append(b, "filler line without it\n"...)
			}
			b = append(b, bytes.Repeat([]byte("x"), boundary+shift-len(b))...)
			b = append(b, marker...)
			b = append(b, "user\nafter "...)
			b = append(b, marker...) // unterminated last line with the marker at EOF
			path := filepath.Join(dir, "log")
			writeFile(t, path, b)
			got, err := collect(Source{Paths: []string{path}, Marker: marker}, defaultTuning)
			if err != nil {
				t.Fatal(err)
			}
			want := naiveLines(b, marker)
			if len(want) != 2 {
				t.Fatalf("test input has %d marker lines, want 2", len(want))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("marker at %d%+d: scan mismatch (-want +got):\n%s", boundary, shift, diff)
			}
		}
	}
}

// TestHugeLine checks that a 16 MiB line, far larger than the read buffer,
// is delivered whole, with and without the marker, and that the lines
// around it are not disturbed.
func TestHugeLine(t *testing.T) {
	huge := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB
	tests := []struct {
		name    string
		marker  string
		hugeHas bool // the huge line holds the marker
	}{
		{name: "no marker", marker: ""},
		{name: "marker in huge line", marker: "MARK", hugeHas: true},
		{name: "marker elsewhere", marker: "MARK"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line := huge
			if tc.hugeHas {
				// At the far end, so that the whole line must have been
				// carried to find it.
				line = append(bytes.Clone(huge), "MARK"...)
			}
			var b []byte
			b = append(b, "before MARK\n"...)
			b = append(b, line...)
			b = append(b, "\nafter MARK\n"...)
			path := tempPath(t, "log")
			writeFile(t, path, b)
			var got [][]byte
			err := Scan(Source{Paths: []string{path}, Marker: []byte(tc.marker)}, func(l []byte) {
				got = append(got, bytes.Clone(l))
			})
			if err != nil {
				t.Fatal(err)
			}
			want := [][]byte{[]byte("before MARK"), line, []byte("after MARK")}
			if !tc.hugeHas && tc.marker != "" {
				want = [][]byte{want[0], want[2]}
			}
			if len(got) != len(want) {
				t.Fatalf("Scan delivered %d lines, want %d", len(got), len(want))
			}
			for i := range want {
				if !bytes.Equal(got[i], want[i]) {
					t.Errorf("line %d: got %d bytes starting %q, want %d bytes starting %q",
						i, len(got[i]), got[i][:min(20, len(got[i]))], len(want[i]), want[i][:min(20, len(want[i]))])
				}
			}
		})
	}
}

// TestMarkerProperty compares the scan with the naive split-then-filter on
// random inputs over a small alphabet (so that markers, CRs and newlines
// meet often), random markers, buffer sizes and read sizes.
func TestMarkerProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	// Even odds make every byte common, so the search falls back to
	// bytes.Index; skewed odds (mostly 'a') make the rare-byte search key
	// on 'b' or a control byte.
	even := []byte("ab\n\r\x00\xff")
	skewed := []byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\n\n\n\r\x00")
	pick := func(alphabet []byte, n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return b
	}
	for i := range 4000 {
		alphabet := even
		if i%2 == 1 {
			alphabet = skewed
		}
		input := pick(alphabet, rng.IntN(300))
		marker := pick(alphabet, rng.IntN(5))
		bufSize := 1 + rng.IntN(32)
		chunk := 1 + rng.IntN(40)
		src := Source{Paths: []string{"-"}, Stdin: &chunkReader{r: bytes.NewReader(input), n: chunk}, Marker: marker}
		got, err := collect(src, tuning{bufSize: bufSize})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(naiveLines(input, marker), got); diff != "" {
			t.Fatalf("case %d: scan(%q, marker %q, buf %d, chunk %d) mismatch (-want +got):\n%s", i, input, marker, bufSize, chunk, diff)
		}
	}
}

// TestIndex checks the rare-byte marker search against bytes.Index, keyed
// on each byte of the marker in turn.
func TestIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for range 20000 {
		data := make([]byte, rng.IntN(40))
		for i := range data {
			data[i] = "abc"[rng.IntN(3)]
		}
		marker := make([]byte, 1+rng.IntN(4))
		for i := range marker {
			marker[i] = "abc"[rng.IntN(3)]
		}
		for k := -1; k < len(marker); k++ {
			lr := lineReader{finder: finder{marker: marker, rare: k, sampled: true}}
			if got, want := lr.index(data), bytes.Index(data, marker); got != want {
				t.Fatalf("index(%q, %q) keyed on byte %d = %d, want %d", data, marker, k, got, want)
			}
		}
	}
}

func TestRarestByte(t *testing.T) {
	sample := []byte(strings.Repeat("client=x, sasl_method=PLAIN, sasl_username=u@example.org\n", 10))
	tests := []struct {
		marker string
		sample []byte
		want   int
	}{
		{marker: "sasl_username=", sample: sample, want: 4}, // '_'
		{marker: "@", sample: sample, want: 0},
		{marker: "a", sample: sample, want: -1},          // common: bytes.Index
		{marker: "zq", sample: sample, want: 0},          // absent: the first absent byte
		{marker: "sasl_username=", sample: nil, want: 0}, // nothing to go by
	}
	for _, tc := range tests {
		if got := rarestByte([]byte(tc.marker), tc.sample); got != tc.want {
			t.Errorf("rarestByte(%q, ...) = %d, want %d", tc.marker, got, tc.want)
		}
	}
}

// TestNoAllocsPerLine checks that delivering lines allocates nothing once
// the buffer exists: the allocations of a scan do not grow with its lines.
func TestNoAllocsPerLine(t *testing.T) {
	line := []byte("Oct  1 11:47:51 u86 postfix/smtpd[10242]: DBED828417: client=unknown[192.168.9.1], sasl_method=PLAIN, sasl_username=macaco@monos.org\n")
	data := bytes.Repeat(line, 20000) // several buffers
	r := bytes.NewReader(data)
	count := 0
	lr := lineReader{buf: make([]byte, readBufSize), finder: finder{marker: []byte("sasl_username=")}, fn: func([]byte) bool { count++; return false }}
	allocs := testing.AllocsPerRun(5, func() {
		r.Reset(data)
		if err := lr.read(r); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("reading %d lines allocated %v times, want 0", 20000, allocs)
	}
	if count != 6*20000 {
		t.Errorf("delivered %d lines, want %d", count, 6*20000)
	}
}

// endlessLines is an input of "mk\n" lines that never ends.
type endlessLines struct{}

func (endlessLines) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = "mk\n"[i%3]
	}
	return len(p) - len(p)%3, nil
}

// TestReadAheadStop: when fn stops the read, readAhead tells its reading
// goroutine to end and waits for it, so it returns even on an endless
// input, and the input is no longer read once it has.
func TestReadAheadStop(t *testing.T) {
	lines := 0
	lr := lineReader{buf: make([]byte, 16), ahead: 16, finder: finder{marker: []byte("mk")}, fn: func([]byte) bool { lines++; return lines == 5 }}
	done := make(chan error, 1)
	go func() { done <- lr.readAhead(endlessLines{}) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("readAhead did not return after fn asked it to stop")
	}
	if lines != 5 {
		t.Errorf("fn called %d times, want 5", lines)
	}
}

// scriptedReader returns its reads in turn, then its error.
type scriptedReader struct {
	reads []string
	err   error
}

func (r *scriptedReader) Read(p []byte) (int, error) {
	if len(r.reads) == 0 {
		return 0, r.err
	}
	n := copy(p, r.reads[0])
	if r.reads[0] = r.reads[0][n:]; r.reads[0] == "" {
		r.reads = r.reads[1:]
	}
	return n, nil
}

// TestTruncatedReader: when the input ends in errTruncated (fileReader saw
// the file shrink), read and readAhead deliver the complete lines before it
// and drop the partial one, whose rest is gone; any other error ends the
// read with the complete lines delivered and the error returned.
func TestTruncatedReader(t *testing.T) {
	failure := errors.New("input/output error")
	for _, tc := range []struct {
		name    string
		reads   []string
		err     error
		want    []string
		wantErr error
	}{
		{name: "truncated mid-line", reads: []string{"line1\nli", "ne2\nline3"}, err: errTruncated, want: []string{"line1", "line2"}},
		{name: "truncated at a line end", reads: []string{"line1\n", "line2\n"}, err: errTruncated, want: []string{"line1", "line2"}},
		{name: "truncated in a long line", reads: []string{"a\n", strings.Repeat("x", 40), strings.Repeat("y", 40)}, err: errTruncated, want: []string{"a"}},
		{name: "read error mid-line", reads: []string{"line1\nli"}, err: failure, want: []string{"line1"}, wantErr: failure},
		{name: "end of input mid-line", reads: []string{"line1\nli"}, err: io.EOF, want: []string{"line1", "li"}},
	} {
		for _, serial := range []bool{false, true} {
			var got []string
			lr := lineReader{buf: make([]byte, 8), ahead: 8, fn: func(line []byte) bool { got = append(got, string(line)); return false }}
			read := lr.readAhead
			if serial {
				read = lr.read
			}
			err := read(&scriptedReader{reads: slices.Clone(tc.reads), err: tc.err})
			if err != tc.wantErr {
				t.Errorf("%s, serial %v: error %v, want %v", tc.name, serial, err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s, serial %v: lines (-want +got):\n%s", tc.name, serial, diff)
			}
		}
	}
}
