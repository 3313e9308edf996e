package journal

import (
	"bytes"
	"strings"
	"testing"
)

// TestFieldCap: a kept field over the cap drops its entry with one warning
// naming the journal and the offset, whether it is written as text or as
// binary, and the entries after it are read; the reader's memory stays at
// the cap (a field is never gathered past it).
func TestFieldCap(t *testing.T) {
	big := strings.Repeat("x", 3000)
	var in bytes.Buffer
	in.WriteString("__REALTIME_TIMESTAMP=1\nMESSAGE=" + big + "\n\n")
	in.WriteString("__REALTIME_TIMESTAMP=1\nMESSAGE\n\xb8\x0b\x00\x00\x00\x00\x00\x00" + big + "\n\n")
	in.WriteString("__REALTIME_TIMESTAMP=1\nOTHER=" + big + "\nMESSAGE=small\n\n")
	var warn bytes.Buffer
	src := &Source{Dir: "/j", Warn: &warn, maxField: 2048}
	var got []string
	p := parser{r: newReader(&in, 1024), src: src, maxField: src.maxField}
	if err := p.run(func(e *Entry) { got = append(got, string(e.Message)) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "small" {
		t.Errorf("delivered %q, want only the small entry", got)
	}
	if n := strings.Count(warn.String(), "\n"); n != 1 || !strings.Contains(warn.String(), "journal:/j") || !strings.Contains(warn.String(), "at byte 23") {
		t.Errorf("warnings %q, want one naming journal:/j at byte 23", warn.String())
	}
	if cap(p.line) > 2*(2048+1024) {
		t.Errorf("line buffer grew to %d bytes past the cap", cap(p.line))
	}
}
