package tally

import (
	"bytes"
	"strconv"
	"testing"
)

// FuzzTable splits the input into lines at '\n' and keys each line by
// the bytes after its last ':' (a part of the line), or, for lines
// starting with '!', by the line reversed (not a part of it), and checks
// ids, keys and first lines against a map.
func FuzzTable(f *testing.F) {
	f.Add([]byte("a:x\nb:x\nc:y\n!ab\n!ba\n:\n\n"))
	f.Add(bytes.Repeat([]byte("k:1\nk:2\n"), 50))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab := NewTable[uint32]()
		type entry struct {
			id   uint32
			line string
			n    uint32 // Adds of the key
		}
		model := map[string]entry{}
		for _, line := range bytes.Split(data, []byte("\n")) {
			var key []byte
			if len(line) > 0 && line[0] == '!' {
				key = make([]byte, len(line))
				for i := range line {
					key[i] = line[len(line)-1-i]
				}
			} else {
				key = line[bytes.LastIndexByte(line, ':')+1:]
			}
			id, v, isNew := tab.Add(key, line)
			e, seen := model[string(key)]
			if isNew == seen || seen && id != e.id || !seen && int(id) != len(model) {
				t.Fatalf("Add(%q) = %d, %v; model %+v, %v", key, id, isNew, e, seen)
			}
			if !seen {
				e = entry{id: id, line: string(line)}
			}
			e.n++
			model[string(key)] = e
			*v++
		}
		for key, e := range model {
			if id, ok := tab.Find([]byte(key)); !ok || id != e.id || tab.Key(id) != key || tab.Line(id) != e.line || *tab.Value(id) != e.n {
				t.Fatalf("key %q: Find = %d %v, Key %q, Line %q; want %d, line %q; value %d, want %d", key, id, ok, tab.Key(id), tab.Line(id), e.id, e.line, *tab.Value(id), e.n)
			}
		}
	})
}

func BenchmarkTableAdd(b *testing.B) {
	for _, bc := range []struct {
		name string
		keys int
	}{{"few", 5000}, {"single", 1 << 30}} {
		b.Run(bc.name, func(b *testing.B) {
			const lines = 1 << 18
			raw := make([][]byte, lines)
			for i := range raw {
				raw[i] = []byte("Nov 27 17:30:00 mx1 postfix/smtpd[1000]: A00000: client=unknown[10.0.0.1], sasl_method=PLAIN, sasl_username=u" +
					string(rune('a'+i%26)) + strconv.Itoa(i%min(bc.keys, lines)) + "@example.net")
			}
			b.ReportAllocs()
			var tab *Table[int64]
			i := 0
			for b.Loop() {
				if i%lines == 0 {
					tab = NewTable[int64]()
				}
				line := raw[i%lines]
				tab.Add(line[bytes.LastIndexByte(line, '=')+1:], line)
				i++
			}
		})
	}
}
