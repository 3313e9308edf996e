//go:build unix

package logread

import (
	"github.com/spam-gear/spamcheck/pkg/testenv"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestFIFO reads a named pipe as a stream: no size, no seek, even with a
// window and rotation requested.
func TestFIFO(t *testing.T) {
	path := tempPath(t, "pipe")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		testenv.Missing(t, "mkfifo: %v", err)
	}
	// Larger than a pipe buffer, in small writes, so that reads return
	// partial data.
	var want []string
	var content strings.Builder
	for i := range 5000 {
		line := "2026-01-02T03:04:05Z pipe line " + strings.Repeat("x", i%50)
		want = append(want, line)
		content.WriteString(line + "\n")
	}
	errc := make(chan error, 1)
	go func() {
		w, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			errc <- err
			return
		}
		data := content.String()
		for len(data) > 0 {
			n := min(len(data), 777)
			if _, err := w.WriteString(data[:n]); err != nil {
				w.Close()
				errc <- err
				return
			}
			data = data[n:]
		}
		errc <- w.Close()
	}()
	src := Source{
		Paths:   []string{path},
		Since:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		TimeOf:  isoTimeOf,
		Rotated: true,
	}
	got, err := collect(src, defaultTuning)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Scan(FIFO) mismatch (-want +got):\n%s", diff)
	}
}
