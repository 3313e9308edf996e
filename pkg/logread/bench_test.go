package logread

import (
	"testing"
	"time"
)

// BenchmarkScan is the full scan a checker without a window does (and what
// every checker does on stdin and .gz): a 64 MiB Postfix log, the
// sasl_username= marker. MB/s is log bytes scanned per second.
func BenchmarkScan(b *testing.B) {
	data := postfixLog(64<<20, time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), 7*24*time.Hour, syslogStamp)
	path := tempPath(b, "mail.log")
	writeFile(b, path, data)
	src := Source{Paths: []string{path}, Marker: []byte("sasl_username=")}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = 0
		if err := Scan(src, func([]byte) { n++ }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "lines/op")
}

// BenchmarkScanWindow is the windowed case: the last hour of a 30-day,
// 64 MiB log, found by the window search. MB/s is the whole log's size over
// the time taken, i.e. what a full scan would need to reach to be as fast.
func BenchmarkScanWindow(b *testing.B) {
	end := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	data := postfixLog(64<<20, end, 30*24*time.Hour, isoStamp)
	path := tempPath(b, "mail.log")
	writeFile(b, path, data)
	src := Source{
		Paths:  []string{path},
		Marker: []byte("sasl_username="),
		Since:  end.Add(-time.Hour),
		TimeOf: isoTimeOf,
		Slack:  5 * time.Minute,
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = 0
		if err := Scan(src, func([]byte) { n++ }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "lines/op")
}
