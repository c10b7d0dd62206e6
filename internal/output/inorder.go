package output

import "sync"

// inOrder calls the function worker makes for each of the items 0 to n-1,
// on the given number of goroutines, and hands each item's result to use,
// on the caller's goroutine, in the order of the items, as soon as it and
// those before it are done. The goroutines run at most ahead(goroutines)
// items ahead of use, so that however many items there are, only a few
// results wait in memory.
//
// The first error in the order of the items, from an item or from use,
// stops it: use sees nothing past it, and no item is handed to a
// goroutine once it is found. inOrder returns once the items under way
// then are done and no goroutine of its own is left.
func inOrder(n, goroutines int, worker func() func(i int) ([]byte, error), use func([]byte) error) error {
	goroutines = max(1, goroutines)
	type result struct {
		data []byte
		err  error
	}
	type item struct {
		i    int
		done chan<- result
	}
	// Each item's result comes back on a channel of its own, which waits
	// in queue, in the order of the items, for use: queue's capacity is
	// how far the goroutines may run ahead.
	queue := make(chan chan result, ahead(goroutines))
	items := make(chan item)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(items)
		defer close(queue)
		for i := range n {
			// A select with stop closed and a send ready may take
			// either: look at stop first.
			select {
			case <-stop:
				return
			default:
			}
			done := make(chan result, 1) // so that a result is never waited on
			select {
			case queue <- done:
			case <-stop:
				return
			}
			select {
			case items <- item{i, done}:
			case <-stop:
				return
			}
		}
	})
	for range min(goroutines, n) {
		wg.Go(func() {
			do := worker()
			for it := range items {
				data, err := do(it.i)
				it.done <- result{data, err}
			}
		})
	}

	var err error
	for done := range queue {
		r := <-done
		if err = r.err; err == nil {
			err = use(r.data)
		}
		if err != nil {
			close(stop)
			break
		}
	}
	wg.Wait()
	return err
}

// ahead is how many items inOrder's goroutines may run ahead of its use:
// room for each to have one done while another is being done.
func ahead(goroutines int) int { return 2 * goroutines }
