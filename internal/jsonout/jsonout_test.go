package jsonout

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

// TestIndentedControls checks that no control character that a
// terminal reads reaches the JSON, also those encoding/json leaves, and
// that the JSON reads back as the same text.
func TestIndentedControls(t *testing.T) {
	text := "a\x1b[2K\x7f\u0085\u202e\u2066b <&>"
	for _, escapeHTML := range []bool{false, true} {
		data, err := Indented(map[string]string{"detail": text}, escapeHTML)
		if err != nil {
			t.Fatal(err)
		}
		if i := strings.IndexFunc(string(data), func(r rune) bool { return r != '\n' && (unicode.IsControl(r) || leftByJSON(r)) }); i >= 0 {
			t.Errorf("escapeHTML %v: a control character at byte %d: %q", escapeHTML, i, data)
		}
		if strings.Contains(string(data), "<&>") == escapeHTML {
			t.Errorf("escapeHTML %v: %s", escapeHTML, data)
		}
		var back map[string]string
		if err := json.Unmarshal(data, &back); err != nil || back["detail"] != text {
			t.Errorf("escapeHTML %v: reads back as %q, %v", escapeHTML, back["detail"], err)
		}
	}
}
