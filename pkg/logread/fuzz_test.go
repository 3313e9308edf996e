package logread

import (
	"bytes"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzScan checks the line splitter and marker filter against the naive
// split-then-filter, with the input cut into reads of chunk bytes and a
// read buffer of bufSize bytes, so that lines, CRs and matches fall across
// read and buffer boundaries. Seeds are in testdata/fuzz/FuzzScan.
func FuzzScan(f *testing.F) {
	f.Add([]byte("a\nsasl_username=x\r\n\nlast sasl_username="), []byte("sasl_username="), uint8(3), uint8(5))
	f.Fuzz(func(t *testing.T, data, marker []byte, chunk, bufSize uint8) {
		src := Source{
			Paths:  []string{"-"},
			Stdin:  &chunkReader{r: bytes.NewReader(data), n: 1 + int(chunk)},
			Marker: marker,
		}
		got, err := collect(src, tuning{bufSize: 1 + int(bufSize)})
		if err != nil {
			t.Fatal(err)
		}
		if want := naiveLines(data, marker); !slices.Equal(want, got) {
			t.Errorf("scan(%q, marker %q, chunk %d, buf %d) mismatch (-want +got):\n%s",
				data, marker, 1+int(chunk), 1+int(bufSize), cmp.Diff(want, got))
		}
	})
}
