package suggest

import (
	"sync"
	"sync/atomic"
)

// List answers Nearest for a list of candidates that may be asked about
// many times or never: the names of a scope, whose every misspelling asks
// again. A mesh without mistakes never asks, and should pay nothing; a
// scope with one or two is quickest looked through as Nearest does; one
// with thousands needs an Index. So a List looks through the list for
// the first names asked about, and makes an Index once they have cost
// about what making it does.
//
// Goroutines may ask at once; the Index is made once.
type List struct {
	candidates []string
	asked      atomic.Int32
	once       sync.Once
	index      *Index // made by the once, then read only
}

// An Index of a list costs about as much to make as looking through the
// list for this many names (BenchmarkScope), and a
// list shorter than smallest is looked through about as quickly as an
// Index is walked.
const (
	askedBeforeIndex = 16
	smallest         = 256
)

// NewList is a List of candidates, which it keeps and which must not
// change.
func NewList(candidates []string) *List {
	return &List{candidates: candidates}
}

// Nearest returns what Nearest(name, candidates) does.
func (l *List) Nearest(name string) string {
	if len(l.candidates) < smallest || l.asked.Add(1) <= askedBeforeIndex {
		return Nearest(name, l.candidates)
	}
	l.once.Do(func() { l.index = NewIndex(l.candidates) })
	return l.index.Nearest(name)
}

// DidYouMean returns what DidYouMean(name, candidates) does.
func (l *List) DidYouMean(name string) string {
	return meant(l.Nearest(name))
}
