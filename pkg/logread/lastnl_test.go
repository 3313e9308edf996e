package logread

import (
	"bytes"
	"testing"
)

// TestLastNewline compares lastNewline with bytes.LastIndexByte on every
// placement of up to two '\n' in buffers of 0–40 bytes, with the bytes
// around them chosen to trip the word test's borrow (0x0b, 0x09, 0x8a:
// one off '\n' and '\n' with the high bit set).
func TestLastNewline(t *testing.T) {
	for _, fill := range []byte{'x', 0x0b, 0x09, 0x8a, 0x00, 0xff} {
		for n := 0; n <= 40; n++ {
			for a := -1; a < n; a++ {
				for b := a; b < n; b++ {
					buf := bytes.Repeat([]byte{fill}, n)
					if a >= 0 {
						buf[a] = '\n'
					}
					if b >= 0 {
						buf[b] = '\n'
					}
					if got, want := lastNewline(buf), bytes.LastIndexByte(buf, '\n'); got != want {
						t.Fatalf("lastNewline(%q) = %d, want %d", buf, got, want)
					}
				}
			}
		}
	}
}

func FuzzLastNewline(f *testing.F) {
	f.Add([]byte("abc\ndefghijk\x0b\x0blmnop"))
	f.Add([]byte("\n\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := lastNewline(b), bytes.LastIndexByte(b, '\n'); got != want {
			t.Fatalf("lastNewline(%q) = %d, want %d", b, got, want)
		}
	})
}
