package compiler

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	_ "github.com/meshc/meshc/internal/golden" // defines -update for go test ./...
)

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"30m": 30 * time.Minute, "36h": 36 * time.Hour, "7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour} {
		if got, ok := parseDuration(in); !ok || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "0d", "36", "36 hours", "1.5h", "-1d", "1y", "999999999999d", "h", "+1d", "1dd", "\u0661d", " 1d", "1d ", "1D"} {
		if _, ok := parseDuration(bad); ok {
			t.Errorf("parseDuration(%q) succeeded; want failure", bad)
		}
	}
}

// FuzzParseDuration checks parseDuration against the grammar it reads by
// hand: digits, then one of the units, within maxDuration.
func FuzzParseDuration(f *testing.F) {
	for _, seed := range []string{"30m", "36h", "7d", "2w", "0d", "1y", "+1d", "999999999999d"} {
		f.Add(seed)
	}
	grammar := regexp.MustCompile(`^([0-9]+)(m|h|d|w)$`)
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseDuration(s)
		m := grammar.FindStringSubmatch(s)
		if m == nil {
			if ok {
				t.Fatalf("parseDuration(%q) = %v; the grammar refuses it", s, got)
			}
			return
		}
		n, err := strconv.ParseInt(m[1], 10, 64)
		unit := durationUnits[m[2][0]]
		want := err == nil && n > 0 && n <= int64(maxDuration/unit)
		if ok != want || (ok && got != time.Duration(n)*unit) {
			t.Fatalf("parseDuration(%q) = %v, %v; want %v, %v", s, got, ok, time.Duration(n)*unit, want)
		}
	})
}
