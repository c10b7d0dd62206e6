package compiler

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meshc/meshc/internal/cron"
	_ "github.com/meshc/meshc/internal/golden" // defines -update for go test ./...
)

// TestSundayAsZero checks that a day of week of 7 is written 0, and that
// every other expression is left as written.
func TestSundayAsZero(t *testing.T) {
	for expr, want := range map[string]string{
		"0 6 * * 7":       "0 6 * * 0",
		"0 6 * * 0,7":     "0 6 * * 0",
		"0 6 * * 1-7":     "0 6 * * 0-6",
		"0 6 * * 5-7":     "0 6 * * 0,5-6",
		"0 6 1 * 3,7":     "0 6 1 * 0,3",
		"0 6 * * */1":     "0 6 * * */1",
		"0 6 * * */3,7":   "0 6 * * */3,0",
		"0 6 * * */2,5-7": "0 6 * * */2,0,5-6",
		"0 6 * * */2,7-7": "0 6 * * */2,0",
		"0 6 * * 5-7/2":   "0 6 * * 0,5",
		"0 6 * * 0-7/2":   "0 6 * * 0,2,4,6",
		"0 6 * * 0-7/3":   "0 6 * * 0,3,6",
		"0 6 * * 3-7/2":   "0 6 * * 0,3,5",
		"0 6 * * 7/2":     "0 6 * * 0",
		"0 6 * * FRI-7":   "0 6 * * 0,5-6",
		"0 6 * * *":       "0 6 * * *",
		"0 6 * * 1-5":     "0 6 * * 1-5",
		"0 6 * * SUN":     "0 6 * * SUN",
		"0 6 * * */2":     "0 6 * * */2",
		"*/15 * * * 0-6":  "*/15 * * * 0-6",
	} {
		got := sundayAsZero(expr)
		if got != want {
			t.Errorf("sundayAsZero(%q) = %q, want %q", expr, got, want)
		}
		if dow := strings.Fields(got)[4]; namesSeven(strings.Split(dow, ",")) {
			t.Errorf("sundayAsZero(%q) = %q still names 7, which Snowflake refuses", expr, got)
		}
		a, errA := cron.Period(expr)
		b, errB := cron.Period(sundayAsZero(expr))
		if a != b || errA != nil || errB != nil {
			t.Errorf("%q runs every %v (%v), written again every %v (%v)", expr, a, errA, b, errB)
		}
	}
}

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
