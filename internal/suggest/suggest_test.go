package suggest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	_ "github.com/meshc/meshc/internal/golden" // defines -update for go test ./...
)

func TestNearest(t *testing.T) {
	candidates := []string{"prescribers", "payer_warehouse", "raw", "sales"}
	for _, tc := range []struct{ name, want string }{
		{"prescriber", "prescribers"},
		{"rwa", "raw"}, // a swap of two letters is one edit
		{"payer_warehose", "payer_warehouse"},
		{"sale", "sales"},
		{"zzz", ""}, // nothing close
		{"x", ""},
	} {
		if got := Nearest(tc.name, candidates); got != tc.want {
			t.Errorf("Nearest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"abc", "abd", 1}, {"abc", "acb", 1},
		{"abc", "", 3}, {"kitten", "sitting", 3}, {"é", "e", 1},
	} {
		if got := distance(tc.a, tc.b); got != tc.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// distance is the whole edit distance between a and b, by a matcher
// whose bound never cuts it short.
func distance(a, b string) int {
	m := newMatcher(a)
	return m.distance(b, len(m.name)+utf8.RuneCountInString(b))
}

// TestNearestAsWhole checks the bounded, early-stopping comparison against
// the whole edit-distance table, on random names over a small alphabet (so
// that near misses, swaps and ties are common) with a rune beyond ASCII.
func TestNearestAsWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		var b strings.Builder
		for range rng.IntN(9) {
			b.WriteRune([]rune("abcé_")[rng.IntN(5)])
		}
		return b.String()
	}
	for range 20000 {
		a, b := word(), word()
		if got, want := distance(a, b), wholeDistance(a, b); got != want {
			t.Fatalf("distance(%q, %q) = %d, want %d", a, b, got, want)
		}
		candidates := make([]string, rng.IntN(12))
		for i := range candidates {
			candidates[i] = word()
		}
		if got, want := Nearest(a, candidates), wholeNearest(a, candidates); got != want {
			t.Fatalf("Nearest(%q, %q) = %q, want %q", a, candidates, got, want)
		}
	}
}

// TestBoundedDistance checks that a bounded comparison gives the whole
// distance when it is within the bound and bound+1 otherwise, whatever the
// bound, on names with runes of two and four bytes: names of up to 64
// runes by bits, longer or empty ones by the table, and both ways for each
// pair of names.
func TestBoundedDistance(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune("ab𝔞é_")
	word := func(most int) string {
		var b strings.Builder
		for range rng.IntN(most + 1) {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for _, most := range []int{16, 70} { // 70: either side of 64 runes
		for range 20000 {
			a, b, bound := word(most), word(most), rng.IntN(6)
			m := newMatcher(a)
			want := min(wholeDistance(a, b), bound+1)
			if got := m.distance(b, bound); got != want {
				t.Fatalf("distance(%q, %q) within %d = %d, want %d", a, b, bound, got, want)
			}
			if got := m.tableDistance(b, bound+1); got != want {
				t.Fatalf("tableDistance(%q, %q) within %d = %d, want %d", a, b, bound, got, want)
			}
		}
	}
}

// wholeNearest is Nearest without its shortcuts.
func wholeNearest(name string, candidates []string) string {
	best, bestDist := "", -1
	limit := max(1, utf8.RuneCountInString(name)/3)
	for _, c := range candidates {
		if d := wholeDistance(name, c); d <= limit && (bestDist < 0 || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// wholeDistance fills the whole table of the optimal string alignment
// distance.
func wholeDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// BenchmarkNearest is a reference to a product missing from a domain of
// 10,000 whose names are all about as long.
func BenchmarkNearest(b *testing.B) {
	names := make([]string, 10000)
	for i := range names {
		names[i] = fmt.Sprintf("p%d", i)
	}
	for b.Loop() {
		Nearest("px42", names)
	}
}

// BenchmarkNearestIDs is a waiver naming a product ID that a mesh of
// 10,000 products no longer has: every ID is about as long, so the lengths
// spare none of them.
func BenchmarkNearestIDs(b *testing.B) {
	ids := make([]string, 10000)
	for i := range ids {
		ids[i] = fmt.Sprintf("domain_%d.product_%d", i/50, i)
	}
	for b.Loop() {
		Nearest("domain_7.prodcut_9999", ids)
	}
}

func TestFunction(t *testing.T) {
	names := []string{"lower", "upper"}
	for name, want := range map[string]string{
		"uper":          ` Did you mean "upper"?`,
		"core::upper":   " Functions here have no namespace: write upper(...).",
		"a::b::lowr":    ` Did you mean "lower"?`,
		"core::nothing": "",
	} {
		if got := Function(name, names); got != want {
			t.Errorf("Function(%q) = %q, want %q", name, got, want)
		}
	}
}
