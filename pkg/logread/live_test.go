package logread

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// liveLine is line id of the logs the live tests write: 64 bytes with the
// newline. Lines that divide the page size never straddle a page, so a
// single write(2) of one becomes visible to readers whole, as syslog's
// writes of short lines do in practice; a torn line would then be a bug in
// Scan, not in the test.
func liveLine(id int) string {
	return fmt.Sprintf("line id=%010d %s\n", id, strings.Repeat("x", 44))
}

// liveID checks that line is exactly a line the writer wrote and returns
// its id.
func liveID(t *testing.T, line []byte) int {
	t.Helper()
	s := string(line)
	if len(s) != 63 || !strings.HasPrefix(s, "line id=") {
		t.Fatalf("delivered a line that was never written: %q", s)
	}
	id, err := strconv.Atoi(s[8:18])
	if err != nil || liveLine(id) != s+"\n" {
		t.Fatalf("delivered a line that was never written: %q", s)
	}
	return id
}

// prefill writes lines [0, n) to path.
func prefill(t *testing.T, path string, n int) {
	t.Helper()
	var b strings.Builder
	for id := range n {
		b.WriteString(liveLine(id))
	}
	writeFile(t, path, []byte(b.String()))
}

// liveWriter appends lines to path from its own goroutine until stopped,
// as syslog does: O_APPEND, one write per line. It is throttled to about a
// megabyte a second, far above a busy mail server's rate.
type liveWriter struct {
	path   string
	next   int           // id of the next line
	rotate chan struct{} // rename path to path.1 and go on in a new path
	done   chan struct{} // the rotation is complete
	stop   chan struct{}
	result chan error
	err    error
	once   sync.Once
	// oldLines is how many lines the renamed file holds; read after stop.
	oldLines int
}

func startWriter(t *testing.T, path string, next int) *liveWriter {
	w := &liveWriter{path: path, next: next, rotate: make(chan struct{}), done: make(chan struct{}),
		stop: make(chan struct{}), result: make(chan error, 1)}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	go func() { w.result <- w.run(f) }()
	t.Cleanup(func() { w.finish() })
	return w
}

func (w *liveWriter) run(f *os.File) error {
	defer func() { f.Close() }()
	for {
		select {
		case <-w.stop:
			return nil
		case <-w.rotate:
			if err := os.Rename(w.path, w.path+".1"); err != nil {
				return err
			}
			nf, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			if err != nil {
				return err
			}
			f.Close()
			f = nf
			w.oldLines = w.next
			close(w.done)
		default:
		}
		if _, err := f.WriteString(liveLine(w.next)); err != nil {
			return err
		}
		w.next++
		time.Sleep(50 * time.Microsecond)
	}
}

// rotateNow has the writer rotate and waits until it has.
func (w *liveWriter) rotateNow(t *testing.T) {
	t.Helper()
	select {
	case w.rotate <- struct{}{}:
		<-w.done
	case err := <-w.result:
		t.Fatalf("writer stopped: %v", err)
	}
}

// finish stops the writer and returns its error; it may be called twice.
func (w *liveWriter) finish() error {
	w.once.Do(func() {
		close(w.stop)
		w.err = <-w.result
	})
	return w.err
}

// TestRenamedWhileReading renames the log (and lets the writer go on in a
// new file) while Scan is half-way through it: Scan reads the file it
// opened to its end, every line once.
func TestRenamedWhileReading(t *testing.T) {
	path := tempPath(t, "mail.log")
	const n = 1 << 16 // 4 MiB, many buffers
	prefill(t, path, n)
	w := startWriter(t, path, n)
	var ids []int
	err := Scan(Source{Paths: []string{path}}, func(line []byte) {
		ids = append(ids, liveID(t, line))
		if len(ids) == n/2 {
			w.rotateNow(t)
		}
	})
	if err := w.finish(); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the writer appended %d lines before the rotation, %d after", w.oldLines-n, w.next-w.oldLines)
	// The renamed file was complete when the rotation returned, and Scan
	// holds it open: it must deliver exactly its lines, in order.
	if len(ids) != w.oldLines {
		t.Fatalf("delivered %d lines, the renamed file has %d", len(ids), w.oldLines)
	}
	for i, id := range ids {
		if id != i {
			t.Fatalf("line %d has id %d: lost, repeated or reordered lines", i, id)
		}
	}
}

