// Command benchtable reads the output of meshc's benchmarks
// (internal/perf) and prints a table of each benchmark's time as a
// multiple of the parse floor at each size, and how its time and memory
// grow from one size to the next (10 is linear when sizes grow tenfold):
//
//	go test ./internal/perf -run '^$' -bench . -benchmem -benchtime 1x | go run ./internal/perf/benchtable
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// line matches a benchmark result: BenchmarkName/products=N-CPUS ITER values...
var line = regexp.MustCompile(`^Benchmark(\S+?)/products=(\d+)(?:-\d+)?\s+\d+\s+(.*)$`)

type result struct {
	ns, bytes, xFloor float64
}

func main() {
	results := map[string]map[int]result{} // benchmark -> size -> result
	var names []string
	sizes := map[int]bool{}
	in := bufio.NewScanner(io.TeeReader(os.Stdin, os.Stderr))
	for in.Scan() {
		m := line.FindStringSubmatch(in.Text())
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		var r result
		fields := strings.Fields(m[3])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			switch fields[i+1] {
			case "ns/op":
				r.ns = v
			case "B/op":
				r.bytes = v
			case "x-floor":
				r.xFloor = v
			}
		}
		if results[m[1]] == nil {
			results[m[1]] = map[int]result{}
			names = append(names, m[1])
		}
		results[m[1]][n] = r
		sizes[n] = true
	}
	order := slices.Sorted(func(yield func(int) bool) {
		for n := range sizes {
			if !yield(n) {
				return
			}
		}
	})
	fmt.Print("\n| benchmark |")
	for _, n := range order {
		fmt.Printf(" %d products |", n)
	}
	for i := 1; i < len(order); i++ {
		fmt.Printf(" time, memory %d→%d |", order[i-1], order[i])
	}
	fmt.Print("\n| --- |")
	for range 2*len(order) - 1 {
		fmt.Print(" --- |")
	}
	fmt.Println()
	for _, name := range names {
		fmt.Printf("| %s |", name)
		for _, n := range order {
			if r, ok := results[name][n]; ok {
				fmt.Printf(" %.2f× floor (%.2f s) |", r.xFloor, r.ns/1e9)
			} else {
				fmt.Print(" |")
			}
		}
		for i := 1; i < len(order); i++ {
			a, okA := results[name][order[i-1]]
			b, okB := results[name][order[i]]
			if okA && okB && a.ns > 0 && a.bytes > 0 {
				fmt.Printf(" ×%.1f, ×%.1f |", b.ns/a.ns, b.bytes/a.bytes)
			} else {
				fmt.Print(" |")
			}
		}
		fmt.Println()
	}
}
