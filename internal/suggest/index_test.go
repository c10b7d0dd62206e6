package suggest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// TestIndexAsNearest checks that an Index gives Nearest's answer, on
// lists made to trip it: small alphabets (so that near misses, swaps and
// ties are common), runes of two and four bytes, bytes that are not
// UTF-8 (each read as U+FFFD, so two spellings are one name), empty
// names, names either side of 64 runes (where Nearest changes how it
// counts), and the same name listed twice. The names asked about are
// random, listed, or listed and then edited.
func TestIndexAsNearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, alphabet := range []string{"ab", "abc_", "abcé𝔞_", "ab\xff\xfe", "pq0123456789_"} {
		runes := strings.Split(alphabet, "")
		if alphabet == "abcé𝔞_" {
			runes = []string{"a", "b", "c", "é", "𝔞", "_"}
		}
		for _, most := range []int{4, 12, 70} {
			word := func() string {
				var b strings.Builder
				for range rng.IntN(most + 1) {
					b.WriteString(runes[rng.IntN(len(runes))])
				}
				return b.String()
			}
			for range 300 {
				candidates := make([]string, rng.IntN(40))
				for i := range candidates {
					if i > 0 && rng.IntN(8) == 0 {
						candidates[i] = candidates[rng.IntN(i)] // listed twice
						continue
					}
					candidates[i] = word()
				}
				ix := NewIndex(candidates)
				// Without a budget, the walks answer every name
				// themselves rather than most by Nearest.
				unbounded := NewIndex(candidates)
				unbounded.budget = math.MaxInt
				for range 20 {
					name := word()
					if len(candidates) > 0 && rng.IntN(2) == 0 {
						name = edit(rng, candidates[rng.IntN(len(candidates))], runes)
					}
					want := Nearest(name, candidates)
					if got := ix.Nearest(name); got != want {
						t.Fatalf("Index(%q).Nearest(%q) = %q, Nearest gives %q", candidates, name, got, want)
					}
					if got := unbounded.Nearest(name); got != want {
						t.Fatalf("Index(%q) without a budget: Nearest(%q) = %q, Nearest gives %q", candidates, name, got, want)
					}
				}
			}
		}
	}
}

// TestIndexTies checks the cases where the first of several equally near
// candidates is the answer, which the walk reaches in no fixed order.
func TestIndexTies(t *testing.T) {
	for _, tc := range []struct {
		name       string
		candidates []string
	}{
		{"abc", []string{"abd", "abe", "xbc"}},
		{"abc", []string{"xbc", "abd", "abe"}},
		{"abc", []string{"zzz", "acb", "abcd", "ab"}},
		{"", []string{"b", "a", ""}},
		{"", []string{"b", "a"}},
		{"x", []string{"", "xy"}},
		{"\xff", []string{"\xfe", "\xff"}}, // both U+FFFD
		{"orders_dialy", []string{"orders_weekly", "orders_daily", "orders_daily", "order_daily"}},
	} {
		if got, want := NewIndex(tc.candidates).Nearest(tc.name), Nearest(tc.name, tc.candidates); got != want {
			t.Errorf("Index(%q).Nearest(%q) = %q, Nearest gives %q", tc.candidates, tc.name, got, want)
		}
	}
}

// edit makes one to three random edits to s: an insertion, a deletion, a
// substitution or a swap, of runes of the alphabet.
func edit(rng *rand.Rand, s string, alphabet []string) string {
	r := []rune(s)
	pick := func() []rune { return []rune(alphabet[rng.IntN(len(alphabet))]) }
	for range 1 + rng.IntN(3) {
		i := 0
		if len(r) > 0 {
			i = rng.IntN(len(r))
		}
		switch op := rng.IntN(4); {
		case op == 0 || len(r) == 0:
			r = append(r[:i], append(pick(), r[i:]...)...)
		case op == 1:
			r = append(r[:i], r[i+1:]...)
		case op == 2:
			r[i] = pick()[0]
		case i+1 < len(r):
			r[i], r[i+1] = r[i+1], r[i]
		}
	}
	return string(r)
}