// TestTruncatedWhileReading copies and truncates the log (logrotate's
// copytruncate) while Scan is half-way through it and a writer goes on
// appending: Scan stops at the truncation, with no line twice and no torn
// line from the rewritten file. Serially, nothing after the lines read
// before the truncation is delivered; reading ahead, the lines its buffers
// already held are (they were in the file when read), and no more.
func TestTruncatedWhileReading(t *testing.T) {
	for _, serial := range []bool{true, false} {
		t.Run(fmt.Sprintf("serial=%v", serial), func(t *testing.T) { testTruncatedWhileReading(t, serial) })
	}
}

func testTruncatedWhileReading(t *testing.T, serial bool) {
	tu := defaultTuning
	tu.serial, tu.handover = serial, 0 // the log is 4 MiB: read ahead from the start
	path := tempPath(t, "mail.log")
	const n = 1 << 16
	prefill(t, path, n)
	w := startWriter(t, path, n)
	// Mid-buffer, so that lines already read follow the truncation.
	const at = n/2 + 1000
	var ids []int
	err := scan(Source{Paths: []string{path}}, func(line []byte) {
		ids = append(ids, liveID(t, line))
		if len(ids) == at {
			if err := copyTruncate(path); err != nil {
				t.Error(err)
			}
		}
	}, tu)
	if err := w.finish(); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("delivered %d lines; the writer appended %d", len(ids), w.next-n)
	if len(ids) < at {
		t.Fatalf("delivered %d lines, want at least the %d read before the truncation", len(ids), at)
	}
	// What was read before the truncation is delivered in order; nothing
	// of the rewritten file follows.
	for i, id := range ids {
		if id != i {
			t.Fatalf("line %d has id %d: lost, repeated or reordered lines", i, id)
		}
	}
	if serial && len(ids) >= n {
		t.Errorf("delivered %d lines, more than the %d before the truncation; the test's writer outran the check", len(ids), n)
	}
	// Reading ahead: the buffer being scanned and every one filled ahead.
	if ahead := (aheadBuffers + 1) * tu.bufSize / len(liveLine(0)); !serial && len(ids) > at+ahead {
		t.Errorf("delivered %d lines, %d after the truncation: more than the read-ahead buffers hold (%d)", len(ids), len(ids)-at, ahead)
	}
}

func copyTruncate(path string) error {
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(path + ".1")
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	if err := dst.Close(); err != nil {
		return err
	}
	return os.Truncate(path, 0)
}

// TestTruncatedPartialLineDropped truncates the file right after the first
// read, which ended inside a line: that line's head is not delivered, as
// its rest no longer exists. It reads serially, so that the truncation
// falls between two reads; TestTruncatedReader holds readAhead to the same.
func TestTruncatedPartialLineDropped(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after string // what the file holds after the truncation
	}{
		{name: "to empty", after: ""},
		{name: "to shorter than what was read", after: "new\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tempPath(t, "mail.log")
			writeFile(t, path, []byte("line1\nline2\nline3\n"))
			var got []string
			err := scan(Source{Paths: []string{path}}, func(line []byte) {
				got = append(got, string(line))
				if len(got) == 1 {
					writeFile(t, path, []byte(tc.after)) // O_TRUNC, same inode
				}
			}, tuning{bufSize: 8, serial: true}) // the first read is "line1\nli"
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"line1"}, got); diff != "" {
				t.Errorf("Scan mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRotatedWhileReadingPrevious rotates the logs (FILE.1 → FILE.2,
// FILE → FILE.1, new FILE) while Scan reads FILE.1 before FILE: Scan
// finishes the two files it opened, each line once.
func TestRotatedWhileReadingPrevious(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	writeFile(t, log+".1", []byte("2026-01-02T09:00:00Z a\n2026-01-02T09:30:00Z b\n"))
	writeFile(t, log, []byte("2026-01-02T10:30:00Z c\n2026-01-02T10:40:00Z d\n"))
	var got []string
	err := Scan(Source{
		Paths:   []string{log},
		Since:   time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC),
		TimeOf:  isoTimeOf,
		Rotated: true,
	}, func(line []byte) {
		got = append(got, string(line))
		if len(got) == 1 {
			for _, mv := range [][2]string{{log + ".1", log + ".2"}, {log, log + ".1"}} {
				if err := os.Rename(mv[0], mv[1]); err != nil {
					t.Fatal(err)
				}
			}
			writeFile(t, log, []byte("2026-01-02T11:00:00Z e\n"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-01-02T09:00:00Z a", "2026-01-02T09:30:00Z b", "2026-01-02T10:30:00Z c", "2026-01-02T10:40:00Z d"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Scan mismatch (-want +got):\n%s", diff)
	}
}
