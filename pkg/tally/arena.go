package tally

import "unsafe"

// Arena is an append-only store of byte strings in large chunks. The zero
// Arena is empty and allocates nothing until the first Add.
type Arena struct {
	chunks [][]byte
	open   int // 1 + the index of the chunk being filled; 0: none yet
}

// Chunk sizes: the first chunk is small (a run that keeps a few keys
// should not pay for a megabyte), each next one twice the size up to
// maxChunk. A string larger than maxChunk/4 gets a chunk of its own, so a
// chunk never wastes more than a quarter of itself on a tail that did not
// fit.
const (
	minChunk = 16 << 10
	maxChunk = 1 << 20
)

// Ref locates a string in an Arena. The zero Ref is the empty string.
type Ref struct {
	chunk, off, n uint32
}

// Len is the length of the string r refers to.
func (r Ref) Len() int { return int(r.n) }

// Add copies b into the arena and returns where it is. b must be shorter
// than 4 GiB (logread skips lines over 64 MiB).
func (a *Arena) Add(b []byte) Ref {
	if len(b) == 0 {
		return Ref{}
	}
	if len(b) > maxChunk/4 {
		c := make([]byte, len(b))
		copy(c, b)
		a.chunks = append(a.chunks, c)
		return Ref{chunk: uint32(len(a.chunks) - 1), n: uint32(len(b))}
	}
	if a.open == 0 || cap(a.chunks[a.open-1])-len(a.chunks[a.open-1]) < len(b) {
		size := minChunk
		if a.open > 0 {
			size = min(maxChunk, 2*cap(a.chunks[a.open-1]))
		}
		a.chunks = append(a.chunks, make([]byte, 0, size))
		a.open = len(a.chunks)
	}
	i := a.open - 1
	c := a.chunks[i]
	r := Ref{chunk: uint32(i), off: uint32(len(c)), n: uint32(len(b))}
	a.chunks[i] = append(c, b...)
	return r
}

// Bytes returns the bytes r refers to; the caller must not modify them.
func (a *Arena) Bytes(r Ref) []byte {
	if r.n == 0 {
		return nil
	}
	return a.chunks[r.chunk][r.off : r.off+r.n : r.off+r.n]
}

// String returns the bytes r refers to as a string, without a copy: the
// arena never writes them again.
func (a *Arena) String(r Ref) string {
	b := a.Bytes(r)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// Size is the bytes the arena has allocated.
func (a *Arena) Size() int {
	n := 0
	for _, c := range a.chunks {
		n += cap(c)
	}
	return n
}
