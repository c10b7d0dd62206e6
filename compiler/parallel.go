package compiler

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/meshc/meshc/lang/diag"
)

// Running on every core. A large mesh has tens of thousands of products,
// each checked on its own, so the stages that check them one by one do it
// in parallel; the result must not depend on scheduling: inParallel keeps
// each item's diagnostics apart and appends them in item order, as if the
// items had been checked one after the other.

// parallel calls do(i) for i from 0 to n-1, on every core. The calls must
// not depend on each other.
func parallel(n int, do func(i int)) {
	parallelWith(n, func() func(int) { return do })
}

// parallelWith is parallel with state per goroutine: each calls worker once
// for the function it then calls for its share of the items.
func parallelWith(n int, worker func() func(i int)) {
	procs := runtime.GOMAXPROCS(0)
	// Chunks small enough to share the work out evenly, large enough that
	// taking one costs nothing next to the work.
	chunk := min(256, max(1, n/(8*procs)))
	if procs == 1 || n <= chunk {
		do := worker()
		for i := range n {
			do(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(procs, (n+chunk-1)/chunk) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			do := worker()
			for {
				start := int(next.Add(int64(chunk))) - chunk
				if start >= n {
					return
				}
				for i := start; i < min(start+chunk, n); i++ {
					do(i)
				}
			}
		}()
	}
	wg.Wait()
}

// inParallel runs do(w, i) for i from 0 to n-1 on every core, with the
// same result as running them in order: w shares c's state but collects
// its own diagnostics, which are appended to c's in the order of i. do may
// change only what belongs to item i, and read only what no other item
// changes.
func (c *compiler) inParallel(n int, do func(w *compiler, i int)) {
	found := make([]diag.Diagnostics, n)
	parallelWith(n, func() func(int) {
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
