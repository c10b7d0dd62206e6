// Package parallel runs independent pieces of work on every core. A large
// mesh has tens of thousands of products, each checked or compiled on its
// own: loading, the checker's stages and the targets' emitters use it,
// keeping each piece's results apart and merging them in order, so that
// what they produce does not depend on scheduling. The output writer uses
// Blocking for file system calls.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls do(i) for i from 0 to n-1, on every core. The calls must not
// depend on each other.
func For(n int, do func(i int)) {
	ForWith(n, func() func(int) { return do })
}

// ForWith is For with state per goroutine: each calls worker once for the
// function it then calls for its share of the items.
func ForWith(n int, worker func() func(i int)) {
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
	run(n, procs, chunk, worker)
}

// Blocking calls do(i) for i from 0 to n-1 on the given number of
// goroutines, one item at a time, whatever the number of cores: for calls
// that wait on the file system, where more of them than cores keep the
// disk busy.
func Blocking(n, goroutines int, do func(i int)) {
	BlockingWith(n, goroutines, func() func(int) { return do })
}

// BlockingWith is Blocking with state per goroutine, as ForWith is For's.
func BlockingWith(n, goroutines int, worker func() func(i int)) {
	run(n, max(1, goroutines), 1, worker)
}

// run calls the function worker makes for each of the items 0 to n-1, on
// at most goroutines goroutines (fewer when there are fewer runs of chunk
// items), each taking the next run of chunk items until none is left.
func run(n, goroutines, chunk int, worker func() func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(goroutines, (n+chunk-1)/chunk) {
		wg.Go(func() {
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
		})
	}
	wg.Wait()
}
