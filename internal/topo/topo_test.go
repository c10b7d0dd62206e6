package topo

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSort checks Sort against the plainest reading of what it
// promises, on random graphs with and without cycles: time and again,
// place the lowest-numbered node whose dependencies are all placed; when
// none is left, the nodes not placed follow in number order.
func TestSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 500 {
		n := rng.IntN(40)
		deps := make([][]int, n)
		for i := range n {
			for range rng.IntN(4) {
				// Mostly on lower-numbered nodes; sometimes on any, which
				// may close a cycle.
				if d := rng.IntN(n); d < i || rng.IntN(8) == 0 {
					if d != i && !slices.Contains(deps[i], d) {
						deps[i] = append(deps[i], d)
					}
				}
			}
		}
		if diff := cmp.Diff(lowestReadyFirst(n, deps), Sort(n, deps)); diff != "" {
			t.Fatalf("round %d, deps %v (-want +got):\n%s", round, deps, diff)
		}
	}
}

func lowestReadyFirst(n int, deps [][]int) []int {
	placed := make([]bool, n)
	out := []int{}
	for {
		next := -1
		for i := 0; i < n && next < 0; i++ {
			if !placed[i] && !slices.ContainsFunc(deps[i], func(d int) bool { return !placed[d] }) {
				next = i
			}
		}
		if next < 0 {
			break
		}
		placed[next] = true
		out = append(out, next)
	}
	for i := range n {
		if !placed[i] {
			out = append(out, i)
		}
	}
	return out
}
