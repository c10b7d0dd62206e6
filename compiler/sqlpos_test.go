package compiler

import (
	"strings"
	"testing"
)

// FuzzValueOffset feeds valueOffset strings written as a mesh file might
// write them, and values that may or may not be theirs: it must never
// slice out of range, and an offset it gives is inside what was written.
func FuzzValueOffset(f *testing.F) {
	f.Add("\"select {{ input.x }}\"", "select {{ input.x }}", 7)
	f.Add("\"a\\u0041\\n$${b}\"", "aA\n${b}", 4)
	f.Add("<<-SQL\n    select 1\n    from {{ input.x }}\n  SQL\n", "select 1\nfrom {{ input.x }}\n", 14)
	f.Add("<<SQL\nx\nSQL", "x\n", 2)
	f.Fuzz(func(t *testing.T, written, value string, off int) {
		at, ok := valueOffset(written, value, off)
		if ok && (at < 0 || at > len(written)) {
			t.Fatalf("valueOffset(%q, %q, %d) = %d, outside the %d bytes written", written, value, off, at, len(written))
		}
	})
}

// TestValueOffset checks where a value's bytes are in a quoted string
// with escapes and in an indented heredoc.
func TestValueOffset(t *testing.T) {
	for _, c := range []struct {
		written, value, at string // at: the value's text whose offset is looked up
	}{
		{"\"select {{ input.x }}\"", "select {{ input.x }}", "{{"},
		{"\"a\\\"b {{ input.x }}\"", "a\"b {{ input.x }}", "{{"},
		{"<<-SQL\n    select 1\n    from {{ input.x }}\n  SQL\n", "select 1\nfrom {{ input.x }}\n", "{{"},
	} {
		got, ok := valueOffset(c.written, c.value, strings.Index(c.value, c.at))
		if !ok || !strings.HasPrefix(c.written[got:], c.at) {
			t.Errorf("valueOffset(%q) of %q = %d, %v; want where %q is written", c.written, c.at, got, ok, c.at)
		}
	}
}
