package lf

import "testing"

// TestText checks that each CRLF becomes LF, and that no other CR goes.
func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"a", "a"},
		{"a\n", "a\n"},
		{"a\r\n", "a\n"},
		{"\r\n\r\n", "\n\n"},
		{"a\r\nb\nc\r\nd", "a\nb\nc\nd"},
		{"a\rb\r\n", "a\rb\n"},
		{"a\r", "a\r"},
		{"\r", "\r"},
		{"\n\r", "\n\r"},
		{"a\r\r\n", "a\r\n"}, // a CR, then a CRLF line ending
		{"\r\na\r\n\r\nbc\r\n", "\na\n\nbc\n"},
	} {
		if got := string(Text([]byte(tc.in))); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
