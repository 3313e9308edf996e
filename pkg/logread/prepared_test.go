package logread

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// preparedLine is what TestScanPrepared's fn records: the line and the
// value prepare gave it.
type preparedLine struct {
	Line  string
	Value int
}

// TestScanPrepared: ScanPrepared delivers the lines and values that Scan
// with prepare called inline delivers, in every read mode and with buffer
// boundaries everywhere; prepare drops lines. Each prepare keeps state of
// its own (a scratch buffer), so one shared between the two goroutines is
// a data race, which -race reports.
func TestScanPrepared(t *testing.T) {
	data := postfixLog(2<<20, time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), 24*time.Hour, syslogStamp)
	data = append(data, "unterminated sasl_username=last"...)
	path := tempPath(t, "mail.log")
	writeFile(t, path, data)
	newPrepare := func() func(line []byte, v *int) bool {
		var scratch []byte
		return func(line []byte, v *int) bool {
			scratch = append(scratch[:0], line...)
			*v = bytes.Count(scratch, []byte("1"))
			return *v%3 != 0 // drop a third of the lines
		}
	}
	src := Source{Paths: []string{path}, Marker: []byte("sasl_username=")}
	var want []preparedLine
	inline := newPrepare()
	err := scan(src, func(line []byte) {
		var v int
		if inline(line, &v) {
			want = append(want, preparedLine{string(line), v})
		}
	}, tuning{serial: true, bufSize: readBufSize})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 100 {
		t.Fatalf("only %d lines prepared: the test log is too small", len(want))
	}
	for _, tu := range []tuning{
		{bufSize: 7},
		{bufSize: 512},
		{bufSize: 4096, handover: 64 << 10},
		{bufSize: 4096, serial: true},
		{bufSize: readBufSize},
	} {
		t.Run(fmt.Sprintf("%+v", tu), func(t *testing.T) {
			var got []preparedLine
			err := scanPrepared(src, newPrepare, func(line []byte, v *int) {
				got = append(got, preparedLine{string(line), *v})
			}, tu)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ScanPrepared differs from Scan with prepare inline (-want +got):\n%s", diff)
			}
		})
	}
}
