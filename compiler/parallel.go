package compiler

import (
	"github.com/meshc/meshc/internal/parallel"
	"github.com/meshc/meshc/lang/diag"
)

// Running on every core: the stages that check products one by one do it
// in parallel (internal/parallel), and the result must not depend on
// scheduling: inParallel keeps each item's diagnostics apart and appends
// them in item order, as if the items had been checked one after the
// other.

// inParallel runs do(w, i) for i from 0 to n-1 on every core, with the
// same result as running them in order: w shares c's state but collects
// its own diagnostics, which are appended to c's in the order of i. do may
// change only what belongs to item i, and read only what no other item
// changes.
func (c *compiler) inParallel(n int, do func(w *compiler, i int)) {
	found := make([]diag.Diagnostics, n)
	parallel.ForWith(n, func() func(int) {
		w := compiler{state: c.state}
		return func(i int) {
			w.diags = nil
			do(&w, i)
			found[i] = w.diags
		}
	})
	for _, ds := range found {
		c.diags = append(c.diags, ds...)
	}
}
