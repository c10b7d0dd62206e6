// Package topo sorts a dependency graph topologically, breaking ties by
// the nodes' numbers, so that an order is stable as a mesh grows.
package topo

import "container/heap"

// Sort orders nodes 0..n-1 so that each comes after all of deps[i],
// choosing the lowest-numbered of the nodes ready: callers number their
// nodes in the order ties should be broken in (the checker's steps and
// products by name, GitLab's pipelines by their first product). Nodes on
// a cycle or after one come last, in number order.
func Sort(n int, deps [][]int) []int {
	waiting := make([]int, n)
	dependents := make([][]int, n)
	for i, ds := range deps {
		waiting[i] = len(ds)
		for _, d := range ds {
			dependents[d] = append(dependents[d], i)
		}
	}
	ready := &lowestFirst{}
	for i := range n {
		if waiting[i] == 0 {
			heap.Push(ready, i)
		}
	}
	out := make([]int, 0, n)
	placed := make([]bool, n)
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		out = append(out, i)
		placed[i] = true
		for _, d := range dependents[i] {
			if waiting[d]--; waiting[d] == 0 {
				heap.Push(ready, d)
			}
		}
	}
	for i := range n {
		if !placed[i] {
			out = append(out, i)
		}
	}
	return out
}

// lowestFirst is a heap of node numbers, the lowest on top.
type lowestFirst []int

func (h lowestFirst) Len() int           { return len(h) }
func (h lowestFirst) Less(i, j int) bool { return h[i] < h[j] }
func (h lowestFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *lowestFirst) Push(x any)        { *h = append(*h, x.(int)) }
func (h *lowestFirst) Pop() any {
	x := (*h)[len(*h)-1]
	*h = (*h)[:len(*h)-1]
	return x
}
