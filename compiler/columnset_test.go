package compiler

import (
	"strings"
	"testing"
)

// TestCompareFolded checks that compareFolded orders names as comparing
// their foldASCII forms does, which the column sets were sorted by when
// they kept the folded names.
func TestCompareFolded(t *testing.T) {
	names := []string{"", "a", "A", "b", "B", "_", "id", "ID", "Id", "idx", "IDX", "i", "ı", "ıd", "İD", "é", "É", "e\xff", "E\xff", "e\xffx", "E\uFFFD", "a1", "A1", "a_", "A[", "a{", "`", "z", "Z", "zz", "ü", "x\u00e9", "X\u00c9", "xé"}
	for _, a := range names {
		for _, b := range names {
			want := strings.Compare(foldASCII(a), foldASCII(b))
			if got := compareFolded(a, b); got != want {
				t.Errorf("compareFolded(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
}