// FuzzIndex compares an Index with Nearest. The candidates are the second
// argument split at newlines.
func FuzzIndex(f *testing.F) {
	f.Add("orders_dialy", "orders_daily\norders_weekly\ncustomers")
	f.Add("", "\na\nb")
	f.Add("rwa", "raw\nwar\nraw")
	f.Add("é𝔞", "𝔞é\ne\n\xff")
	f.Add(strings.Repeat("ab", 40), strings.Repeat("ab", 39)+"\n"+strings.Repeat("ba", 40))
	f.Fuzz(func(t *testing.T, name, list string) {
		candidates := strings.Split(list, "\n")
		want := Nearest(name, candidates)
		ix := NewIndex(candidates)
		if got := ix.Nearest(name); got != want {
			t.Fatalf("Index(%q).Nearest(%q) = %q, Nearest gives %q", candidates, name, got, want)
		}
		ix.budget = math.MaxInt
		if got := ix.Nearest(name); got != want {
			t.Fatalf("Index(%q) without a budget: Nearest(%q) = %q, Nearest gives %q", candidates, name, got, want)
		}
	})
}

// TestLongNameAllocatesLittle checks that a long mistaken name costs an
// Index no more memory than Nearest, which passes over the candidates of
// other lengths: a walk's rows grow with the square of the name.
func TestLongNameAllocatesLittle(t *testing.T) {
	ix := NewIndex(realisticNames(rand.New(rand.NewPCG(1, 1)), 300))
	name := strings.Repeat("x", 5000)
	allocs := testing.AllocsPerRun(3, func() { ix.Nearest(name) })
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ix.Nearest(name)
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("Nearest of a name of 5,000 runes allocated %d bytes (%v allocations)", grew, allocs)
	}
}

// words are parts of realistic product and column names.
var words = strings.Fields(`orders customers daily weekly monthly revenue churn events sessions
	clicks payments refunds invoices accounts users products inventory stock sales returns
	shipments carriers prescribers claims payers members visits id name email total amount usd
	eur created updated at date region country store channel campaign cohort ltv score flag`)

// realisticNames makes n distinct names of two to four words joined by
// underscores, some with a version, like orders_daily_v2 or customer_id.
func realisticNames(rng *rand.Rand, n int) []string {
	seen := map[string]bool{}
	var names []string
	for len(names) < n {
		parts := make([]string, 2+rng.IntN(3))
		for i := range parts {
			parts[i] = words[rng.IntN(len(words))]
		}
		name := strings.Join(parts, "_")
		if rng.IntN(4) == 0 {
			name += fmt.Sprintf("_v%d", 1+rng.IntN(3))
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return names
}

// mistakes are names meant for names: most one to three edits from one of
// them, and one in eight unlike any.
func mistakes(rng *rand.Rand, names []string, n int) []string {
	letters := strings.Split("abcdefghijklmnopqrstuvwxyz_", "")
	out := make([]string, n)
	for i := range out {
		if i%8 == 7 {
			out[i] = realisticNames(rng, 1)[0] + "_x"
			continue
		}
		out[i] = edit(rng, names[rng.IntN(len(names))], letters)
	}
	return out
}

// BenchmarkScope is many misspelt names in a scope of 30,000: products
// named as people name them, or p0 to p29999 as meshsynth names them (a
// tiny alphabet, where a trie shares the most and a filter by letters
// rejects the least). Nearest compares each with every name; an Index is
// made once.
func BenchmarkScope(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	synthetic := make([]string, 30000)
	for i := range synthetic {
		synthetic[i] = fmt.Sprintf("p%d", i)
	}
	for _, scope := range []struct {
		name  string
		names []string
	}{{"realistic", realisticNames(rng, 30000)}, {"synthetic", synthetic}} {
		asked := mistakes(rng, scope.names, 1000)
		b.Run(scope.name+"/Nearest", func(b *testing.B) {
			for b.Loop() {
				for _, name := range asked {
					Nearest(name, scope.names)
				}
			}
		})
		b.Run(scope.name+"/Index", func(b *testing.B) {
			for b.Loop() {
				ix := NewIndex(scope.names)
				for _, name := range asked {
					ix.Nearest(name)
				}
			}
		})
		b.Run(scope.name+"/NewIndex", func(b *testing.B) {
			for b.Loop() {
				NewIndex(scope.names)
			}
		})
	}
}

// TestListAtOnce asks a List from many goroutines at once, past the point
// where it makes its Index (run with -race), and checks each answer.
func TestListAtOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	names := realisticNames(rng, 2000)
	asked := mistakes(rng, names, 200)
	want := make([]string, len(asked))
	for i, name := range asked {
		want[i] = Nearest(name, names)
	}
	l := NewList(names)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range asked {
				i = (i + g*25) % len(asked)
				if got := l.Nearest(asked[i]); got != want[i] {
					t.Errorf("List.Nearest(%q) = %q, Nearest gives %q", asked[i], got, want[i])
				}
			}
		})
	}
	wg.Wait()
}
