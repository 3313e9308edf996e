package tally

import (
	"bytes"
	"hash/maphash"
	"math/bits"
	"unsafe"
)

// Table maps keys to dense ids 0, 1, 2… in the order they were first
// added, and keeps each key's first line and a value V (the caller's
// per-key figures). A key costs its bytes (none when it lies inside its
// line), its line's bytes, 20 bytes of record plus V, and 8-16 bytes of
// hash slot; nothing is allocated per key. V sits in the record the
// lookup reads anyway, so updating it after a lookup costs no further
// cache miss. The zero Table is not ready: use NewTable.
type Table[V any] struct {
	seed  maphash.Seed // per process, so no fixed set of keys collides
	slots []uint64     // tag<<32 | id+1; 0 is an empty slot
	recs  Pages[record[V]]
	arena Arena
	// scratch joins a line and a key that is not part of it.
	scratch []byte
}

// record locates a key's first line and the key in the arena: the key is
// at keyOff in the line's bytes when it was a part of the line, or was
// stored right after the line.
type record[V any] struct {
	line           Ref
	keyOff, keyLen uint32
	val            V
}

// NewTable returns an empty Table.
func NewTable[V any]() *Table[V] {
	return &Table[V]{seed: maphash.MakeSeed()}
}

// Len is the number of keys.
func (t *Table[V]) Len() int { return t.recs.Len() }

// Add returns key's id and value, adding key with line as its first line
// and a zero value when it is new. Neither slice is kept: both are copied
// into the arena (once: a key that lies inside line is kept as an offset
// into the line's copy). The pointer is valid until the next Add.
func (t *Table[V]) Add(key, line []byte) (id uint32, val *V, isNew bool) {
	h := maphash.Bytes(t.seed, key)
	if len(t.slots) > 0 {
		if i, found := t.find(h, key); found {
			id = uint32(t.slots[i]) - 1
			return id, &t.recs.At(id).val, false
		} else if 4*(t.Len()+1) <= 3*len(t.slots) {
			id = t.insert(i, h, key, line)
			return id, &t.recs.At(id).val, true
		}
	}
	t.grow()
	i, _ := t.find(h, key)
	id = t.insert(i, h, key, line)
	return id, &t.recs.At(id).val, true
}

// Value returns key id's value; the pointer is valid until the next Add.
func (t *Table[V]) Value(id uint32) *V { return &t.recs.At(id).val }

// Find returns key's id, false when the table does not hold key.
func (t *Table[V]) Find(key []byte) (uint32, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	i, found := t.find(maphash.Bytes(t.seed, key), key)
	if !found {
		return 0, false
	}
	return uint32(t.slots[i]) - 1, true
}

// Key returns key id's bytes as a string that shares the arena's bytes.
func (t *Table[V]) Key(id uint32) string {
	b := t.key(id)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// Line returns key id's first line as a string that shares the arena's
// bytes.
func (t *Table[V]) Line(id uint32) string {
	return t.arena.String(t.recs.At(id).line)
}

func (t *Table[V]) key(id uint32) []byte {
	r := t.recs.At(id)
	if r.keyLen == 0 {
		return nil
	}
	b := t.arena.chunks[r.line.chunk]
	start := r.line.off + r.keyOff
	return b[start : start+r.keyLen : start+r.keyLen]
}

func (t *Table[V]) insert(slot int, h uint64, key, line []byte) uint32 {
	r := record[V]{keyLen: uint32(len(key))}
	if off, ok := within(key, line); ok || len(key) == 0 {
		r.line, r.keyOff = t.arena.Add(line), uint32(off)
	} else {
		// The key is stored right after the line.
		t.scratch = append(append(t.scratch[:0], line...), key...)
		all := t.arena.Add(t.scratch)
		r.line = Ref{chunk: all.chunk, off: all.off, n: uint32(len(line))}
		r.keyOff = uint32(len(line))
		if cap(t.scratch) > maxChunk {
			t.scratch = nil
		}
	}
	id := t.recs.Append(r)
	t.slots[slot] = h<<32 | uint64(id+1)
	return id
}

// within reports whether key lies inside line, and at which offset.
func within(key, line []byte) (int, bool) {
	if len(key) == 0 || len(line) == 0 {
		return 0, false
	}
	k := uintptr(unsafe.Pointer(unsafe.SliceData(key)))
	l := uintptr(unsafe.Pointer(unsafe.SliceData(line)))
	if k < l || k+uintptr(len(key)) > l+uintptr(len(line)) {
		return 0, false
	}
	return int(k - l), true
}

// find returns key's slot, or the empty slot where it belongs. The slot's
// upper half holds the low 32 bits of the key's hash, so that a probe
// reads the key's bytes only when those match.
func (t *Table[V]) find(h uint64, key []byte) (int, bool) {
	mask := len(t.slots) - 1
	shift := 64 - bits.TrailingZeros(uint(len(t.slots)))
	tag := h << 32
	for i := int(h >> shift); ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return i, false
		}
		if s&^0xFFFFFFFF == tag && bytes.Equal(t.key(uint32(s)-1), key) {
			return i, true
		}
	}
}

// grow doubles the slot table (the first holds 12 keys) and re-places
// every key.
func (t *Table[V]) grow() {
	t.slots = make([]uint64, max(16, 2*len(t.slots)))
	mask := len(t.slots) - 1
	shift := 64 - bits.TrailingZeros(uint(len(t.slots)))
	for id := range uint32(t.Len()) {
		h := maphash.Bytes(t.seed, t.key(id))
		i := int(h >> shift)
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = h<<32 | uint64(id+1)
	}
}
