package php

import (
	"path/filepath"
	"testing"
)

// benchLines returns the real mail.log samples plus eval'd and syslog
// lines: the mix a shared host's log holds.
func benchMailLogLines(b *testing.B) (lines [][]byte, size int64) {
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.log"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no corpus files: %v", err)
	}
	for _, name := range files {
		lines = append(lines, readLines(b, name)...)
	}
	lines = append(lines,
		[]byte("[27-Nov-2026 18:00:00 UTC] mail() on [/var/www/site/index.php(12) : eval()'d code(3) : eval()'d code:1]: To: a@example.org -- Headers: "),
		[]byte("Nov 27 18:00:01 web1 php-fpm: [27-Nov-2026 18:00:01 Europe/Madrid] mail() on [/var/www/a.php:3]: To: a@example.org -- Headers: "),
	)
	for _, l := range lines {
		size += int64(len(l)) + 1
	}
	return lines, size
}

func BenchmarkParseMailLog(b *testing.B) {
	lines, size := benchMailLogLines(b)
	b.ReportAllocs()
	b.SetBytes(size)
	for b.Loop() {
		for _, l := range lines {
			if _, ok := ParseMailLog(l); !ok {
				b.Fatalf("not counted: %q", l)
			}
		}
	}
}

func BenchmarkParseLegacy(b *testing.B) {
	var lines [][]byte
	var size int64
	for _, tc := range legacyCases {
		if tc.ok {
			lines = append(lines, []byte(tc.line))
			size += int64(len(tc.line)) + 1
		}
	}
	b.ReportAllocs()
	b.SetBytes(size)
	for b.Loop() {
		for _, l := range lines {
			if _, ok := ParseLegacy(l); !ok {
				b.Fatalf("not counted: %q", l)
			}
		}
	}
}

// BenchmarkCounterAdd: counting a script seen before allocates nothing.
func BenchmarkCounterAdd(b *testing.B) {
	lines, size := benchMailLogLines(b)
	c := NewCounter()
	b.ReportAllocs()
	b.SetBytes(size)
	for b.Loop() {
		for _, l := range lines {
			if key, ok := ParseMailLog(l); ok {
				c.Add(key)
			}
		}
	}
}
