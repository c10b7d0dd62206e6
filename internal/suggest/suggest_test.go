package suggest

import (
	"testing"

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
