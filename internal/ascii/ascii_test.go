package ascii

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestIs(t *testing.T) {
	for _, s := range []string{"", "a", "abcdefg", "abcdefgh", strings.Repeat("x", 17), "\x7f\x00"} {
		if !Is(s) || !Is([]byte(s)) {
			t.Errorf("Is(%q) = false; want true", s)
		}
	}
	// A byte of 0x80 or more at every place, in texts of every length
	// up to 17, so that both loops see it.
	for n := 1; n <= 17; n++ {
		for i := range n {
			b := []byte(strings.Repeat("a", n))
			b[i] = 0x80 | byte(i)
			if Is(b) || Is(string(b)) {
				t.Errorf("Is(%q) = true; want false", b)
			}
		}
	}
}

func FuzzIs(f *testing.F) {
	f.Add("héllo wörld")
	f.Fuzz(func(t *testing.T, s string) {
		want := true
		for i := 0; i < len(s); i++ {
			want = want && s[i] < utf8.RuneSelf
		}
		if got := Is(s); got != want {
			t.Errorf("Is(%q) = %v; want %v", s, got, want)
		}
	})
}

func BenchmarkIs(b *testing.B) {
	text := []byte(strings.Repeat("resource \"x\" { y = 1 }\n", 1<<15))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if !Is(text) {
			b.Fatal("not ASCII")
		}
	}
}
