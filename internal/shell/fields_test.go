package shell

import (
	"slices"
	"strings"
	"testing"
)

func TestFieldsReadsQuote(t *testing.T) {
	for _, words := range [][]string{
		{"meshc", "build", "--target", "gitlab", "--env", "prod"},
		{"--out", "my folder", "--mesh-dir", "it's here"},
		{"", "'", `\`, "--env x"},
	} {
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, Quote(w))
		}
		line := strings.Join(quoted, " ")
		if got := Fields(line); !slices.Equal(got, words) {
			t.Errorf("Fields(%s) = %q, want %q", line, got, words)
		}
	}
}
