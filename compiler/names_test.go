package compiler

import (
	"regexp"
	"testing"
)

// TestIsSnakeCase checks isSnakeCase against the regular expression it
// stands for, on every string of up to four characters from an alphabet
// that covers each case.
func TestIsSnakeCase(t *testing.T) {
	pattern := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	alphabet := []string{"a", "z", "0", "9", "_", "A", "-", "é"}
	var all func(prefix string, n int)
	all = func(prefix string, n int) {
		if got, want := isSnakeCase(prefix), pattern.MatchString(prefix); got != want {
			t.Errorf("isSnakeCase(%q) = %v, want %v", prefix, got, want)
		}
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			all(prefix+c, n-1)
		}
	}
	all("", 4)
}
