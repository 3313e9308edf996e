package tally

// Pages is a growable array of T in fixed pages, indexed by uint32: growing
// it never copies what it holds (a slice grown by append copies it and,
// for a moment, holds it twice), and a page holds no pointers when T holds
// none. The zero Pages is empty.
type Pages[T any] struct {
	pages [][]T
	n     int
}

const pageSize = 4096

// Append adds v at index Len() and returns that index.
func (p *Pages[T]) Append(v T) uint32 {
	last := len(p.pages) - 1
	switch {
	case last < 0:
		p.pages = append(p.pages, make([]T, 0, 16))
		last = 0
	case len(p.pages[last]) == cap(p.pages[last]) && cap(p.pages[last]) < pageSize:
		// The first page starts small and doubles up to a full page.
		grown := make([]T, len(p.pages[last]), 2*cap(p.pages[last]))
		copy(grown, p.pages[last])
		p.pages[last] = grown
	case len(p.pages[last]) == cap(p.pages[last]):
		p.pages = append(p.pages, make([]T, 0, pageSize))
		last++
	}
	p.pages[last] = append(p.pages[last], v)
	p.n++
	return uint32(p.n - 1)
}

// At returns a pointer to element i, valid until the next Append (which
// may move the first page while it is smaller than a full page).
func (p *Pages[T]) At(i uint32) *T {
	return &p.pages[i/pageSize][i%pageSize]
}

// Len is the number of elements.
func (p *Pages[T]) Len() int { return p.n }
