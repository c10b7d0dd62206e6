package cli

import (
	"strings"
	"testing"
)

// TestFmtDiffLineEndings checks that fmt --diff shows no CR of a file
// whose lines all end in CRLF, and every CR of one whose lines end in
// both, where a CR may be what changed.
func TestFmtDiffLineEndings(t *testing.T) {
	for _, tc := range []struct {
		old, formatted string
		want           []string // lines of the diff, after its header and hunk line
	}{
		{"a {\n  b   = 1\n}\n", "a {\n  b = 1\n}\n", []string{" a {", "-  b   = 1", "+  b = 1", " }"}},
		{"a {\r\n  b   = 1\r\n}\r\n", "a {\r\n  b = 1\r\n}\r\n", []string{" a {", "-  b   = 1", "+  b = 1", " }"}},
		{"a {\r\n  b = 1\n}\n", "a {\r\n  b = 1\n}\r\n", []string{" a {␍", "   b = 1", "-}", "+}␍"}},
		{"a {\r\n  b = \"x\ry\"\r\n}", "a {\r\n  b = \"x\ry\"\r\n}\r\n", []string{" a {", "   b = \"x␍y\"", "-}", "\\ No newline at end of file", "+}"}},
	} {
		got := string(fmtDiff("f", []byte(tc.old), []byte(tc.formatted)))
		lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		if len(lines) < 4 || strings.Join(lines[4:], "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("fmtDiff(%q, %q) =\n%s\nwant, after its header:\n%s", tc.old, tc.formatted, got, strings.Join(tc.want, "\n"))
		}
	}
}
